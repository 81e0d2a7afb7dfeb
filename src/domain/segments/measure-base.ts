import type { RuleCatalog } from '../../rules/catalog.js';
import type { MeasureSpec } from '../../sql/compile/measure-spec.js';
import { createTemporaryTable, planBatch, type BatchPlan, type HitsQuery, type NamedRule } from '../../sql/compile/rule-set.js';
import { compileSalesMeasures } from '../../sql/compile/sales-measures.js';
import type { RuleSegments } from '../../sql/compile/rule-compiler.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { Session } from '../../storage/database.js';

/**
 * Measures kept between refresh passes (issue 20, docs/segments.md "Measures kept between
 * passes"). On DuckDB an incremental pass reading the changed partners' sale lines decodes
 * every line (docs/benchmarks.md, session 11). Instead:
 *
 * - a full batch keeps its measures table on disk as the *base* (`measure_base`, 64-bit where
 *   the batch computed 128-bit sums: a plain CAST, which fails rather than loses a digit, so a
 *   base exists only when every value fits), with the sale lines it saw removed from the side
 *   table of appended lines (`sales_appended`, written by imports) in the same snapshot;
 * - an incremental pass whose dirty marks all record appended lines computes the measures of
 *   the side table's lines only, adds them to the base and the deltas of earlier passes
 *   (`measure_deltas`), evaluates the rules over that, and in its swap's transaction appends its
 *   deltas and removes the lines it read from the side table.
 *
 * It does so only when every condition holds (see `keptMeasuresFor` and `planFromBase`),
 * otherwise the pass reads the facts as before and the base goes stale until the next full
 * batch: the base was written on the pass just before (any pass in between consumed changes
 * the base does not hold) and the same evaluation date; every mark read is an appended-lines
 * mark (nobody marked everyone, no line changed, no other fact or directory changed); no
 * segment is evaluated in full; every measure the rules read has a base column; every changed
 * partner has a base row; and, when a rule counts documents, no stored line shares a
 * (partner, document) with an appended one (only then do counts of distinct documents add).
 */

const BASE = 'measure_base';
const DELTAS = 'measure_deltas';
const SIDE = 'sales_appended';
const DESCRIPTION = 'measure_bases';
/** The side lines a full batch's measures saw (its transaction's snapshot). */
const BASE_LINES = 'refresh_base_lines';
/** The side lines an incremental pass reads (one snapshot), its lines' measures, and the combined measures. */
const PASS_LINES = 'refresh_new_lines';
const LINES_MEASURES = 'refresh_lines_measures';
export const COMBINED_MEASURES = 'refresh_combined';
/** A column of the combined table: whether the partner had a base row. */
const KEPT_ROW = 'kept_row_';

/** How the values of one column over disjoint sets of lines make the value over all of them. */
type Combine = 'sum' | 'least' | 'greatest' | 'base';

/** One column of the base. */
interface KeptColumn {
  readonly name: string;
  readonly spec: MeasureSpec;
  /** 0, or 1 for a ratio's denominator. */
  readonly part: number;
  /** The type the batch computed (the combined value is cast back to it). */
  readonly type: string;
  readonly combine: Combine;
  /** Counts distinct documents: adds only when the appended lines' documents are new. */
  readonly documents: boolean;
}

export interface MeasureBase {
  /** The pass whose state base and deltas hold (segment_baselines' numbering). */
  readonly pass: number;
  readonly asOf: string;
  readonly columns: readonly KeptColumn[];
}

/**
 * Sales measures combine by their aggregate (sums and counts add, the days since the last
 * purchase take the least, since the first the greatest — the same asOf); the other sources'
 * are read from the base, their tables not having changed.
 */
