import type { RuleNode } from '../../rules/ast/rule-node.js';
import type { RuleCatalog } from '../../rules/catalog.js';
import { entityColumns } from '../../model/entities.js';
import { ENTITY_OF_KIND, type RuleKind } from '../../rules/vocabulary/attributes.js';
import type { Queryable, SqlValue } from '../queryable.js';
import type { Dialect } from '../dialect.js';
import { compareIds, type CompiledQuery } from './compile-rule.js';
import { MeasureColumns, type MeasureColumn } from './measure-columns.js';
import { RuleCompiler, type RuleSegments, type Scope } from './rule-compiler.js';

/**
 * Many rules evaluated together (SPEC §2 periodic segments refreshed at scale): their cost
 * grows with the number of distinct measures, not with the number of rules.
 *
 * - Batch plan: every distinct measure (measure × period × where) of all the rules is computed
 *   in one pass over each fact table into a measures table — one row per partner with its
 *   columns and one column per measure — then one query over that table gives a boolean per
 *   rule and row.
 * - Member checks: the same rules for one partner (or a few) in one query whose fact scans
 *   read only those partners' facts.
 */

/** A rule that passed checkRule (parameters folded), under the id its results are reported by. */
export interface NamedRule {
  readonly id: string;
  readonly rule: RuleNode;
}

export interface RuleSetOptions {
  readonly dialect: Dialect;
  readonly catalog: RuleCatalog;
  readonly kind: RuleKind;
  /** The evaluation date, 'YYYY-MM-DD' (resolved). */
  readonly asOf: string;
  /** Stored segments whose compositions are taken to be what their rules select now (see RuleCompiler). */
  readonly ruleSegments?: RuleSegments;
}

/** A query with one boolean column per rule: whether the row's id satisfies it. */
export interface HitsQuery extends CompiledQuery {
  /** rule id → its boolean column; the id column is `id`. */
  readonly columns: ReadonlyMap<string, string>;
}

export interface BatchPlan {
  /** The measures table the hit queries read; create it from `measures` first. */
  readonly table: string;
  /** One row per partner (product): its own columns and every distinct measure's value. */
  readonly measures: CompiledQuery;
  /** The hits of every rule over the measures table. */
  readonly hits: HitsQuery;
  readonly distinctMeasures: number;
  /** Aggregate subqueries over fact tables in the measures query (one per table, per settlement end date). */
  readonly factScans: number;
  /** The measures table's columns: the row's own (`id` first), then each measure's. */
  readonly ownColumns: readonly string[];
  readonly measureColumns: readonly MeasureColumn[];
}

/**
 * Plans rules evaluated together: one measures table, one query of hits over it. Rules of
 * segments in `ruleSegments` that read each other read each other's rules.
 *
 * @example
 * planBatch([{ id: 'big', rule: revenueOver(1e6) }, { id: 'lapsed', rule: daysSinceLastOver(180) }],
 *   { dialect, catalog, kind: 'partner', asOf: '2025-06-30', table: 'refresh_measures' })
 * // → { measures: { sql: 'SELECT t0.*, COALESCE(t1.c0, 0) AS m0, date_diff(…, t1.c1, …) AS m1 FROM partners t0
 * //        LEFT JOIN (SELECT t2.partner_id, SUM(t2.revenue) AS c0, MAX(t2.date) FILTER (…) AS c1 FROM sales t2 …) t1 …' },
 * //    hits: { sql: 'SELECT t3.id AS id, (t3.m0 > …) IS TRUE AS h0, (t3.m1 > …) IS TRUE AS h1 FROM refresh_measures t3', … } }
 */
export function planBatch(rules: readonly NamedRule[], options: RuleSetOptions & { readonly table: string }): BatchPlan {
  const compiler = new RuleCompiler(options);
  const source = compiler.scope({ kind: options.kind });
  const columns = new MeasureColumns(source.measures);
  const scope = compiler.scope({ kind: options.kind, table: options.table, measures: (root) => columns.reader(root) });
  const hits = hitsSelect(compiler, scope, rules);
  // Rendered last: the predicates above decided which measures it computes, and which of the
  // partner's own columns it copies (aliases are unique tokens, columns come from the registry).
  const own = new Set(['id', ...[...hits.sql.matchAll(new RegExp(`\\b${scope.root}\\.(\\w+)`, 'g'))].map((m) => m[1]!)]);
  const copied = entityColumns(ENTITY_OF_KIND[options.kind])
    .map((c) => c.column)
    .filter((c) => own.has(c));
  const measures = compiler.params.finalize(`SELECT ${[...copied.map((c) => `${source.root}.${c}`), ...columns.selectList()].join(', ')} FROM ${source.from()}`);
  return {
    table: options.table,
    measures,
    hits,
    distinctMeasures: columns.size,
    factScans: source.measures.scanCount,
    ownColumns: copied,
    measureColumns: columns.entries(),
  };
}

/** Which members are checked: a list of ids (bound), or an SQL subquery of ids. */
export type MemberSet = { readonly ids: readonly string[] } | { readonly subquery: string };

