import { AppError } from '../../errors/app-error.js';
import { ENTITIES, PARTNER_ROLES } from '../../model/entities.js';
import { propertyValue, rowToRecord, type EntityRecord, type PropertyRow } from '../../model/records.js';
import { escapeLike } from '../../sql/compile/predicates.js';
import type { Queryable, Row, SqlValue } from '../../storage/database.js';

const partners = ENTITIES.partners;

export interface PartnerFilter {
  /** Substring of name, email or phone, case-insensitive. */
  readonly q?: string;
  readonly role?: (typeof PARTNER_ROLES)[number];
  readonly legalForm?: string;
  readonly group?: string;
  readonly region?: string;
  readonly manager?: string;
  readonly type?: string;
  readonly deleted?: boolean;
  readonly ids?: readonly string[];
}

export interface Page {
  readonly limit: number;
  readonly offset: number;
}

const SORTABLE = { id: 'id', name: 'name', registeredAt: 'registered_at', birthDate: 'birth_date' } as const;
export type PartnerSort = keyof typeof SORTABLE;
export const PARTNER_SORTS = Object.keys(SORTABLE) as PartnerSort[];
export const SORT_ORDERS = ['asc', 'desc'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

function whereClause(filter: PartnerFilter): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  const p = (value: SqlValue) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.q) {
    // Escaped: `%` and `_` in the search are matched as themselves.
    const pattern = p(`%${escapeLike(filter.q.toLowerCase())}%`);
    parts.push(`(lower(name) LIKE ${pattern} ESCAPE '\\' OR lower(coalesce(email, '')) LIKE ${pattern} ESCAPE '\\' OR coalesce(phone, '') LIKE ${pattern} ESCAPE '\\')`);
  }
  if (filter.role) parts.push(`role_${filter.role} = TRUE`);
  if (filter.legalForm) parts.push(`legal_form = ${p(filter.legalForm)}`);
  if (filter.group) parts.push(`group_id = ${p(filter.group)}`);
  if (filter.region) parts.push(`region_id = ${p(filter.region)}`);
  if (filter.manager) parts.push(`manager_id = ${p(filter.manager)}`);
  if (filter.type) parts.push(`type_id = ${p(filter.type)}`);
  if (filter.deleted !== undefined) parts.push(`coalesce(deleted, FALSE) = ${p(filter.deleted)}`);
  if (filter.ids) parts.push(filter.ids.length ? `id IN (${filter.ids.map((id) => p(id)).join(', ')})` : 'FALSE');
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** A page of partners matching the filter, with the total count. Sorted by the given field (empty last), then id. */
export async function listPartners(
  db: Queryable,
  filter: PartnerFilter,
  page: Page,
  sort: PartnerSort = 'name',
  order: SortOrder = 'asc',
): Promise<{ items: EntityRecord[]; total: number }> {
  const where = whereClause(filter);
  const [count] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM partners ${where.sql}`, where.params);
  const column = SORTABLE[sort];
  const rows = await db.query(
    `SELECT * FROM partners ${where.sql} ORDER BY ${column} ${order === 'desc' ? 'DESC' : 'ASC'} NULLS LAST, id LIMIT ${Math.trunc(page.limit)} OFFSET ${Math.trunc(page.offset)}`,
    where.params,
  );
  const items = rows.map((row) => rowToRecord(partners, row));
  await attachProperties(db, items);
  return { items, total: count?.n ?? 0 };
}

/** One partner with its properties; ENTITY_NOT_FOUND if there is none. */
export async function getPartner(db: Queryable, id: string): Promise<EntityRecord> {
  const rows = await db.query<Row>('SELECT * FROM partners WHERE id = $1', [id]);
  const row = rows[0];
  if (!row) throw new AppError('ENTITY_NOT_FOUND', { entity: 'partner', id });
  const record = rowToRecord(partners, row);
  await attachProperties(db, [record]);
  return record;
}

async function attachProperties(db: Queryable, records: EntityRecord[]): Promise<void> {
  if (records.length === 0) return;
  const ids = records.map((r) => String(r.id));
  const placeholders = ids.map((_, i) => `$${i + 1}`).join(', ');
  const rows = await db.query<PropertyRow & { partner_id: string }>(
    `SELECT partner_id, name, value_text, value_number, value_date, value_boolean FROM partner_properties WHERE partner_id IN (${placeholders}) ORDER BY name`,
    ids,
  );
  const byPartner = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    const props = byPartner.get(row.partner_id) ?? {};
    props[row.name] = propertyValue(row);
    byPartner.set(row.partner_id, props);
  }
  for (const record of records) record.properties = byPartner.get(String(record.id)) ?? {};
}
