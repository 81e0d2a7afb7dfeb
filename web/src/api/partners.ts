import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet } from './client';

export const PARTNER_ROLES = ['customer', 'supplier', 'competitor', 'other'] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];
export const LEGAL_FORMS = ['company', 'person'] as const;
export type LegalForm = (typeof LEGAL_FORMS)[number];
/** Fields GET /api/partners can sort by. */
export const PARTNER_SORTS = ['name', 'id', 'registeredAt', 'birthDate'] as const;
export type PartnerSort = (typeof PARTNER_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

export type PropertyValue = string | number | boolean | null;

/** A partner as the API returns it (SPEC §1). */
export interface Partner {
  id: string;
  name: string;
  roles: PartnerRole[];
  legalForm: LegalForm | null;
  group: string | null;
  region: string | null;
  manager: string | null;
  type: string | null;
  birthDate: string | null;
  registeredAt: string | null;
  deleted: boolean | null;
  email: string | null;
  phone: string | null;
  properties: Record<string, PropertyValue>;
}

export interface PartnerPage {
  items: Partner[];
  total: number;
  limit: number;
  offset: number;
}

/** The query parameters of GET /api/partners the list screen uses. */
export interface PartnerListQuery {
  q?: string;
  role?: PartnerRole;
  legalForm?: LegalForm;
  region?: string;
  group?: string;
  segment?: string;
  deleted?: boolean;
  sort: PartnerSort;
  order: SortOrder;
  limit: number;
  offset: number;
}

export function usePartners(query: PartnerListQuery) {
  return useQuery({
    queryKey: ['partners', query],
    queryFn: ({ signal }) => apiGet<PartnerPage>('/partners', { ...query }, signal),
    // Keep the old page on screen while the next one loads, instead of flashing a spinner.
    placeholderData: keepPreviousData,
  });
}

export function usePartner(id: string) {
  return useQuery({
    queryKey: ['partner', id],
    queryFn: ({ signal }) => apiGet<Partner>(`/partners/${encodeURIComponent(id)}`, undefined, signal),
  });
}

/** A segment a partner belongs to, as far as the list of a partner's segments tells. */
export interface PartnerSegment {
  id: string;
  name: string;
  method?: string;
  kind?: string;
}

function toSegments(body: unknown): PartnerSegment[] {
  const items = Array.isArray(body) ? body : (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return [];
  return items.flatMap((item): PartnerSegment[] => {
    if (typeof item !== 'object' || item === null) return [];
    const { id, name, method, kind } = item as Record<string, unknown>;
    if (typeof id !== 'string') return [];
    return [
      {
        id,
        name: typeof name === 'string' ? name : id,
        ...(typeof method === 'string' ? { method } : {}),
        ...(typeof kind === 'string' ? { kind } : {}),
      },
    ];
  });
}

/** The segments the partner is in (stored ones read, dynamic ones evaluated). */
export function usePartnerSegments(id: string) {
  return useQuery({
    queryKey: ['partner', id, 'segments'],
    queryFn: async ({ signal }) => toSegments(await apiGet<unknown>(`/partners/${encodeURIComponent(id)}/segments`, undefined, signal)),
  });
}
