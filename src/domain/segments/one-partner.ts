import { ENTITIES, entityColumns, type EntityName } from '../../model/entities.js';
import type { RuleCatalog } from '../../rules/catalog.js';
import { ReferenceEvaluator } from '../../rules/reference/evaluate.js';
import type { PartnerRecord, PropertyValue, World } from '../../rules/reference/world.js';
import { PROPERTY_VALUE_COLUMNS } from '../../rules/vocabulary/attributes.js';
import type { NamedRule } from '../../sql/compile/rule-set.js';
import { inChunks } from '../../sql/in-chunks.js';
import type { Queryable, Row } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import { membershipCopy, readByKey } from './membership-copy.js';
import { partnerReads, segmentsRead } from './partner-reads.js';

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

/** The ancestors (itself included) of each node, read from the hierarchy's closure table. */
async function ancestorsOf(q: Queryable, entity: 'partnerGroups' | 'regions' | 'productGroups', nodes: readonly string[]): Promise<Record<string, unknown>[]> {
  if (nodes.length === 0) return [];
  const table = ENTITIES[entity].table;
  return rowsOf(q, entity, sql`id IN (SELECT ancestor_id FROM ${sql.raw(`${table}_closure`)} WHERE descendant_id IN (${sql.list([...nodes])}))`);
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The partner and what the rules read of it (partner-reads.ts), by key: the facts, properties
 * and scores they use, the products it bought with their memberships when a rule filters by
 * product, the memberships of the segments they read (from the in-process copy where there is
 * one, membership-copy.ts), and the ancestors of its nodes in the hierarchies they use. Null
 * when there is no such partner.
 */
export async function readPartnerWorld(q: Queryable, partnerId: string, catalog: RuleCatalog, rules: readonly NamedRule[]): Promise<World | null> {
  const reads = partnerReads(rules, catalog);
  const all = reads.everything;
  const [partner] = await rowsOf(q, 'partners', sql`id = ${partnerId}`);
  if (!partner) return null;
  const properties: Record<string, PropertyValue> = {};
  const types = catalog.properties.partner;
  const wanted = all ? [...types.keys()] : [...reads.properties].filter((name) => types.has(name));
  if (wanted.length) {
    for (const row of await q.query(sql`SELECT * FROM partner_properties WHERE partner_id = ${partnerId} AND name IN (${sql.list(wanted)})`)) {
      const type = types.get(String(row.name));
      if (type) properties[String(row.name)] = row[PROPERTY_VALUE_COLUMNS[type === 'string' ? 'text' : type]] ?? null;
    }
  }
  const facts = async (entity: 'sales' | 'interactions' | 'settlements' | 'deals') =>
    all || reads.facts.has(entity) || (entity === 'sales' && reads.products) ? rowsOf(q, entity, sql`partner_id = ${partnerId}`) : [];
  const [sales, interactions, settlements, deals] = [await facts('sales'), await facts('interactions'), await facts('settlements'), await facts('deals')];
  const productIds = all || reads.products ? [...new Set(sales.map((s) => String(s.product)))] : [];
  const products: Record<string, unknown>[] = [];
  const copy = membershipCopy(q);
  const members: { segmentId: string; memberId: string }[] = [];
  const memberships = async (ids: readonly string[]) => {
    members.push(...(copy ? await copy.memberships(q, reads.segments, ids) : await readByKey(q, reads.segments, ids)));
  };
  await memberships([partnerId]);
  await inChunks(productIds, 500, async (chunk) => {
    products.push(...(await rowsOf(q, 'products', sql`id IN (${sql.list(chunk)})`)).map((p) => ({ ...p, properties: {} })));
    await memberships(chunk);
  });
  const tree = (entity: 'partnerGroups' | 'regions' | 'productGroups', nodes: readonly (string | null)[]) =>
    all || reads.trees.has(entity) ? ancestorsOf(q, entity, [...new Set(nodes.filter((n): n is string => n !== null))]) : Promise.resolve([]);
  const scores = all || reads.scores ? await q.query<{ score: string; value: number }>(sql`SELECT score, value FROM partner_scores WHERE partner_id = ${partnerId}`) : [];
  const world = {
    partnerGroups: await tree('partnerGroups', [text(partner.group)]),
    regions: await tree('regions', [text(partner.region)]),
    productGroups: await tree(
      'productGroups',
      products.map((p) => text(p.group)),
    ),
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

export { segmentsRead };

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
