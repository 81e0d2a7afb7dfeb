import { AppError } from '../../errors/app-error.js';
import { BATCH_LIMIT, listOf, type B24Client, type B24Row } from './b24-client.js';

/**
 * Publishing a segment to Bitrix24: a multiple list user field on the company (made when
 * missing) holds an item per published segment; a company in the segment has the item among its
 * values. Only the companies whose values change are updated (`crm.company.update` in batches of
 * 50, without a live-feed event).
 */

export interface MembersField {
  readonly id: string;
  readonly code: string;
  readonly items: readonly { readonly ID: string; readonly VALUE: string }[];
}

const LABEL = 'Сегменты Segmenta';

async function findField(client: B24Client, code: string): Promise<MembersField | null> {
  const [row] = listOf(await client.result('crm.company.userfield.list', { filter: { FIELD_NAME: code } }));
  if (!row) return null;
  const items = (Array.isArray(row.LIST) ? row.LIST : []) as B24Row[];
  return { id: String(row.ID), code, items: items.map((i) => ({ ID: String(i.ID), VALUE: String(i.VALUE) })) };
}

/** The field (made as a multiple list when missing and `create`). */
export async function membersField(client: B24Client, code: string, create?: true): Promise<MembersField>;
export async function membersField(client: B24Client, code: string, create: false): Promise<MembersField | null>;
export async function membersField(client: B24Client, code: string, create = true): Promise<MembersField | null> {
  const found = await findField(client, code);
  if (found || !create) return found;
  await client.call('crm.company.userfield.add', {
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
  const made = await findField(client, code);
  if (!made) throw new AppError('CONNECTOR_REMOTE_ERROR', { system: 'Bitrix24', status: 200, object: 'crm.company.userfield.add', reason: `the field ${code} is not there after it was made` });
  return made;
}

/** The segment's item in the field: the one published before (renamed when the segment was), or a new one. */
export async function segmentItem(client: B24Client, field: MembersField, name: string, remoteId: string | null): Promise<string> {
  const before = remoteId ? field.items.find((i) => i.ID === remoteId) : undefined;
  if (before) {
    if (before.VALUE !== name) await client.call('crm.company.userfield.update', { id: field.id, fields: { LIST: [{ ID: before.ID, VALUE: name }] } });
    return before.ID;
  }
  const same = field.items.find((i) => i.VALUE === name);
  if (same) return same.ID;
  await client.call('crm.company.userfield.update', { id: field.id, fields: { LIST: [...field.items.map((i) => ({ ID: i.ID, VALUE: i.VALUE })), { VALUE: name }] } });
  const again = await findField(client, field.code);
  const made = again?.items.filter((i) => i.VALUE === name).pop();
  if (!made)
    throw new AppError('CONNECTOR_REMOTE_ERROR', { system: 'Bitrix24', status: 200, object: 'crm.company.userfield.update', reason: `the item "${name}" is not in ${field.code} after it was added` });
  return made.ID;
}

const valuesOf = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === null || v === undefined || v === '' || v === false ? [] : [String(v)]).filter((x) => x !== '' && x !== '0');

/** Sets the item on the `wanted` companies and takes it off the others that have it; returns the counts. */
export async function companyUpdates(client: B24Client, code: string, item: string, wanted: ReadonlySet<string>): Promise<{ added: number; removed: number }> {
  const values = new Map<string, string[]>();
  for await (const page of client.fastPages('crm.company.list', { filter: { [code]: item }, select: ['ID', code] })) {
    for (const r of page) values.set(String(r.ID), valuesOf(r[code]));
  }
  const toAdd = [...wanted].filter((id) => !values.has(id));
  const toRemove = [...values.keys()].filter((id) => !wanted.has(id));
  // The companies to add the item to: their other values first (a multiple field is written whole).
  for (let i = 0; i < toAdd.length; i += BATCH_LIMIT * BATCH_LIMIT) {
    const chunk = toAdd.slice(i, i + BATCH_LIMIT * BATCH_LIMIT);
    const commands: Record<string, { method: string; params: Record<string, unknown> }> = {};
    for (let j = 0; j < chunk.length; j += BATCH_LIMIT) {
      commands[`c${j / BATCH_LIMIT}`] = { method: 'crm.company.list', params: { order: { ID: 'ASC' }, filter: { '@ID': chunk.slice(j, j + BATCH_LIMIT) }, select: ['ID', code], start: -1 } };
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
      Object.fromEntries(chunk.map((u, j) => [`u${j}`, { method: 'crm.company.update', params: { id: u.id, fields: { [code]: u.values }, params: { REGISTER_SONET_EVENT: 'N' } } }])),
    );
    const failed = Object.entries(answer.errors);
    if (failed.length) {
      const [name, error] = failed[0]!;
      throw new AppError('CONNECTOR_REMOTE_ERROR', {
        system: 'Bitrix24',
        status: 200,
        object: `crm.company.update (company ${chunk[Number(name.slice(1))]?.id ?? '?'})`,
        reason: `${error.error}: ${error.error_description}`,
      });
    }
  }
  return { added: updates.length - toRemove.length, removed: toRemove.length };
}
