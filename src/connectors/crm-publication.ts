/**
 * The `remoteId` of a segment published into a CRM (Bitrix24, amoCRM): the companies' item and
 * the contacts' item, the two fields being separate in both CRMs. Written as
 * `<companies>|<contacts>`, each part the driver's own id of the item (empty when none); a
 * publication stored before contacts were published is the companies' part alone.
 */
export interface CrmPublicationParts {
  readonly companies: string | null;
  readonly contacts: string | null;
}

const SEPARATOR = '|';

export function crmPublicationParts(remoteId: string | null): CrmPublicationParts {
  const [companies = '', contacts = ''] = (remoteId ?? '').split(SEPARATOR);
  return { companies: companies || null, contacts: contacts || null };
}

export function crmPublicationId(parts: CrmPublicationParts): string {
  return parts.contacts ? `${parts.companies ?? ''}${SEPARATOR}${parts.contacts}` : (parts.companies ?? '');
}