/**
 * One query checking the members against every rule, reading only their facts: columns `id`
 * and one boolean per rule. Members that do not exist give no row.
 *
 * @example
 * compileMemberChecks([{ id: 'big', rule }, { id: 'perm', rule: permRule }], { …options, members: { ids: ['p1'] } })
 * // → { sql: 'SELECT t0.id AS id, (COALESCE(t1.c0, 0) > …) IS TRUE AS h0, … FROM partners t0
 * //      LEFT JOIN (SELECT t2.partner_id, SUM(t2.revenue) FILTER (WHERE t2.date <= $2) AS c0
 * //      FROM sales t2 WHERE t2.partner_id = $1 GROUP BY t2.partner_id) t1 ON … WHERE t0.id = $1', … }
 */
export function compileMemberChecks(rules: readonly NamedRule[], options: RuleSetOptions & { readonly members: MemberSet }): HitsQuery {
  const compiler = new RuleCompiler(options);
  const { members } = options;
  let filter: string;
  if ('subquery' in members) filter = `IN (${members.subquery})`;
  else if (members.ids.length === 1) filter = `= ${compiler.params.bind(members.ids[0]!, 'text')}`;
  else filter = members.ids.length ? `IN (${compiler.params.bindList([...new Set(members.ids)], 'text')})` : 'IN (NULL)';
  // A set of members is filtered before the joins: tested after them, every row of the table
  // would go through each join first (DuckDB places the semi-join last).
  const table = 'subquery' in members ? `(SELECT * FROM ${ENTITY_OF_KIND[options.kind].table} WHERE id ${filter})` : undefined;
  const scope = compiler.scope({ kind: options.kind, members: filter, ...(table ? { table } : {}) });
  return hitsSelect(compiler, scope, rules, table ? undefined : `${scope.root}.id ${filter}`);
}

function hitsSelect(compiler: RuleCompiler, scope: Scope, rules: readonly NamedRule[], where?: string): HitsQuery {
  const columns = new Map<string, string>();
  const select = [`${scope.root}.id AS id`];
  for (const { id, rule } of rules) {
    if (columns.has(id)) throw new Error(`rule ${id} is given twice`);
    const column = `h${columns.size}`;
    select.push(`${compiler.predicate(rule, scope)} AS ${column}`);
    columns.set(id, column);
  }
  const sql = `SELECT ${select.join(', ')} FROM ${scope.from()}${where ? ` WHERE ${where}` : ''}`;
  return { ...compiler.params.finalize(sql), columns };
}

/**
 * (rule id, member id) for every true hit of a hits table: one pass, whatever the number of
 * rules. Columns `rule_id`, `member_id`.
 */
export function unpivotHits(dialect: Dialect, hitsTable: string, columns: ReadonlyMap<string, string>): CompiledQuery {
  const text = dialect.columnType('text');
  if (columns.size === 0) return { sql: `SELECT CAST(NULL AS ${text}) AS rule_id, CAST(NULL AS ${text}) AS member_id WHERE FALSE`, params: [] };
  // Rule ids are bound, each the label of its column.
  const ids = [...columns.keys()];
  const labelled = [...columns.values()].map((column, i) => ({ column, label: dialect.cast(dialect.placeholder(i + 1), 'text') }));
  return { sql: `SELECT u.label AS rule_id, u.key AS member_id FROM (${dialect.trueColumns(hitsTable, 'id', labelled)}) u`, params: ids };
}

/**
 * The members of each rule, evaluated together by a batch plan on one connection (a session
 * or a transaction: the measures table is temporary). Ids sorted by code point.
 */
export async function selectBatchMembers(session: Queryable, rules: readonly NamedRule[], options: Omit<RuleSetOptions, 'dialect'> & { readonly table?: string }): Promise<Map<string, string[]>> {
  const table = options.table ?? 'rule_set_measures';
  const plan = planBatch(rules, { ...options, table, dialect: session.dialect });
  await createTemporaryTable(session, table, plan.measures);
  try {
    const rows = await session.query(plan.hits.sql, plan.hits.params);
    return membersFromHits(rows, plan.hits.columns);
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

/** The members of each rule for the given members only, in one query reading only their facts. */
export async function selectCheckedMembers(db: Queryable, rules: readonly NamedRule[], options: Omit<RuleSetOptions, 'dialect'> & { readonly members: MemberSet }): Promise<Map<string, string[]>> {
  const hits = compileMemberChecks(rules, { ...options, dialect: db.dialect });
  return membersFromHits(await db.query(hits.sql, hits.params), hits.columns);
}

/** Creates (or replaces) a temporary table from a query, with statistics where the engine needs them. */
export async function createTemporaryTable(session: Queryable, name: string, query: CompiledQuery): Promise<void> {
  await session.run(`DROP TABLE IF EXISTS ${name}`);
  for (const [i, statement] of session.dialect.temporaryTableAs(name, query.sql).entries()) {
    await session.run(statement, i === 0 ? query.params : []);
  }
}

function membersFromHits(rows: readonly Record<string, SqlValue>[], columns: ReadonlyMap<string, string>): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const [id, column] of columns) {
    result.set(
      id,
      rows
        .filter((row) => row[column] === true)
        .map((row) => String(row.id))
        .sort(compareIds),
    );
  }
  return result;
}