function combineOf(measure: MeasureSpec['measure']): { combine: Combine; documents: boolean } {
  switch (measure) {
    case 'sales.revenue':
    case 'sales.quantity':
    case 'sales.cost':
    case 'sales.grossProfit':
      return { combine: 'sum', documents: false };
    case 'sales.documents':
    case 'sales.averageCheck':
      return { combine: 'sum', documents: true };
    case 'sales.daysSinceLast':
      return { combine: 'least', documents: false };
    case 'sales.daysSinceFirst':
      return { combine: 'greatest', documents: false };
    default:
      return { combine: 'base', documents: false };
  }
}

/** A deliberately wrong combination for tests (SEGMENTA_MEASURE_BASE_FAULT): the documents check skipped. */
const skipsDocumentsCheck = (): boolean => process.env.SEGMENTA_MEASURE_BASE_FAULT === 'documents-unchecked';

/**
 * The full batch's measures table, computed in one transaction with the snapshot of the side
 * lines it saw: those lines are in it, and only those are removed from the side table when it
 * is kept (writeMeasureBase).
 */
export async function createMeasuresForBase(session: Session, table: string, plan: BatchPlan): Promise<void> {
  await session.transaction(async (tx) => {
    await createTemporaryTable(tx, table, plan.measures);
    await tx.run(`DROP TABLE IF EXISTS ${BASE_LINES}`);
    await tx.run(`CREATE TEMPORARY TABLE ${BASE_LINES} AS SELECT id FROM ${SIDE}`);
  });
}

/** A 128-bit type as the 64-bit one the base keeps (DuckDB reads those 4× cheaper), others as they are. */
function narrowed(type: string): string {
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(type);
  if (decimal && Number(decimal[1]) > 18) return `DECIMAL(18,${decimal[2]})`;
  return type === 'HUGEINT' ? 'BIGINT' : type;
}

/**
 * Keeps the full batch's measures table (made by createMeasuresForBase) as the base on disk
 * and empties the deltas; returns what describeMeasureBase records in the swap's transaction,
 * or null when there is no base (a value does not fit 64 bits: the CAST fails, DuckDB never
 * rounds a decimal of the same scale). The old description is removed first: until the new one
 * is recorded, no pass reads a base.
 */
