import { AppError } from '../../errors/app-error.js';
import { isScoped, managerInScope } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';
import { ENTITIES, type PARTNER_ROLES } from '../../model/entities.js';
import { propertyValue, rowToRecord, type EntityRecord, type PropertyRow } from '../../model/records.js';
import { escapeLike } from '../../sql/compile/predicates.js';
import type { Queryable, Row } from '../../sql/queryable.js';
import { sql, type Sql } from '../../sql/sql.js';

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
  /** Only these ids: a segment's members as a query of `id` (reportMembers), already cut to the scope. */
  readonly memberOf?: Sql;
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

function whereClause(scope: PartnerScope, filter: PartnerFilter): Sql {
  // The whole base: no condition at all; a manager's partners: by their manager.
  const parts: Sql[] = isScoped(scope) ? [managerInScope(scope, sql`manager_id`)] : [];
  if (filter.q) {
    // Escaped: `%` and `_` in the search are matched as themselves.
    const pattern = sql.param(`%${escapeLike(filter.q.toLowerCase())}%`);
    parts.push(sql`(lower(name) LIKE ${pattern} ESCAPE '\\' OR lower(coalesce(email, '')) LIKE ${pattern} ESCAPE '\\' OR coalesce(phone, '') LIKE ${pattern} ESCAPE '\\')`);
  }
  // The role is one of PARTNER_ROLES (the schema checked it): a column name, not a value.
  if (filter.role) parts.push(sql.raw(`role_${filter.role} = TRUE`));
  if (filter.legalForm) parts.push(sql`legal_form = ${filter.legalForm}`);
  if (filter.group) parts.push(sql`group_id = ${filter.group}`);
  if (filter.region) parts.push(sql`region_id = ${filter.region}`);
  if (filter.manager) parts.push(sql`manager_id = ${filter.manager}`);
  if (filter.type) parts.push(sql`type_id = ${filter.type}`);
  if (filter.deleted !== undefined) parts.push(sql`coalesce(deleted, FALSE) = ${filter.deleted}`);
  if (filter.ids) parts.push(filter.ids.length ? sql`id IN (${sql.list(filter.ids)})` : sql`FALSE`);
  if (filter.memberOf) parts.push(sql`id IN (SELECT id FROM (${filter.memberOf}) segment_members_of)`);
  return parts.length ? sql`WHERE ${sql.join(parts, sql` AND `)}` : sql.empty;
}

/** A page of the scope's partners matching the filter, with the total count. Sorted by the given field (empty last), then id. */
export async function listPartners(
  db: Queryable,
  scope: PartnerScope,
  filter: PartnerFilter,
  page: Page,
  sort: PartnerSort = 'name',
  order: SortOrder = 'asc',
): Promise<{ items: EntityRecord[]; total: number }> {
  const where = whereClause(scope, filter);
  const [count] = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM partners ${where}`);
  const orderBy = sql.raw(`${SORTABLE[sort]} ${order === 'desc' ? 'DESC' : 'ASC'} NULLS LAST, id LIMIT ${Math.trunc(page.limit)} OFFSET ${Math.trunc(page.offset)}`);
  const rows = await db.query(sql`SELECT * FROM partners ${where} ORDER BY ${orderBy}`);
  const items = rows.map((row) => rowToRecord(partners, row));
  await attachProperties(db, items);
  return { items, total: count?.n ?? 0 };
}

/** One partner with its properties; ENTITY_NOT_FOUND if there is none in the scope (one outside it is not confirmed to exist). */
export async function getPartner(db: Queryable, scope: PartnerScope, id: string): Promise<EntityRecord> {
  const rows = await db.query<Row>(sql`SELECT * FROM partners WHERE id = ${id} AND ${managerInScope(scope, sql`manager_id`)}`);
  const row = rows[0];
  if (!row) throw new AppError('ENTITY_NOT_FOUND', { entity: 'partner', id });
  const record = rowToRecord(partners, row);
  await attachProperties(db, [record]);
  return record;
}

async function attachProperties(db: Queryable, records: EntityRecord[]): Promise<void> {
  if (records.length === 0) return;
  const ids = records.map((r) => String(r.id));
  const rows = await db.query<PropertyRow & { partner_id: string }>(
    sql`SELECT partner_id, name, value_text, value_number, value_date, value_boolean FROM partner_properties WHERE partner_id IN (${sql.list(ids)}) ORDER BY name`,
  );
  const byPartner = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    const props = byPartner.get(row.partner_id) ?? {};
    props[row.name] = propertyValue(row);
    byPartner.set(row.partner_id, props);
  }
  for (const record of records) record.properties = byPartner.get(String(record.id)) ?? {};
}
