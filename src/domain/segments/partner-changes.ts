import { randomUUID } from 'node:crypto';
import { ENTITIES, type EntityName } from '../../model/entities.js';
import { todayIso } from '../../rules/calendar.js';
import { CHANGE_KINDS, isChangeKind, type ChangeKind } from '../../rules/rule-reads.js';
import { columnOf } from '../../sql/compile/fact-scans.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql, type Sql } from '../../sql/sql.js';

/**
 * The dirty set of incremental refresh (issue 20, docs/segments.md): which partners' facts a
 * rule may read changed since the stored segments were last brought current. Imports and syncs
 * write it in their own transaction (importer's upsert), and so does a change of a stored
 * segment that other rules read (compositions.ts); an incremental refresh reads it, evaluates
 * the segments for those partners only, and clears what it read in the transaction of its swap.
 *
 * Each writing transaction marks its rows with its own `mark`: a refresh clears the marks it
 * read, never those written meanwhile. A row with no partner stands for every partner. A mark
 * begins with the kind of change it records (`sales/…`, src/rules/rule-reads.ts ChangeKind):
 * a pass leaves alone the segments whose rules read none of the kinds it found. A mark
 * without a kind (written before kinds were recorded) stands for every kind.
 */

const TABLE = 'partner_changes';

/** Columns a marking query selects: `partner_id` (text) and `due_on` (a date, or NULL for now). */
export type MarkedPartners = Sql;

/**
 * Marks the partners a query selects (columns `partner_id`, `due_on`) as changed, in the
 * caller's transaction.
 */
export async function markChangedPartners(tx: Queryable, select: MarkedPartners, kind: ChangeKind): Promise<void> {
  const mark = newMark(kind);
  await tx.run(sql`INSERT INTO partner_changes (partner_id, mark, due_on) SELECT DISTINCT q.partner_id, ${mark}, q.due_on FROM (${select}) q WHERE q.partner_id IS NOT NULL`);
}

/** A mark of one writing call: its kind of change, then a unique id. */
const newMark = (kind: ChangeKind): string => `${kind}/${randomUUID()}`;

/** The mark of sale lines an import appended and copied to `sales_appended` (measure-base.ts): still kind `sales`. */
const APPENDED = 'sales/appended-';

/** Whether a mark records sale lines appended (and copied aside), nothing else. */
export const isAppendedMark = (mark: string): boolean => mark.startsWith(APPENDED);

/**
 * Marks the partners of sale lines just appended — new ids, copied to `sales_appended` in the
 * same transaction — with a mark saying so: a pass whose marks are all such may move kept
 * measures by those lines instead of reading every line (measure-base.ts).
 */
export async function markAppendedSales(tx: Queryable, rows: Sql): Promise<void> {
  const mark = `${APPENDED}${randomUUID()}`;
  await tx.run(
    sql`INSERT INTO partner_changes (partner_id, mark, due_on) SELECT DISTINCT q.partner_id, ${mark}, q.due_on FROM (${factPartners(rows, columnOf('sales', 'date'))}) q WHERE q.partner_id IS NOT NULL`,
  );
}

/** The kind of change a mark records, or null for one that does not say (any kind). */
const kindOfMark = (mark: string): ChangeKind | null => {
  const kind = mark.slice(0, Math.max(0, mark.indexOf('/')));
  return isChangeKind(kind) ? kind : null;
};

/** Marks these partners changed now. */
export async function markPartnerIds(tx: Queryable, ids: readonly string[], kind: ChangeKind): Promise<void> {
  if (ids.length === 0) return;
  const mark = newMark(kind);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = [...new Set(ids.slice(i, i + 500))];
    await tx.run(sql`INSERT INTO partner_changes (partner_id, mark, due_on) VALUES ${sql.join(chunk.map((id) => sql`(${id}, ${mark}, CAST(NULL AS DATE))`))}`);
  }
}

/** Every partner may have changed (a directory a rule reads through changed): the next incremental pass is a full one. */
export async function markEveryPartner(tx: Queryable): Promise<void> {
  await tx.run(sql`INSERT INTO partner_changes (partner_id, mark, due_on) VALUES (NULL, ${randomUUID()}, CAST(NULL AS DATE))`);
}

/**
 * The partners of a fact table's rows, for marking: each now, and once more on the row's date
 * when that is after today (a fact dated in the future starts to count on its date).
 */
export function factPartners(rows: Sql, dateColumn: string): MarkedPartners {
  const today = todayIso();
  const date = sql.raw(`r.${dateColumn}`);
  return sql`SELECT r.partner_id, CAST(NULL AS DATE) AS due_on FROM (${rows}) r
    UNION ALL SELECT r.partner_id, ${date} AS due_on FROM (${rows}) r WHERE ${date} > CAST(${today} AS DATE)`;
}

/** Fact tables a rule reads per partner (each its own kind of change), with the date a fact counts from. */
const PARTNER_FACTS: Readonly<Partial<Record<EntityName, string>>> = {
  sales: columnOf('sales', 'date'),
  interactions: columnOf('interactions', 'date'),
  settlements: columnOf('settlements', 'date'),
  deals: columnOf('deals', 'createdAt'),
};

/** Whether an entity's new and changed rows mark partners (facts, partners): the others matter only when updated. */
export const marksByPartner = (entity: EntityName): boolean => entity === 'partners' || PARTNER_FACTS[entity] !== undefined;