export async function writeMeasureBase(session: Session, table: string, plan: BatchPlan, asOf: string): Promise<Omit<MeasureBase, 'pass'> | null> {
  await session.run(`DELETE FROM ${DESCRIPTION}`);
  // DuckDB's catalog: the types the batch computed.
  const types = new Map(
    (await session.query<{ column_name: string; data_type: string }>(sql`SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ${table}`)).map((r) => [r.column_name, r.data_type]),
  );
  const columns: KeptColumn[] = plan.measureColumns.flatMap(({ spec, names }) => names.map((name, part) => ({ name, spec, part, type: types.get(name) ?? 'UNKNOWN', ...combineOf(spec.measure) })));
  // No measure to keep (rules on attributes only), or a column the catalog does not show: no base.
  if (columns.length === 0 || columns.some((c) => c.type === 'UNKNOWN')) return null;
  try {
    await session.transaction(async (tx) => {
      for (const t of [BASE, DELTAS]) await tx.run(`DROP TABLE IF EXISTS ${t}`);
      await tx.run(`CREATE TABLE ${BASE} AS SELECT id AS partner_id, ${columns.map((c) => `CAST(${c.name} AS ${narrowed(c.type)}) AS ${c.name}`).join(', ')} FROM ${table}`);
      await tx.run(`CREATE TABLE ${DELTAS} AS SELECT CAST(NULL AS BIGINT) AS pass, id AS partner_id, ${columns.map((c) => c.name).join(', ')} FROM ${table} WHERE FALSE`);
      await tx.run(`DELETE FROM ${SIDE} WHERE id IN (SELECT id FROM ${BASE_LINES})`);
    });
  } catch {
    // A value beyond 64 bits (or no room to write it): no base, the passes read the facts.
    return null;
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${BASE_LINES}`);
  }
  return { asOf, columns };
}

/** Records a base written by writeMeasureBase as holding the state of `pass`, in the swap's transaction. */
export async function describeMeasureBase(tx: Queryable, base: Omit<MeasureBase, 'pass'>, pass: number): Promise<void> {
  await tx.run(`DELETE FROM ${DESCRIPTION}`);
  await tx.run(sql`INSERT INTO ${sql.raw(DESCRIPTION)} (pass, as_of, columns) VALUES (${pass}, CAST(${base.asOf} AS DATE), ${JSON.stringify(base.columns)})`);
}

/** A pass consumed changes the base holds (a full pass's dirty set, an incremental pass's appended lines): it holds that pass's state. */
export async function moveMeasureBase(tx: Queryable, from: number, to: number): Promise<void> {
  await tx.run(sql`UPDATE ${sql.raw(DESCRIPTION)} SET pass = ${to} WHERE pass = ${from}`);
}

/** The base an incremental pass may read: described, of the pass just before, on the same date; else null. */
export async function keptMeasuresFor(q: Queryable, previousPass: number, asOf: string): Promise<MeasureBase | null> {
  const [row] = await q.query<{ pass: number; as_of: string; columns: string }>(`SELECT pass, CAST(as_of AS VARCHAR) AS as_of, columns FROM ${DESCRIPTION}`);
  if (!row || Number(row.pass) !== previousPass || row.as_of !== asOf) return null;
  return { pass: Number(row.pass), asOf: row.as_of, columns: JSON.parse(row.columns) as KeptColumn[] };
}

export interface KeptPlanOptions {
  readonly catalog: RuleCatalog;
  readonly asOf: string;
  readonly ruleSegments: RuleSegments;
  /** The temporary table of the partners evaluated (column `partner_id`). */
  readonly within: string;
}

/** What the delta path evaluates: the rules over the combined measures, and what its swap's transaction records. */
export interface KeptPlan {
  readonly hits: HitsQuery;
  /** Appends this pass's deltas, removes the lines read from the side table, moves the base to `pass`. */
  readonly record: (tx: Queryable, pass: number) => Promise<void>;
}

/**
 * The rules over the base moved by the appended lines, for the partners `within`: the measures
 * of the side table's lines (one snapshot of it) computed for every base column of sales, the
 * documents check, then base + deltas + those lines combined per column into a measures table
 * the batch plan's hits read. Null when a condition fails (the caller reads the facts).
 */
export async function planFromBase(session: Session, rules: readonly NamedRule[], base: MeasureBase, options: KeptPlanOptions): Promise<KeptPlan | null> {
  const { dialect } = session;
  const plan = planBatch(rules, { dialect, catalog: options.catalog, kind: 'partner', asOf: options.asOf, ruleSegments: options.ruleSegments, table: COMBINED_MEASURES });
  const byKey = new Map(base.columns.map((c) => [`${c.part}:${c.spec.key}`, c]));
  const read = plan.measureColumns.flatMap(({ spec, names }) => names.map((name, part) => ({ name, kept: byKey.get(`${part}:${spec.key}`) })));
  if (read.some((r) => r.kept === undefined)) return null;
  await session.run(`DROP TABLE IF EXISTS ${PASS_LINES}`);
  await session.run(`CREATE TEMPORARY TABLE ${PASS_LINES} AS SELECT * FROM ${SIDE}`);
  if (read.some((r) => r.kept!.documents) && !skipsDocumentsCheck() && !(await documentsAreNew(session))) return null;

  // The appended lines' measures, for every sales column of the base (later passes may read any).
  const sales = base.columns.filter((c) => c.combine !== 'base');
  const asMeasureColumns = new Map<string, { spec: MeasureSpec; names: string[] }>();
  for (const c of sales) {
    const entry = asMeasureColumns.get(c.spec.key) ?? { spec: c.spec, names: [] };
    entry.names[c.part] = c.name;
    asMeasureColumns.set(c.spec.key, entry);
  }
  const lines = compileSalesMeasures([...asMeasureColumns.values()], { dialect, catalog: options.catalog, asOf: options.asOf, salesTable: PASS_LINES });
  await createTemporaryTable(session, LINES_MEASURES, lines);

  const within = `partner_id IN (SELECT partner_id FROM ${options.within})`;
  const kept = [...new Map(read.map((r) => [r.kept!.name, r.kept!])).values()];
  const ofLines = (c: KeptColumn) => (c.combine === 'base' ? `CAST(NULL AS ${c.type}) AS ${c.name}` : c.name);
  const union =
    `SELECT partner_id, 1 AS based, ${kept.map((c) => c.name).join(', ')} FROM ${BASE} WHERE ${within} ` +
    `UNION ALL SELECT partner_id, 0, ${kept.map((c) => c.name).join(', ')} FROM ${DELTAS} WHERE ${within} ` +
    `UNION ALL SELECT partner_id, 0, ${kept.map(ofLines).join(', ')} FROM ${LINES_MEASURES} WHERE ${within}`;
  const aggregate: Record<Combine, string> = { sum: 'SUM', least: 'MIN', greatest: 'MAX', base: 'MAX' };
  const combined =
    `SELECT u.partner_id, MAX(u.based) AS based, ${kept.map((c) => `CAST(${aggregate[c.combine]}(u.${c.name}) AS ${c.type}) AS ${c.name}`).join(', ')} ` + `FROM (${union}) u GROUP BY u.partner_id`;
  const own = plan.ownColumns.map((c) => `p.${c}`);
  await createTemporaryTable(session, COMBINED_MEASURES, {
    sql:
      `SELECT ${[...own, `k.based AS ${KEPT_ROW}`, ...read.map((r) => `k.${r.kept!.name} AS ${r.name}`)].join(', ')} ` +
      `FROM (SELECT ${plan.ownColumns.join(', ')} FROM partners WHERE id IN (SELECT partner_id FROM ${options.within})) p LEFT JOIN (${combined}) k ON k.partner_id = p.id`,
    params: [],
  });
  // A partner the base does not hold (added since): read the facts.
  const [missing] = await session.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${COMBINED_MEASURES} WHERE ${KEPT_ROW} IS NULL`);
  if (Number(missing?.n ?? 0) > 0) return null;

  return {
    hits: plan.hits,
    record: async (tx, pass) => {
      await tx.run(`INSERT INTO ${DELTAS} (pass, partner_id, ${sales.map((c) => c.name).join(', ')}) SELECT ${pass}, partner_id, ${sales.map((c) => c.name).join(', ')} FROM ${LINES_MEASURES}`);
      await tx.run(`DELETE FROM ${SIDE} WHERE id IN (SELECT id FROM ${PASS_LINES})`);
      await moveMeasureBase(tx, base.pass, pass);
    },
  };
}

/**
 * Whether no stored line shares a (partner, document) with an appended one: then the appended
 * lines' distinct documents are new ones and their counts add. Compared by counts: each pair's
 * stored lines are exactly its appended ones (another line makes more, a line gone fewer).
 */
async function documentsAreNew(session: Session): Promise<boolean> {
  const [row] = await session.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM (SELECT partner_id, document, COUNT(*) AS n FROM ${PASS_LINES} GROUP BY partner_id, document) a ` +
      `LEFT JOIN (SELECT s.partner_id, s.document, COUNT(*) AS n FROM sales s ` +
      `SEMI JOIN (SELECT DISTINCT partner_id, document FROM ${PASS_LINES}) a ON a.partner_id = s.partner_id AND a.document = s.document GROUP BY s.partner_id, s.document) s ` +
      `ON s.partner_id = a.partner_id AND s.document = a.document WHERE s.n IS DISTINCT FROM a.n`,
  );
  return Number(row?.n ?? 0) === 0;
}

/** The temporary tables of the delta path, dropped after the pass. */
export const KEPT_PLAN_TABLES = [PASS_LINES, LINES_MEASURES, COMBINED_MEASURES] as const;
