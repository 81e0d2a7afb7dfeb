import { ENTITIES, entityColumns, type EntityName } from '../../model/entities.js';
import type { RuleCatalog } from '../../rules/catalog.js';
import { ReferenceEvaluator } from '../../rules/reference/evaluate.js';
import type { PartnerRecord, PropertyValue, World } from '../../rules/reference/world.js';
import { PROPERTY_VALUE_COLUMNS } from '../../rules/vocabulary/attributes.js';
import type { NamedRule } from '../../sql/compile/rule-set.js';
import { inChunks } from '../../sql/in-chunks.js';
import type { Queryable, Row } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import { referencedSegmentIds } from './definition-checks.js';

/**
 * One partner checked against many rules in process (issue 20): its rows are read by key in a
 * few queries into a world of one partner, and the rules are evaluated over it by the reference
 * evaluator (src/rules/reference/evaluate.ts) — the meaning the compiled SQL is tested against
 * on every engine. Cheaper than planning one query of a hundred rules for each check.
 */

/** A row of an entity's table as the world's record (API field names, roles as a list). */
function recordOf(entity: EntityName, row: Row): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const field of ENTITIES[entity].fields) {
    if (field.kind === 'flags') record[field.name] = field.values.filter((v) => row[`${field.columnPrefix}${v}`] === true);
    else record[field.name] = row[field.column] ?? null;
  }
  return record;
}

const columnsOf = (entity: EntityName): string =>
  entityColumns(ENTITIES[entity])
    .map((c) => c.column)
    .join(', ');

async function rowsOf(q: Queryable, entity: EntityName, where: ReturnType<typeof sql>): Promise<Record<string, unknown>[]> {
  const rows = await q.query(sql`SELECT ${sql.raw(columnsOf(entity))} FROM ${sql.raw(ENTITIES[entity].table)} WHERE ${where}`);
  return rows.map((row) => recordOf(entity, row));
}

/**
 * The partner, its facts, properties, scores and memberships, the products it bought (with the
 * memberships of product segments) and the hierarchies: all a partner rule reads. Null when
 * there is no such partner.
 */
export async function readPartnerWorld(q: Queryable, partnerId: string, catalog: RuleCatalog, rules: readonly NamedRule[]): Promise<World | null> {
  const [partner] = await rowsOf(q, 'partners', sql`id = ${partnerId}`);
  if (!partner) return null;
  const properties: Record<string, PropertyValue> = {};
  const types = catalog.properties.partner;
  if (types.size) {
    for (const row of await q.query(sql`SELECT * FROM partner_properties WHERE partner_id = ${partnerId}`)) {
      const type = types.get(String(row.name));
      if (type) properties[String(row.name)] = row[PROPERTY_VALUE_COLUMNS[type === 'string' ? 'text' : type]] ?? null;
    }
  }
  const facts = (entity: EntityName) => rowsOf(q, entity, sql`partner_id = ${partnerId}`);
  const [sales, interactions, settlements, deals] = [await facts('sales'), await facts('interactions'), await facts('settlements'), await facts('deals')];
  const productIds = [...new Set(sales.map((s) => String(s.product)))];
  const products: Record<string, unknown>[] = [];
  const members: { segmentId: string; memberId: string }[] = [];
  // Only the stored compositions the rules read: DuckDB has no index on segment_members.
  const read = [
    ...segmentsRead(
      catalog,
      rules.map((r) => r.id),
    ),
  ].filter((id) => catalog.segments.get(id)?.method !== 'dynamic');
  const memberships = async (ids: readonly string[]) => {
    if (read.length === 0) return;
    const rows = await q.query<{ segment_id: string; member_id: string }>(
      sql`SELECT segment_id, member_id FROM segment_members WHERE segment_id IN (${sql.list(read)}) AND member_id IN (${sql.list(ids)})`,
    );
    for (const row of rows) members.push({ segmentId: row.segment_id, memberId: row.member_id });
  };
  await memberships([partnerId]);
  await inChunks(productIds, 500, async (chunk) => {
    products.push(...(await rowsOf(q, 'products', sql`id IN (${sql.list(chunk)})`)).map((p) => ({ ...p, properties: {} })));
    await memberships(chunk);
  });
  const tree = (entity: EntityName) => rowsOf(q, entity, sql`TRUE`);
  const scores = await q.query<{ score: string; value: number }>(sql`SELECT score, value FROM partner_scores WHERE partner_id = ${partnerId}`);
  const world = {
    partnerGroups: await tree('partnerGroups'),
    regions: await tree('regions'),
    productGroups: await tree('productGroups'),
    partners: [{ ...partner, properties }],
    products,
    sales,
    interactions,
    settlements,
    deals,
    propertyDefinitions: (['partner', 'product'] as const).flatMap((kind) =>
      [...catalog.properties[kind]].map(([name, type]) => ({ entity: kind === 'partner' ? ('partners' as const) : ('products' as const), name, type })),
    ),
    segments: [...catalog.segments.values()],
    segmentMembers: members,
    partnerScores: scores.map((s) => ({ partnerId, score: s.score, value: Number(s.value) })),
  };
  return world as unknown as World;
}

/** The segments these segments' rules read, through dynamic segments too (whose rules are inlined). */
export function segmentsRead(catalog: RuleCatalog, ids: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const visit = (id: string): void => {
    const info = catalog.segments.get(id);
    if (!info || info.rule === null || info.rule === undefined) return;
    for (const other of referencedSegmentIds({ rule: info.rule, parameters: info.parameters })) {
      if (found.has(other)) continue;
      found.add(other);
      if (catalog.segments.get(other)?.method === 'dynamic') visit(other);
    }
  };
  for (const id of ids) visit(id);
  return found;
}

/**
 * Which of the rules (stored periodic segments, in dependency order) hold for the world's
 * partner, with a check on create's meaning: a rule reading another of them counts the partner
 * in it when it is stored there or the other rule holds.
 */
export function matchInProcess(world: World, rules: readonly NamedRule[], catalog: RuleCatalog, asOf: string): Set<string> {
  const partner = world.partners[0] as PartnerRecord;
  const held = new Set<string>();
  const reads = segmentsRead(
    catalog,
    rules.map((r) => r.id),
  );
  let members = world.segmentMembers;
  let evaluator = new ReferenceEvaluator(world, asOf, catalog.scores);
  for (const { id, rule } of rules) {
    if (!evaluator.holds(rule, partner, 'partner')) continue;
    held.add(id);
    if (reads.has(id) && !members.some((m) => m.segmentId === id && m.memberId === partner.id)) {
      // The rules after it see the partner in it.
      members = [...members, { segmentId: id, memberId: partner.id }];
      evaluator = new ReferenceEvaluator({ ...world, segmentMembers: members }, asOf, catalog.scores);
    }
  }
  return held;
}