/**
 * Directories a partner rule reads through for many partners at once (a hierarchy's closure,
 * a product's group): a changed row there may change anyone's verdict.
 */
const READ_FOR_EVERYONE = (entity: EntityName): boolean => ENTITIES[entity].hierarchy === true || entity === 'products';

/**
 * Marks what rows of an entity being written (or deleted) change: `rows` selects them with the
 * entity's columns. Facts mark their partners (and their future dates), partners themselves,
 * the directories of READ_FOR_EVERYONE everyone; other entities (prices, names of managers…)
 * change no rule's verdict.
 */
export async function markEntityRows(tx: Queryable, entity: EntityName, rows: Sql): Promise<void> {
  const date = PARTNER_FACTS[entity];
  if (date) await markChangedPartners(tx, factPartners(rows, date), entity as ChangeKind);
  else if (entity === 'partners') await markChangedPartners(tx, sql`SELECT r.id AS partner_id, CAST(NULL AS DATE) AS due_on FROM (${rows}) r`, 'partners');
  else if (READ_FOR_EVERYONE(entity)) {
    const [row] = await tx.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM (${rows}) r`);
    if (Number(row?.n ?? 0) > 0) await markEveryPartner(tx);
  }
}

/** What a refresh read of the dirty set: the marks due, whether one stands for everyone. */
export interface ChangesSnapshot {
  readonly asOf: string;
  /** The marks read: cleared, and only they, when the pass is done. */
  readonly marks: readonly string[];
  /** A mark stands for every partner: evaluate everyone. */
  readonly everyone: boolean;
  /** The kinds of change the marks record (every kind where a mark does not say). */
  readonly kinds: ReadonlySet<ChangeKind>;
  /** Every mark read records appended sale lines (isAppendedMark), and there is one at least. */
  readonly appendedOnly: boolean;
}

const due = (asOf: string) => sql`(due_on IS NULL OR due_on <= CAST(${asOf} AS DATE))`;
/** Marks are one per writing transaction: few, bound as a list. */
const ofMarks = (marks: readonly string[]) => (marks.length ? sql`mark IN (${sql.list(marks)})` : sql`FALSE`);

/** The dirty set due on `asOf`, by its marks. */
export async function snapshotChanges(q: Queryable, asOf: string): Promise<ChangesSnapshot> {
  const rows = await q.query<{ mark: string; everyone: boolean | number }>(
    sql`SELECT mark, MAX(CASE WHEN partner_id IS NULL THEN 1 ELSE 0 END) AS everyone FROM ${sql.raw(TABLE)} WHERE ${due(asOf)} GROUP BY mark`,
  );
  const kinds = rows.map((r) => kindOfMark(r.mark));
  return {
    asOf,
    marks: rows.map((r) => r.mark),
    everyone: rows.some((r) => Number(r.everyone) > 0),
    kinds: new Set(kinds.includes(null) ? CHANGE_KINDS : (kinds as ChangeKind[])),
    appendedOnly: rows.length > 0 && rows.every((r) => isAppendedMark(r.mark)),
  };
}

/** The temporary table of the dirty partners an incremental pass evaluates (column `partner_id`). */
export const DIRTY_PARTNERS = 'refresh_dirty';

/** The snapshot's partners into `refresh_dirty` on the session; returns how many. */
export async function stageChangedPartners(session: Queryable, snapshot: ChangesSnapshot): Promise<number> {
  await session.run(`DROP TABLE IF EXISTS ${DIRTY_PARTNERS}`);
  await session.run(`CREATE TEMPORARY TABLE ${DIRTY_PARTNERS} (partner_id ${session.dialect.columnType('text')} NOT NULL)`);
  await session.run(
    sql`INSERT INTO ${sql.raw(DIRTY_PARTNERS)} (partner_id) SELECT DISTINCT partner_id FROM ${sql.raw(TABLE)} WHERE partner_id IS NOT NULL AND ${ofMarks(snapshot.marks)} AND ${due(snapshot.asOf)}`,
  );
  for (const statement of session.dialect.analyze(DIRTY_PARTNERS)) await session.run(statement);
  const [row] = await session.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${DIRTY_PARTNERS}`);
  return Number(row?.n ?? 0);
}

/** Clears the marks a snapshot read (those due on its date), in the transaction that brought the segments current. */
export async function clearChanges(tx: Queryable, snapshot: ChangesSnapshot): Promise<void> {
  if (snapshot.marks.length === 0) return;
  await tx.run(sql`DELETE FROM ${sql.raw(TABLE)} WHERE ${ofMarks(snapshot.marks)} AND ${due(snapshot.asOf)}`);
}

export async function dropChangedPartners(session: Queryable): Promise<void> {
  await session.run(`DROP TABLE IF EXISTS ${DIRTY_PARTNERS}`).catch(() => undefined);
}

/** How many partners are marked changed (due now), and whether every partner is. */
export async function pendingChanges(q: Queryable, asOf: string = todayIso()): Promise<{ partners: number; everyone: boolean }> {
  const [row] = await q.query<{ partners: number; everyone: number }>(
    sql`SELECT COUNT(DISTINCT partner_id) AS partners, COUNT(*) FILTER (WHERE partner_id IS NULL) AS everyone FROM partner_changes WHERE due_on IS NULL OR due_on <= CAST(${asOf} AS DATE)`,
  );
  return { partners: Number(row?.partners ?? 0), everyone: Number(row?.everyone ?? 0) > 0 };
}
