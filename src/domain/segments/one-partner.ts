import { ENTITIES, entityColumns, type EntityName } from '../../model/entities.js';
import type { RuleCatalog } from '../../rules/catalog.js';
import { ReferenceEvaluator } from '../../rules/reference/evaluate.js';
import type { PartnerRecord, PropertyValue, World } from '../../rules/reference/world.js';
import { PROPERTY_VALUE_COLUMNS } from '../../rules/vocabulary/attributes.js';
import type { NamedRule } from '../../sql/compile/rule-set.js';
import type { Queryable, Row } from '../../sql/queryable.js';
import { readParts, type ReadPart } from '../../sql/read-parts.js';
import { sql, type Sql } from '../../sql/sql.js';
import { directoriesCopy, type Directories, type Tree } from './directories-copy.js';
import { membershipCopy } from './membership-copy.js';
import { partnerReads, segmentsRead } from './partner-reads.js';

/**
 * One partner checked against many rules in process (issue 20): its rows are read by key in
 * statements sent together into a world of one partner, and the rules are evaluated over it by the reference
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

type Fact = 'sales' | 'interactions' | 'settlements' | 'deals';

const columnOf = (entity: EntityName, field: string): string => {
  const found = ENTITIES[entity].fields.find((f) => f.name === field);
  if (!found || found.kind !== 'scalar') throw new Error(`${entity}.${field} is not a column`);
  return found.column;
};

/** An entity's rows as one of the reads. */
const entityPart = (name: string, entity: EntityName, where: Sql): ReadPart => ({
  name,
  from: sql.raw(ENTITIES[entity].table),
  where,
  columns: entityColumns(ENTITIES[entity]).map((c) => ({ name: c.column, expression: c.column })),
});

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * What the second reads would return, taken from the copy of the directories: the ancestors of
 * the partner's group and region and of its products' groups, and its products.
 */
function directoryRows(directories: Directories, trees: readonly Tree[], partner: Record<string, unknown>, productIds: readonly string[]): Map<string, Row[]> {
  const found = new Map<string, Row[]>();
  const rowsOf = (name: Tree | 'products', ids: Iterable<string>): Row[] => {
    const rows = directories.rows.get(name)!;
    const out: Row[] = [];
    for (const id of ids) {
      const row = rows.get(id);
      if (row) out.push(row);
    }
    return out;
  };
  const ancestorsOf = (t: Tree, nodes: readonly (string | null)[]): Row[] => rowsOf(t, new Set(nodes.flatMap((node) => (node === null ? [] : (directories.ancestors.get(t)!.get(node) ?? [])))));
  const products = rowsOf('products', productIds);
  const groupColumn = columnOf('products', 'group');
  for (const t of trees) {
    if (t !== 'productGroups') found.set(t, ancestorsOf(t, [text(partner[t === 'regions' ? 'region' : 'group'])]));
    else if (productIds.length)
      found.set(
        t,
        ancestorsOf(
          t,
          products.map((p) => text(p[groupColumn])),
        ),
      );
  }
  if (productIds.length) found.set('products', products);
  return found;
}

/**
 * The partner and what the rules read of it (partner-reads.ts), by key, in statements sent together
 * (read-parts.ts): the facts, properties and scores they use, the products it bought when a
 * rule filters by product, the ancestors of its nodes (and its products' groups) in the
 * hierarchies they use, from the closure tables, and the memberships of the segments they
 * read — from the in-process copy of the compositions where there is one (membership-copy.ts,
 * whose fingerprints are read with the rest), by key otherwise. Null when there is no such
 * partner.
 */
