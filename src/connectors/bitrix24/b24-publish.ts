import { AppError } from '../../errors/app-error.js';
import { BATCH_LIMIT, listOf, type B24Client, type B24Row } from './b24-client.js';

/**
 * Publishing a segment to Bitrix24: a multiple list user field on the companies, and one of the
 * same code on the contacts (each made when missing; user fields are per entity), holds an item
 * per published segment; a company or contact in the segment has the item among its values. Only
 * the entities whose values change are updated (`crm.company.update` / `crm.contact.update` in
 * batches of 50, without a live-feed event).
 */

/** The CRM entity a field belongs to: its methods are `crm.<entity>.…`. */
export type MembersEntity = 'company' | 'contact';

export interface MembersField {
  readonly entity: MembersEntity;
  readonly id: string;
  readonly code: string;
  readonly items: readonly { readonly ID: string; readonly VALUE: string }[];
}

const LABEL = 'Сегменты Segmenta';

async function findField(client: B24Client, entity: MembersEntity, code: string): Promise<MembersField | null> {
  const [row] = listOf(await client.result(`crm.${entity}.userfield.list`, { filter: { FIELD_NAME: code } }));
  if (!row) return null;
  const items = (Array.isArray(row.LIST) ? row.LIST : []) as B24Row[];
  return { entity, id: String(row.ID), code, items: items.map((i) => ({ ID: String(i.ID), VALUE: String(i.VALUE) })) };
}

/** The field (made as a multiple list when missing and `create`). */
export async function membersField(client: B24Client, entity: MembersEntity, code: string, create?: true): Promise<MembersField>;
export async function membersField(client: B24Client, entity: MembersEntity, code: string, create: false): Promise<MembersField | null>;
export async function membersField(client: B24Client, entity: MembersEntity, code: string, create = true): Promise<MembersField | null> {
  const found = await findField(client, entity, code);
  if (found || !create) return found;
  await client.call(`crm.${entity}.userfield.add`, {
    fields: {
      FIELD_NAME: code.replace(/^UF_CRM_/, ''),
      USER_TYPE_ID: 'enumeration',
      MULTIPLE: 'Y',
      MANDATORY: 'N',
      SHOW_FILTER: 'Y',
      EDIT_FORM_LABEL: LABEL,
      LIST_COLUMN_LABEL: LABEL,
      LIST_FILTER_LABEL: LABEL,
      LIST: [],
    },
  });
  const made = await findField(client, entity, code);
  if (!made) throw new AppError('CONNECTOR_REMOTE_ERROR', { system: 'Bitrix24', status: 200, object: `crm.${entity}.userfield.add`, reason: `the field ${code} is not there after it was made` });
  return made;
}

/** The segment's item in the field: the one published before (renamed when the segment was), or a new one. */
export async function segmentItem(client: B24Client, field: MembersField, name: string, remoteId: string | null): Promise<string> {
  const before = remoteId ? field.items.find((i) => i.ID === remoteId) : undefined;
  if (before) {
    if (before.VALUE !== name) await client.call(`crm.${field.entity}.userfield.update`, { id: field.id, fields: { LIST: [{ ID: before.ID, VALUE: name }] } });
    return before.ID;
  }
  const same = field.items.find((i) => i.VALUE === name);
  if (same) return same.ID;
  await client.call(`crm.${field.entity}.userfield.update`, { id: field.id, fields: { LIST: [...field.items.map((i) => ({ ID: i.ID, VALUE: i.VALUE })), { VALUE: name }] } });
  const again = await findField(client, field.entity, field.code);
  const made = again?.items.filter((i) => i.VALUE === name).pop();
  if (!made)
    throw new AppError('CONNECTOR_REMOTE_ERROR', {
      system: 'Bitrix24',
      status: 200,
      object: `crm.${field.entity}.userfield.update`,
      reason: `the item "${name}" is not in ${field.code} after it was added`,
    });
  return made.ID;
}

const valuesOf = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === null || v === undefined || v === '' || v === false ? [] : [String(v)]).filter((x) => x !== '' && x !== '0');

/** Takes the item off the field's list (after no entity holds it). */
export async function dropItem(client: B24Client, field: MembersField, item: string): Promise<void> {
  await client.call(`crm.${field.entity}.userfield.update`, { id: field.id, fields: { LIST: [{ ID: item, DEL: 'Y' }] } });
}

/** Sets the item on the `wanted` entities of the field and takes it off the others that have it; returns the counts. */
export async function memberUpdates(client: B24Client, field: MembersField, item: string, wanted: ReadonlySet<string>): Promise<{ added: number; removed: number }> {
  const { entity, code } = field;
  const values = new Map<string, string[]>();
  for await (const page of client.fastPages(`crm.${entity}.list`, { filter: { [code]: item }, select: ['ID', code] })) {
    for (const r of page) values.set(String(r.ID), valuesOf(r[code]));
  }
  const toAdd = [...wanted].filter((id) => !values.has(id));
  const toRemove = [...values.keys()].filter((id) => !wanted.has(id));
  // The entities to add the item to: their other values first (a multiple field is written whole).
  for (let i = 0; i < toAdd.length; i += BATCH_LIMIT * BATCH_LIMIT) {
    const chunk = toAdd.slice(i, i + BATCH_LIMIT * BATCH_LIMIT);
    const commands: Record<string, { method: string; params: Record<string, unknown> }> = {};
    for (let j = 0; j < chunk.length; j += BATCH_LIMIT) {
      commands[`c${j / BATCH_LIMIT}`] = { method: `crm.${entity}.list`, params: { order: { ID: 'ASC' }, filter: { '@ID': chunk.slice(j, j + BATCH_LIMIT) }, select: ['ID', code], start: -1 } };
    }
    const answer = await client.batch(commands);
    for (const name of Object.keys(commands)) for (const r of listOf(answer.result[name])) values.set(String(r.ID), valuesOf(r[code]));
  }
  const updates: { id: string; values: string[] }[] = [];
  for (const id of toAdd) if (values.has(id)) updates.push({ id, values: [...values.get(id)!, item] });
  for (const id of toRemove) updates.push({ id, values: values.get(id)!.filter((v) => v !== item) });
  for (let i = 0; i < updates.length; i += BATCH_LIMIT) {
    const chunk = updates.slice(i, i + BATCH_LIMIT);
    const answer = await client.batch(
      Object.fromEntries(chunk.map((u, j) => [`u${j}`, { method: `crm.${entity}.update`, params: { id: u.id, fields: { [code]: u.values }, params: { REGISTER_SONET_EVENT: 'N' } } }])),
    );
    const failed = Object.entries(answer.errors);
    if (failed.length) {
      const [name, error] = failed[0]!;
      throw new AppError('CONNECTOR_REMOTE_ERROR', {
        system: 'Bitrix24',
        status: 200,
        object: `crm.${entity}.update (${entity} ${chunk[Number(name.slice(1))]?.id ?? '?'})`,
        reason: `${error.error}: ${error.error_description}`,
      });
    }
  }
  return { added: updates.length - toRemove.length, removed: toRemove.length };
}
