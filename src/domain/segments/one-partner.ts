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

/**
 * An entity's rows as one of the reads: every column, or those of the fields named (a field of
 * flags is its columns). On DuckDB each column of a row read by key costs its own decoding.
 */
const entityPart = (name: string, entity: EntityName, where: Sql, fields?: ReadonlySet<string>): ReadPart => ({
  name,
  from: sql.raw(ENTITIES[entity].table),
  where,
  columns: ENTITIES[entity].fields
    .filter((f) => !fields || fields.has(f.name))
    .flatMap((f) => entityColumns({ ...ENTITIES[entity], fields: [f] }))
    .map((c) => ({ name: c.column, expression: c.column, type: c.type })),
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

/** The SQL type of each property value column. */
const PROPERTY_VALUE_TYPES = { text: 'text', number: 'decimal', date: 'date', boolean: 'boolean' } as const;

/**
 * The partner and what the rules read of it (partner-reads.ts), by key, in one statement
 * (read-parts.ts): the facts, properties and scores they use, the products it bought when a
 * rule filters by product, the ancestors of its nodes (and its products' groups) in the
 * hierarchies they use, from the closure tables, and the memberships of the segments they
 * read — from the in-process copies of the directories and compositions where there are
 * (directories-copy.ts, membership-copy.ts, whose fingerprints are read with the rest), by key
 * otherwise: what the partner's rows name is read through subqueries of the same statement.
 * Null when there is no such partner.
 */
export async function readPartnerWorld(q: Queryable, partnerId: string, catalog: RuleCatalog, rules: readonly NamedRule[]): Promise<World | null> {
  return (await readPartnerWorldWith(q, partnerId, catalog, rules)).world;
}

/** readPartnerWorld, with the rows of another part read in the same statement (`alongside`). */
export async function readPartnerWorldWith(
  q: Queryable,
  partnerId: string,
  catalog: RuleCatalog,
  rules: readonly NamedRule[],
  alongside?: ReadPart,
): Promise<{ world: World | null; alongside: Row[] }> {
  const reads = partnerReads(rules, catalog);
  const all = reads.everything;
  const types = catalog.properties.partner;
  const wantedProperties = all ? [...types.keys()] : [...reads.properties].filter((name) => types.has(name));
  const withProducts = all || reads.products;
  const facts: Fact[] = (['sales', 'interactions', 'settlements', 'deals'] as const).filter((f) => all || reads.facts.has(f) || (f === 'sales' && withProducts));
  const trees = (['partnerGroups', 'regions', 'productGroups'] as const).filter((t) => all || reads.trees.has(t));
  const copy = membershipCopy(q);
  const directories = copy && (trees.length || withProducts) ? await directoriesCopy(q)?.current() : undefined;
  const ofKind = (kind: string) => reads.segments.filter((id) => catalog.segments.get(id)?.kind === kind);
  // One parameter wherever the partner is named: PostgreSQL infers one type for it.
  const partner$ = sql.param(partnerId);
  const boughtIds = sql`SELECT product_id FROM sales WHERE partner_id = ${partner$}`;
  const ancestors = (t: Tree, nodes: Sql): ReadPart => entityPart(t, t, sql`id IN (SELECT ancestor_id FROM ${sql.raw(`${ENTITIES[t].table}_closure`)} WHERE descendant_id IN (${nodes}))`);
  // Memberships by key where there is no copy (PostgreSQL's index, or a transaction).
  const membersPart = (name: string, segments: readonly string[], members: Sql): ReadPart => ({
    name,
    from: sql.raw('segment_members'),
    where: sql`segment_id IN (${sql.list([...segments])}) AND member_id IN (${members})`,
    columns: [
      { name: 'segment_id', expression: 'segment_id', type: 'text' },
      { name: 'member_id', expression: 'member_id', type: 'text' },
    ],
  });
  // Only the fields the rules read (and the partner's id, its nodes where its trees are read).
  const partnerFields = all ? undefined : new Set(['id', ...reads.partnerFields, ...trees.flatMap((t) => (t === 'regions' ? ['region'] : t === 'partnerGroups' ? ['group'] : []))]);
  const factFields = (f: Fact): ReadonlySet<string> | undefined => (all ? undefined : new Set([...(reads.factFields.get(f) ?? []), ...(f === 'sales' && withProducts ? ['product'] : [])]));
  const parts: ReadPart[] = [entityPart('partners', 'partners', sql`id = ${partner$}`, partnerFields), ...facts.map((f) => entityPart(f, f, sql`partner_id = ${partner$}`, factFields(f)))];
  if (wantedProperties.length) {
    parts.push({
      name: 'properties',
      from: sql.raw('partner_properties'),
      where: sql`partner_id = ${partner$} AND name IN (${sql.list(wantedProperties)})`,
      columns: [
        { name: 'name', expression: 'name', type: 'text' },
        ...(['text', 'number', 'date', 'boolean'] as const).map((t) => ({ name: PROPERTY_VALUE_COLUMNS[t], expression: PROPERTY_VALUE_COLUMNS[t], type: PROPERTY_VALUE_TYPES[t] })),
      ],
    });
  }
  if (all || reads.scores) {
    parts.push({
      name: 'scores',
      from: sql.raw('partner_scores'),
      where: sql`partner_id = ${partner$}`,
      columns: [
        { name: 'score', expression: 'score', type: 'text' },
        { name: 'value', expression: 'value', type: 'decimal' },
      ],
    });
  }
  if (!directories) {
    // What the partner's rows name: its nodes' ancestors, the products it bought.
    for (const t of trees) {
      if (t !== 'productGroups') parts.push(ancestors(t, sql`SELECT ${sql.raw(columnOf('partners', t === 'regions' ? 'region' : 'group'))} FROM partners WHERE id = ${partner$}`));
      else if (withProducts) parts.push(ancestors(t, sql`SELECT ${sql.raw(columnOf('products', 'group'))} FROM products WHERE id IN (${boughtIds})`));
    }
    if (withProducts) parts.push(entityPart('products', 'products', sql`id IN (${boughtIds})`));
  }
  const fingerprints = copy?.fingerprintsPart(q, reads.segments);
  if (fingerprints) parts.push(fingerprints);
  if (!copy && ofKind('partner').length) parts.push(membersPart('memberships', ofKind('partner'), sql`${partner$}`));
  if (!copy && withProducts && ofKind('product').length) parts.push(membersPart('productMemberships', ofKind('product'), boughtIds));
  if (alongside) parts.push(alongside);
  const writes = copy?.writeCount ?? 0;
  const rows = await readParts(q, parts);
  const other = alongside ? (rows.get(alongside.name) ?? []) : [];
  const [partnerRow] = rows.get('partners') ?? [];
  if (!partnerRow) return { world: null, alongside: other };
  const partner = recordOf('partners', partnerRow);
  // A fact's partner is not read: it is this one.
  const factRecords = (f: Fact): Record<string, unknown>[] => (rows.get(f) ?? []).map((r) => ({ ...recordOf(f, r), partner: partnerId }));
  const sales = factRecords('sales');
  const productIds = withProducts ? [...new Set(sales.map((s) => String(s.product)))] : [];
  // From the in-process copy of the directories: no statement.
  if (directories) for (const [name, found] of directoryRows(directories, trees, partner, productIds)) rows.set(name, found);
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
    interactions: factRecords('interactions'),
    settlements: factRecords('settlements'),
    deals: factRecords('deals'),
    propertyDefinitions: (['partner', 'product'] as const).flatMap((kind) =>
      [...catalog.properties[kind]].map(([name, type]) => ({ entity: kind === 'partner' ? ('partners' as const) : ('products' as const), name, type })),
    ),
    segments: [...catalog.segments.values()],
    segmentMembers: members,
    partnerScores: of('scores').map((s) => ({ partnerId, score: String(s.score), value: Number(s.value) })),
  };
  return { world: world as unknown as World, alongside: other };
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
  const reads = segmentsReadBy(rules, catalog);
  const evaluator = new ReferenceEvaluator(world, asOf, catalog.scores);
  for (const { id, rule } of rules) {
    if (!evaluator.holds(rule, partner, 'partner')) continue;
    held.add(id);
    // The rules after it see the partner in it.
    if (reads.has(id)) evaluator.addStoredMember(id, partner.id);
  }
  return held;
}

/** The segments the rules read, kept per rules array (a compiled check reuses it). */
const readsByRules = new WeakMap<readonly NamedRule[], ReadonlySet<string>>();
function segmentsReadBy(rules: readonly NamedRule[], catalog: RuleCatalog): ReadonlySet<string> {
  let reads = readsByRules.get(rules);
  if (!reads) {
    reads = segmentsRead(
      catalog,
      rules.map((r) => r.id),
    );
    readsByRules.set(rules, reads);
  }
  return reads;
}