export async function readPartnerWorld(q: Queryable, partnerId: string, catalog: RuleCatalog, rules: readonly NamedRule[]): Promise<World | null> {
  const reads = partnerReads(rules, catalog);
  const all = reads.everything;
  const types = catalog.properties.partner;
  const wantedProperties = all ? [...types.keys()] : [...reads.properties].filter((name) => types.has(name));
  const withProducts = all || reads.products;
  const facts: Fact[] = (['sales', 'interactions', 'settlements', 'deals'] as const).filter((f) => all || reads.facts.has(f) || (f === 'sales' && withProducts));
  const trees = (['partnerGroups', 'regions', 'productGroups'] as const).filter((t) => all || reads.trees.has(t));
  const ancestors = (t: Tree, nodes: Sql): ReadPart => entityPart(t, t, sql`id IN (SELECT ancestor_id FROM ${sql.raw(`${ENTITIES[t].table}_closure`)} WHERE descendant_id IN (${nodes}))`);
  const copy = membershipCopy(q);
  const ofKind = (kind: string) => reads.segments.filter((id) => catalog.segments.get(id)?.kind === kind);
  // Memberships by key where there is no copy (PostgreSQL's index, or a transaction).
  const membersPart = (name: string, segments: readonly string[], members: readonly string[]): ReadPart => ({
    name,
    from: sql.raw('segment_members'),
    where: sql`segment_id IN (${sql.list([...segments])}) AND member_id IN (${sql.list([...members])})`,
    columns: [
      { name: 'segment_id', expression: 'segment_id' },
      { name: 'member_id', expression: 'member_id' },
    ],
  });
  // First the partner's own rows, then what they name (its products, its nodes' ancestors).
  const first: ReadPart[] = [entityPart('partners', 'partners', sql`id = ${partnerId}`), ...facts.map((f) => entityPart(f, f, sql`partner_id = ${partnerId}`))];
  if (wantedProperties.length) {
    first.push({
      name: 'properties',
      from: sql.raw('partner_properties'),
      where: sql`partner_id = ${partnerId} AND name IN (${sql.list(wantedProperties)})`,
      columns: [{ name: 'name', expression: 'name' }, ...(['text', 'number', 'date', 'boolean'] as const).map((t) => ({ name: PROPERTY_VALUE_COLUMNS[t], expression: PROPERTY_VALUE_COLUMNS[t] }))],
    });
  }
  if (all || reads.scores) {
    first.push({
      name: 'scores',
      from: sql.raw('partner_scores'),
      where: sql`partner_id = ${partnerId}`,
      columns: [
        { name: 'score', expression: 'score' },
        { name: 'value', expression: 'value' },
      ],
    });
  }
  const fingerprints = copy?.fingerprintsPart(q, reads.segments);
  if (fingerprints) first.push(fingerprints);
  if (!copy && ofKind('partner').length) first.push(membersPart('memberships', ofKind('partner'), [partnerId]));
  const writes = copy?.writeCount ?? 0;
  const rows = await readParts(q, first);
  const [partnerRow] = rows.get('partners') ?? [];
  if (!partnerRow) return null;
  const partner = recordOf('partners', partnerRow);
  const sales = (rows.get('sales') ?? []).map((r) => recordOf('sales', r));
  const productIds = withProducts ? [...new Set(sales.map((s) => String(s.product)))] : [];
  const second: ReadPart[] = [];
  const directories = copy && (trees.length || productIds.length) ? await directoriesCopy(q)?.current() : undefined;
  if (directories) {
    // From the in-process copy of the directories (directories-copy.ts): no statement.
    for (const [name, found] of directoryRows(directories, trees, partner, productIds)) rows.set(name, found);
  } else {
    for (const t of trees) {
      const node = t === 'productGroups' ? null : text(partner[t === 'regions' ? 'region' : 'group']);
      if (node !== null) second.push(ancestors(t, sql`${node}`));
    }
    if (productIds.length) {
      second.push(entityPart('products', 'products', sql`id IN (${sql.list(productIds)})`));
      if (trees.includes('productGroups')) second.push(ancestors('productGroups', sql`SELECT ${sql.raw(columnOf('products', 'group'))} FROM products WHERE id IN (${sql.list(productIds)})`));
    }
  }
  if (!copy && productIds.length && ofKind('product').length) second.push(membersPart('productMemberships', ofKind('product'), productIds));
  for (const [name, found] of second.length ? await readParts(q, second) : []) rows.set(name, found);
  const of = (name: string): Row[] => rows.get(name) ?? [];
  const properties: Record<string, PropertyValue> = {};
  for (const row of of('properties')) {
    const type = types.get(String(row.name));
    if (type) properties[String(row.name)] = row[PROPERTY_VALUE_COLUMNS[type === 'string' ? 'text' : type]] ?? null;
  }
  const products: Record<string, unknown>[] = of('products').map((p) => ({ ...recordOf('products', p), properties: {} }));
  const members = copy
    ? await copy.memberships(q, reads.segments, [partnerId, ...productIds], fingerprints ? { fingerprints: of('fingerprints'), writes } : undefined)
    : [...of('memberships'), ...of('productMemberships')].map((r) => ({ segmentId: String(r.segment_id), memberId: String(r.member_id) }));
  const world = {
    partnerGroups: of('partnerGroups').map((r) => recordOf('partnerGroups', r)),
    regions: of('regions').map((r) => recordOf('regions', r)),
    productGroups: of('productGroups').map((r) => recordOf('productGroups', r)),
    partners: [{ ...partner, properties }],
    products,
    sales,
    interactions: of('interactions').map((r) => recordOf('interactions', r)),
    settlements: of('settlements').map((r) => recordOf('settlements', r)),
    deals: of('deals').map((r) => recordOf('deals', r)),
    propertyDefinitions: (['partner', 'product'] as const).flatMap((kind) =>
      [...catalog.properties[kind]].map(([name, type]) => ({ entity: kind === 'partner' ? ('partners' as const) : ('products' as const), name, type })),
    ),
    segments: [...catalog.segments.values()],
    segmentMembers: members,
    partnerScores: of('scores').map((s) => ({ partnerId, score: String(s.score), value: Number(s.value) })),
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
