import { KeyedMutex } from '../../scheduling/keyed-mutex.js';
import { createTemporaryTable } from '../../sql/compile/rule-set.js';
import { inChunks } from '../../sql/in-chunks.js';
import type { Queryable, Row } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { Database, Session } from '../../storage/database.js';
import { afterTransaction } from '../../storage/transaction.js';
import { failpoint } from './failpoint.js';
import type { MembersSource } from './membership-source.js';
import { referencedSegmentIds } from './definition-checks.js';
import { recordSmallChange, recordSwapEvents } from './outbox.js';
import { markChangedPartners, markPartnerIds } from './partner-changes.js';
import { finishRunsFrom } from './runs.js';
import { sqlTimestamp } from './segments.repository.js';

/**
 * The one place stored compositions change (`segment_members` with `segment_history`): a
 * rebuild's swap — one segment or a hundred, a single rebuild is a batch of one — and the small
 * additions and removals of check on create and manual segments. Each hands back who entered
 * and who left; a listener hears the ids inside the transaction that wrote them (the point
 * where segment events are emitted).
 */

/**
 * Where no unique index keeps (segment, member) unique (DuckDB: `Dialect.indexesOnRewrittenTables`),
 * two transactions writing one segment's composition at once would each find a member missing
 * in their own snapshot and both store it. So this process (the one that holds DuckDB's file)
 * writes a segment's composition one transaction at a time: the lock is taken before the
 * transaction begins, so its snapshot sees the previous writer's commit. Several segments (a
 * batch) are locked in sorted order. PostgreSQL keeps its unique index instead; there PGlite's
 * single connection would make a lock taken before BEGIN wait on a transaction waiting for it.
 */
const writing = new KeyedMutex<string>();
/** Segments locked by a transaction someone else opened (check on create in an import), until it ends. */
const heldBy = new WeakMap<object, Set<string>>();
const locksCompositions = (q: Queryable): boolean => !q.dialect.indexesOnRewrittenTables;

/** `, member_key` where the dialect keeps member keys (migration 26), for a writer's column list. */
export const keyColumn = (q: Queryable): string => (q.dialect.memberKey ? ', member_key' : '');
/** `, <the key of idSql>` where the dialect keeps member keys, for the writer's values. */
export const keyOf = (q: Queryable, idSql: string): string => (q.dialect.memberKey ? `, ${q.dialect.memberKey.of(idSql)}` : '');

/** Runs `write`, which opens a transaction writing these segments' compositions, as their only writer in this process. */
export async function writingCompositions<T>(q: Queryable, segmentIds: Iterable<string>, write: () => Promise<T>): Promise<T> {
  return locksCompositions(q) ? writing.withLock(segmentIds, write) : write();
}

/**
 * Where other processes write too (PostgreSQL), one writer of a segment's composition at a time
 * across them: a lock held until `tx` ends, taken before the members are read, so that two manual
 * additions of the same partner cannot both find it absent.
 */
async function lockInTransaction(tx: Queryable, segmentId: string): Promise<void> {
  if (tx.dialect.transactionLock) await tx.run(tx.dialect.transactionLock, [`segment-members:${segmentId}`]);
}

/**
 * For additions inside a transaction the caller opened (check on create in an import): locks
 * the segments until `tx` ends — at once, all of them, so a second call in the same transaction
 * takes no more — and returns the release for a `tx` that is no transaction (autocommit), a
 * no-op otherwise. Its snapshot may predate a composition committed meanwhile: addToComposition
 * also reads the committed members (its `committed`).
 */
export async function holdCompositions(tx: Queryable, segmentIds: Iterable<string>): Promise<() => void> {
  if (!locksCompositions(tx)) return () => undefined;
  const held = heldBy.get(tx) ?? new Set<string>();
  const missing = [...segmentIds].filter((id) => !held.has(id));
  if (missing.length === 0) return () => undefined;
  const release = await writing.lock(missing);
  for (const id of missing) held.add(id);
  heldBy.set(tx, held);
  const end = () => {
    for (const id of missing) held.delete(id);
    release();
  };
  return afterTransaction(tx, end) ? () => undefined : end;
}

/** Who entered and who left one segment in one change, ids sorted. */
export interface CompositionChange {
  readonly segmentId: string;
  /** The rebuild's run; null for check on create, manual edits and "fill by rule". */
  readonly runId: number | null;
  readonly entered: readonly string[];
  readonly left: readonly string[];
}

/** Hears each segment's change inside the writing transaction; throwing rolls the change back. */
export type CompositionListener = (tx: Queryable, change: CompositionChange) => Promise<void> | void;

/**
 * The steps of one rebuild, in order: evaluating the rule (its measures and conditions, in one
 * query; a custom SQL segment's query), comparing with the stored list (who enters, who
 * leaves), writing the history, replacing the composition, recording the run.
 */
export const REBUILD_STAGES = ['evaluating', 'comparing', 'history', 'composition', 'finishing'] as const;
export type RebuildStage = (typeof REBUILD_STAGES)[number];
/** Told as a rebuild reaches each stage (a Generate job's progress). */
export type RebuildListener = (stage: RebuildStage) => void;

export interface SwapCounts {
  readonly size: number;
  readonly entered: number;
  readonly left: number;
}

/** The new compositions to swap in: (segment_id, member_id), one row per member. */
export const STAGED_MEMBERS = 'refresh_new';
/** The segments being swapped, with their runs (run_id null: no run is recorded). */
const STAGED_RUNS = 'refresh_runs';
/** A partial swap's stored memberships of the evaluated partners. */
const STORED_MEMBERS = 'refresh_stored';
/** A partial swap's count of every segment's stored members, before it wrote (`sizeSegments`). */
const STORED_SIZES = 'refresh_stored_sizes';
/** A partial swap's who entered and who left, in one table (`compareWithin`). */
const MOVED_MEMBERS = 'refresh_moved';
const WORK_TABLES = [
  STAGED_MEMBERS,
  STAGED_RUNS,
  STORED_MEMBERS,
  `${STORED_MEMBERS}_by_key`,
  STORED_SIZES,
  MOVED_MEMBERS,
  'refresh_sizes',
  'refresh_entered',
  'refresh_left',
  'refresh_counts',
  'refresh_versions',
];

/**
 * A transaction in which a partial swap counted every segment's stored members (STORED_SIZES),
 * with the segments it swapped: until the swap's transaction ends, the others' sizes are read
 * from that count (`compositionSizes`).
 */
const countedBeforeSwap = new WeakMap<Queryable, ReadonlySet<string>>();

/** The segments a swap replaces (those without new members end empty), with their runs. */
export async function stageRuns(session: Queryable, runs: ReadonlyMap<string, number | null>): Promise<void> {
  await session.run(`DROP TABLE IF EXISTS ${STAGED_RUNS}`);
  await session.run(`CREATE TEMPORARY TABLE ${STAGED_RUNS} (segment_id ${session.dialect.columnType('text')} NOT NULL, run_id BIGINT)`);
  await inChunks([...runs], 500, (chunk) =>
    session.run(sql`INSERT INTO ${sql.raw(STAGED_RUNS)} (segment_id, run_id) VALUES ${sql.join(chunk.map(([id, run]) => sql`(${id}, CAST(${run} AS BIGINT))`))}`),
  );
}

/** One segment's new members (a query or ids) as the staged compositions. */
export async function stageMembers(session: Queryable, segmentId: string, source: MembersSource): Promise<void> {
  const text = session.dialect.columnType('text');
  await session.run(`DROP TABLE IF EXISTS ${STAGED_MEMBERS}`);
  await session.run(`CREATE TEMPORARY TABLE ${STAGED_MEMBERS} (segment_id ${text} NOT NULL, member_id ${text} NOT NULL)`);
  const segment = sql.param(segmentId);
  if ('ids' in source) {
    await inChunks([...new Set(source.ids)], 1000, (chunk) =>
      session.run(sql`INSERT INTO ${sql.raw(STAGED_MEMBERS)} (segment_id, member_id) VALUES ${sql.join(chunk.map((id) => sql`(${segment}, ${id})`))}`),
    );
  } else {
    await session.run(sql`INSERT INTO ${sql.raw(STAGED_MEMBERS)} (segment_id, member_id) SELECT DISTINCT CAST(${segment} AS ${sql.raw(text)}), id FROM (${sql.embed(source)}) q`);
  }
  // A temporary table has no statistics: without them PostgreSQL plans the comparisons blind.
  for (const statement of session.dialect.analyze(STAGED_MEMBERS)) await session.run(statement);
}

export async function dropStaged(session: Queryable): Promise<void> {
  for (const table of WORK_TABLES) await session.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
}

export interface SwapOptions {
  /** When the members entered or left (`sqlTimestamp`). */
  readonly at: string;
  /** When the rebuild started: the runs' duration is counted from it. */
  readonly started: Date;
  readonly onStage?: RebuildListener;
  /** Given: each changed segment's entered and left ids are read and handed to it. */
  readonly onChange?: CompositionListener;
  /**
   * A partial swap (incremental refresh): a temporary table of the partners evaluated (column
   * `partner_id`); the staged members are those of them, and members outside it stay.
   */
  readonly within?: string;
  /** More work for the swap's transaction, after it (incremental refresh clears its dirty set there). */
  readonly alsoInTransaction?: (tx: Queryable) => Promise<void>;
}

/**
 * Replaces the compositions of the staged segments with the staged members in one transaction,
 * writing history and finishing their runs ok: readers see the old compositions or the new
 * ones; a failure (or a killed process) leaves the old ones. Returns each segment's counts.
 */
export async function swapStaged(session: Session, options: SwapOptions): Promise<Map<string, SwapCounts>> {
  const segments = (await session.query<{ segment_id: string }>(`SELECT segment_id FROM ${STAGED_RUNS}`)).map((r) => r.segment_id);
  const rows = await writingCompositions(session, segments, () => session.transaction((tx) => swapInTransaction(tx, options)));
  await analyzeAfterMany(session, rows);
  return countsOf(rows);
}

/**
 * One segment's composition replaced by `source` (a batch of one), in one transaction that
 * also stages it (its temporary tables go with the transaction): its run finished ok when
 * `runId` is given.
 */
export async function replaceComposition(
  db: Database,
  segmentId: string,
  source: MembersSource,
  options: Omit<SwapOptions, 'at'> & { readonly runId: number | null; readonly at?: string },
): Promise<SwapCounts> {
  const rows = await writingCompositions(db, [segmentId], () =>
    db.transaction(async (tx) => {
      await stageRuns(tx, new Map([[segmentId, options.runId]]));
      await stageMembers(tx, segmentId, source);
      const counted = await swapInTransaction(tx, { ...options, at: options.at ?? sqlTimestamp(options.started) });
      await dropStaged(tx);
      return counted;
    }),
  );
  await analyzeAfterMany(db, rows);
  return countsOf(rows).get(segmentId) ?? { size: 0, entered: 0, left: 0 };
}

interface CountRow {
  readonly segment_id: string;
  readonly size: number;
  readonly entered: number;
  readonly left_count: number;
}

/** The swap, its runs finished and its listener told, inside the caller's transaction. */
async function swapInTransaction(tx: Queryable, options: SwapOptions): Promise<CountRow[]> {
  try {
    await swapCompositions(tx, options);
    await finishRunsFrom(tx, 'refresh_counts', Date.now() - options.started.getTime());
    // The events outbox, in this transaction: every path that swaps compositions passes here.
    await recordSwapEvents(tx, options.at);
    await markForReaders(tx);
    if (options.onChange) for (const change of await readChanges(tx)) await options.onChange(tx, change);
    await options.alsoInTransaction?.(tx);
    return await tx.query<CountRow & Row>('SELECT segment_id, size, entered, left_count FROM refresh_counts');
  } finally {
    // A session's transactions share its Queryable: the next one must count again.
    countedBeforeSwap.delete(tx);
  }
}

/**
 * The sizes of these stored compositions as `q` sees them (0 for none). Inside a partial
 * swap's transaction on an engine without indexes on segment_members, the segments it did not
 * swap are read from the count it made before writing: the transaction's snapshot is fixed and
 * the swap wrote none of them, so a second grouped scan of every membership would find the same.
 */
export async function compositionSizes(q: Queryable, segmentIds: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map(segmentIds.map((id) => [id, 0]));
  if (segmentIds.length === 0) return sizes;
  const swapped = countedBeforeSwap.get(q);
  const counted =
    swapped && segmentIds.every((id) => !swapped.has(id))
      ? await q.query<{ segment_id: string; size: number }>(`SELECT segment_id, size FROM ${STORED_SIZES}`)
      : q.dialect.indexesOnRewrittenTables
        ? // Through the key index.
          await q.query<{ segment_id: string; size: number }>(sql`SELECT segment_id, COUNT(*) AS size FROM segment_members WHERE segment_id IN (${sql.list([...segmentIds])}) GROUP BY segment_id`)
        : // One grouped scan of every membership: cheaper than filtering it by a list of segments.
          await q.query<{ segment_id: string; size: number }>('SELECT segment_id, COUNT(*) AS size FROM segment_members GROUP BY segment_id');
  for (const row of counted) if (sizes.has(row.segment_id)) sizes.set(row.segment_id, Number(row.size));
  return sizes;
}

/**
 * Many memberships changed: stale statistics would mislead the planner of the next refresh (a
 * table thought empty joined by nested loops).
 */
async function analyzeAfterMany(q: Queryable, rows: readonly CountRow[]): Promise<void> {
  const changed = rows.reduce((sum, r) => sum + Number(r.entered) + Number(r.left_count), 0);
  if (changed > 10_000) for (const statement of q.dialect.analyze('segment_members')) await q.run(statement);
}

const countsOf = (rows: readonly CountRow[]): Map<string, SwapCounts> => new Map(rows.map((r) => [r.segment_id, { size: Number(r.size), entered: Number(r.entered), left: Number(r.left_count) }]));

/**
 * The swap itself, from the staged tables; leaves each segment's size and changes in
 * `refresh_counts`. Call inside a transaction.
 */
async function swapCompositions(tx: Queryable, options: SwapOptions): Promise<void> {
  const sameMember = (alias: string) => `m.segment_id = ${alias}.segment_id AND m.member_id = ${alias}.member_id`;
  const none = { params: [] };
  options.onStage?.('comparing');
  // Who left is deleted by the place of their row where the engine names one (Dialect.rowId).
  const rowId = tx.dialect.rowId;
  if (options.within) {
    // A partial swap reads the stored memberships of the evaluated partners once, in one scan
    // of segment_members (DuckDB keeps no index on it), and compares among those few rows only.
    // Of every segment: the sizes and the comparison join them to the swapped ones, and a join
    // here would decode and hash every row's segment too.
    await readStoredWithin(tx, options.within, rowId);
    await sizeSegments(tx, options.within);
    await compareWithin(tx, rowId);
  } else {
    await sizeSegments(tx, undefined);
    await createTemporaryTable(tx, 'refresh_entered', {
      sql:
        `SELECT n.segment_id, n.member_id FROM ${STAGED_MEMBERS} n JOIN refresh_sizes c ON c.segment_id = n.segment_id AND c.changed ` +
        `WHERE NOT EXISTS (SELECT 1 FROM segment_members m WHERE ${sameMember('n')})`,
      ...none,
    });
    await createTemporaryTable(tx, 'refresh_left', {
      sql:
        `SELECT ${rowId ? `m.${rowId} AS row_id, ` : ''}m.segment_id, m.member_id FROM segment_members m JOIN refresh_sizes c ON c.segment_id = m.segment_id AND c.changed ` +
        `WHERE NOT EXISTS (SELECT 1 FROM ${STAGED_MEMBERS} n WHERE n.segment_id = m.segment_id AND n.member_id = m.member_id)`,
      ...none,
    });
  }
  options.onStage?.('history');
  const when = sql`CAST(${options.at} AS TIMESTAMP)`;
  const runs = sql.raw(STAGED_RUNS);
  await tx.run(
    sql`INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id)
     SELECT e.segment_id, e.member_id, 'entered', ${when}, r.run_id FROM refresh_entered e JOIN ${runs} r ON r.segment_id = e.segment_id`,
  );
  await tx.run(
    sql`INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id)
     SELECT l.segment_id, l.member_id, 'left', ${when}, r.run_id FROM refresh_left l JOIN ${runs} r ON r.segment_id = l.segment_id`,
  );
  options.onStage?.('composition');
  await tx.run(
    rowId
      ? `DELETE FROM segment_members WHERE ${rowId} IN (SELECT l.row_id FROM refresh_left l)`
      : // EXISTS, not IN: PostgreSQL runs IN over a large subquery of pairs as a nested loop (minutes at 500k members).
        'DELETE FROM segment_members WHERE EXISTS (SELECT 1 FROM refresh_left l WHERE l.segment_id = segment_members.segment_id AND l.member_id = segment_members.member_id)',
  );
  // Half-way: the old members are gone inside the transaction, the new ones not yet in.
  await failpoint('rebuild-half-done');
  // Checked again where another connection may have committed one of them since (a check on
  // create, PostgreSQL); where this process is the only writer (locksCompositions) the
  // transaction's own comparison holds, and the check would be one more scan of every
  // membership. In key order, so that a first refresh of millions of members fills the key
  // index sequentially.
  const recheck = locksCompositions(tx) ? sql`` : sql`WHERE NOT EXISTS (SELECT 1 FROM segment_members m WHERE ${sql.raw(sameMember('e'))})`;
  await tx.run(
    sql`INSERT INTO segment_members (segment_id, member_id, added_at${sql.raw(keyColumn(tx))})
     SELECT e.segment_id, e.member_id, ${when}${sql.raw(keyOf(tx, 'e.member_id'))} FROM refresh_entered e ${recheck}
     ORDER BY e.segment_id, e.member_id`,
  );
  options.onStage?.('finishing');
  const count = (table: string, column: string) => `LEFT JOIN (SELECT segment_id, COUNT(*) AS ${column} FROM ${table} GROUP BY segment_id) ${column}_c ON ${column}_c.segment_id = r.segment_id`;
  await createTemporaryTable(tx, 'refresh_counts', {
    // The new sizes were counted with the signatures (refresh_sizes).
    sql:
      'SELECT r.segment_id, r.run_id, s.size, COALESCE(entered_c.entered, 0) AS entered, COALESCE(left_count_c.left_count, 0) AS left_count ' +
      `FROM ${STAGED_RUNS} r JOIN refresh_sizes s ON s.segment_id = r.segment_id ${count('refresh_entered', 'entered')} ${count('refresh_left', 'left_count')}`,
    ...none,
  });
}

/**
 * A partial swap's stored memberships of the evaluated partners (`within`), of every segment —
 * the sizes and the comparison join them to the swapped ones — into STORED_MEMBERS. Where the
 * dialect keeps member keys, by the key: integers joined, the ids neither decoded nor hashed
 * (the semi-join on the ids hashed all 10.8M id strings at 1M; docs/benchmarks.md, "Incremental
 * pass, session 14"). Exact: a key is NULL or its row's id's (every writer computes it from the
 * id, nothing updates an id) and stands for one id only, so the id is the evaluated partner's.
 * Rows without a key are read by their id, and only when there are any.
 */
async function readStoredWithin(tx: Queryable, within: string, rowId: string | null): Promise<void> {
  const row = rowId ? `m.${rowId} AS row_id, ` : '';
  const byId = (extra: string) => `SELECT ${row}m.segment_id, m.member_id FROM segment_members m WHERE ${extra}m.member_id IN (SELECT d.partner_id FROM ${within} d)`;
  const key = tx.dialect.memberKey;
  if (!key) {
    await createTemporaryTable(tx, STORED_MEMBERS, { sql: byId(''), params: [] });
    return;
  }
  // From the column's statistics where every row has a key: no scan.
  const [keyless] = await tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM segment_members WHERE member_key IS NULL');
  await createTemporaryTable(tx, STORED_MEMBERS, {
    sql:
      `SELECT ${row}m.segment_id, d.partner_id AS member_id FROM segment_members m JOIN (SELECT partner_id, ${key.of('partner_id')} AS member_key FROM ${within}) d ON d.member_key = m.member_key` +
      (Number(keyless?.n ?? 0) > 0 ? ` UNION ALL ${byId('m.member_key IS NULL AND ')}` : ''),
    params: [],
  });
}

/**
 * Every staged segment with its new size and whether its new composition differs from the
 * stored one, into `refresh_sizes` (`changed`): compared by size and by the sum of a 64-bit
 * hash of the members, so that the two anti-joins that find who entered and who left (seconds
 * over 10 million memberships) read only the segments that changed — in a scheduled refresh,
 * few of them. Two different sets of the same size pass for equal only if their hash sums
 * collide (odds about 2^-64).
 */
async function sizeSegments(tx: Queryable, within: string | undefined): Promise<void> {
  const hash = (expression: string) => tx.dialect.hash64(expression);
  const signature = (alias: string, from: string) => `SELECT ${alias}.segment_id, COUNT(*) AS size, SUM(${hash(`${alias}.member_id`)}) AS members FROM ${from} GROUP BY ${alias}.segment_id`;
  const stored = `segment_members m JOIN ${STAGED_RUNS} rr ON rr.segment_id = m.segment_id`;
  // A partial swap compares the evaluated partners only (their stored memberships, read
  // before); the others keep their memberships.
  const compared = within ? `${STORED_MEMBERS} m` : stored;
  let total = '';
  if (within) {
    // The stored sizes: through the key index where there is one, else in one grouped scan of
    // every segment's memberships (cheaper than joining each row to the segments swapped), kept
    // for the sizes of the segments this transaction leaves alone (compositionSizes).
    const everySegment = !tx.dialect.indexesOnRewrittenTables;
    await createTemporaryTable(tx, STORED_SIZES, { sql: `SELECT m.segment_id, COUNT(*) AS size FROM ${everySegment ? 'segment_members m' : stored} GROUP BY m.segment_id`, params: [] });
    if (everySegment) countedBeforeSwap.set(tx, new Set((await tx.query<{ segment_id: string }>(`SELECT segment_id FROM ${STAGED_RUNS}`)).map((r) => r.segment_id)));
    total = ` LEFT JOIN ${STORED_SIZES} t ON t.segment_id = r.segment_id`;
  }
  const size = within ? 'COALESCE(t.size, 0) - COALESCE(b.size, 0) + COALESCE(a.size, 0)' : 'COALESCE(a.size, 0)';
  await createTemporaryTable(tx, 'refresh_sizes', {
    sql:
      `SELECT r.segment_id, ${size} AS size, ` +
      '(COALESCE(a.size, 0) <> COALESCE(b.size, 0) OR COALESCE(a.members, 0) <> COALESCE(b.members, 0)) AS changed FROM refresh_runs r ' +
      `LEFT JOIN (${signature('n', `${STAGED_MEMBERS} n`)}) a ON a.segment_id = r.segment_id ` +
      `LEFT JOIN (${signature('m', compared)}) b ON b.segment_id = r.segment_id` +
      total,
    params: [],
  });
}

/**
 * A partial swap's who entered and who left (`refresh_entered`, `refresh_left` with the row of
 * each who left where the engine names one), of the segments that changed: one full join of
 * the new memberships of the evaluated partners with their stored ones (STORED_MEMBERS), the
 * rows without a partner on the other side — instead of two anti-joins, each a correlated
 * NOT EXISTS that DuckDB plans with a delim join (2–3× the full join's time).
 */
async function compareWithin(tx: Queryable, rowId: string | null): Promise<void> {
  const changed = (table: string, columns: string) => `SELECT ${columns} FROM ${table} x JOIN refresh_sizes c ON c.segment_id = x.segment_id AND c.changed`;
  const row = rowId ? 'row_id, ' : '';
  await createTemporaryTable(tx, MOVED_MEMBERS, {
    // segment_id is never null on either side (the join to refresh_sizes): null there means no partner.
    sql:
      `SELECT COALESCE(n.segment_id, m.segment_id) AS segment_id, COALESCE(n.member_id, m.member_id) AS member_id, ${rowId ? 'm.row_id, ' : ''}n.segment_id IS NULL AS gone ` +
      `FROM (${changed(STAGED_MEMBERS, 'x.segment_id, x.member_id')}) n FULL JOIN (${changed(STORED_MEMBERS, `${rowId ? 'x.row_id, ' : ''}x.segment_id, x.member_id`)}) m ` +
      'ON m.segment_id = n.segment_id AND m.member_id = n.member_id WHERE n.segment_id IS NULL OR m.segment_id IS NULL',
    params: [],
  });
  await createTemporaryTable(tx, 'refresh_entered', { sql: `SELECT segment_id, member_id FROM ${MOVED_MEMBERS} WHERE NOT gone`, params: [] });
  await createTemporaryTable(tx, 'refresh_left', { sql: `SELECT ${row}segment_id, member_id FROM ${MOVED_MEMBERS} WHERE gone`, params: [] });
}

/**
 * The members who entered or left a segment that a periodic segment outside this swap reads
 * (directly or through dynamic segments) are marked changed: that segment's next incremental
 * refresh evaluates them again — for a product segment, the partners who bought the products
 * that entered or left. Segments swapped together read each other's rules instead.
 */
async function markForReaders(tx: Queryable): Promise<void> {
  const changed = (await tx.query<{ segment_id: string }>('SELECT segment_id FROM refresh_counts WHERE entered + left_count > 0')).map((r) => r.segment_id);
  if (changed.length === 0) return;
  const swapped = new Set((await tx.query<{ segment_id: string }>(`SELECT segment_id FROM ${STAGED_RUNS}`)).map((r) => r.segment_id));
  const read = await segmentsReadByPeriodic(tx, swapped);
  const members = (ids: readonly string[]) =>
    sql`SELECT member_id FROM refresh_entered WHERE segment_id IN (${sql.list(ids)}) UNION ALL SELECT member_id FROM refresh_left WHERE segment_id IN (${sql.list(ids)})`;
  const partners = changed.filter((id) => read.partner.has(id));
  if (partners.length) await markChangedPartners(tx, sql`SELECT c.member_id AS partner_id, CAST(NULL AS DATE) AS due_on FROM (${members(partners)}) c`, 'memberships');
  const products = changed.filter((id) => read.product.has(id));
  if (products.length) {
    await markChangedPartners(tx, sql`SELECT DISTINCT s.partner_id, CAST(NULL AS DATE) AS due_on FROM sales s WHERE s.product_id IN (SELECT c.member_id FROM (${members(products)}) c)`, 'memberships');
  }
}

/**
 * After a hand edit (or a check on create) moved `ids` in or out of `segmentId`, the partners
 * whose verdict that may move are marked changed, as `markForReaders` does after a swap: the
 * members themselves for a partner segment, the buyers of those products for a product segment.
 */
async function markReadersOf(tx: Queryable, segmentId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const read = await segmentsReadByPeriodic(tx, new Set());
  if (read.partner.has(segmentId)) await markPartnerIds(tx, ids, 'memberships');
  else if (read.product.has(segmentId)) {
    await inChunks(ids, 500, (chunk) =>
      markChangedPartners(tx, sql`SELECT DISTINCT s.partner_id, CAST(NULL AS DATE) AS due_on FROM sales s WHERE s.product_id IN (${sql.list(chunk)})`, 'memberships'),
    );
  }
}

/** Partner and product segments that a periodic partner segment other than `except` reads, through dynamic segments (of either kind) too. */
async function segmentsReadByPeriodic(q: Queryable, except: ReadonlySet<string>): Promise<{ partner: Set<string>; product: Set<string> }> {
  const rows = await q.query<{ id: string; kind: string; method: string; rule: string | null; parameters: string | null }>(
    'SELECT id, kind, method, rule, parameters FROM segments WHERE archived IS NOT TRUE',
  );
  const kindOf = new Map(rows.map((r) => [r.id, r.kind]));
  const reads = new Map(
    rows.map((r) => [
      r.id,
      r.rule === null ? [] : referencedSegmentIds({ rule: JSON.parse(r.rule) as unknown, parameters: r.parameters ? (JSON.parse(r.parameters) as Record<string, unknown>) : {} }),
    ]),
  );
  // A dynamic product segment is read through its rule, so what its rule reads is read too.
  const dynamic = new Set(rows.filter((r) => r.method === 'dynamic').map((r) => r.id));
  const found = new Set<string>();
  const visit = (id: string): void => {
    for (const other of reads.get(id) ?? []) {
      if (found.has(other)) continue;
      found.add(other);
      if (dynamic.has(other)) visit(other);
    }
  };
  for (const r of rows) if (r.kind === 'partner' && r.method === 'periodic' && !except.has(r.id)) visit(r.id);
  return { partner: new Set([...found].filter((id) => kindOf.get(id) === 'partner')), product: new Set([...found].filter((id) => kindOf.get(id) === 'product')) };
}

/** Who entered and who left each changed segment, from the swap's tables (read only for a listener). */
async function readChanges(tx: Queryable): Promise<CompositionChange[]> {
  const changes = new Map<string, { runId: number | null; entered: string[]; left: string[] }>();
  const runs = await tx.query<{ segment_id: string; run_id: number | null }>(`SELECT segment_id, run_id FROM ${STAGED_RUNS}`);
  const runOf = new Map(runs.map((r) => [r.segment_id, r.run_id === null ? null : Number(r.run_id)]));
  for (const [table, side] of [
    ['refresh_entered', 'entered'],
    ['refresh_left', 'left'],
  ] as const) {
    const rows = await tx.query<{ segment_id: string; member_id: string }>(`SELECT segment_id, member_id FROM ${table} ORDER BY segment_id, member_id`);
    for (const row of rows) {
      let change = changes.get(row.segment_id);
      if (!change) changes.set(row.segment_id, (change = { runId: runOf.get(row.segment_id) ?? null, entered: [], left: [] }));
      change[side].push(row.member_id);
    }
  }
  return [...changes].map(([segmentId, change]) => ({ segmentId, ...change }));
}

/**
 * Adds ids that are not members yet, each with an "entered" event; returns them (in the order
 * given). Check on create and manual additions; call inside a transaction that writes the
 * segment alone (writingCompositions, holdCompositions). `committed`, another connection, is
 * asked too when the transaction's snapshot may be older than the last composition written.
 */
export async function addToComposition(tx: Queryable, segmentId: string, ids: readonly string[], at: string, onChange?: CompositionListener, committed?: Queryable): Promise<string[]> {
  await lockInTransaction(tx, segmentId);
  const unique = [...new Set(ids)];
  const added: string[] = [];
  const segment = sql.param(segmentId);
  const when = sql`CAST(${sql.param(at)} AS TIMESTAMP)`;
  await inChunks(unique, 500, async (chunk) => {
    const present = new Set((await membersAmong(tx, segmentId, chunk)).map((r) => r.id));
    if (committed && locksCompositions(tx)) for (const r of await membersAmong(committed, segmentId, chunk)) present.add(r.id);
    const fresh = chunk.filter((id) => !present.has(id));
    if (fresh.length === 0) return;
    await tx.run(
      sql`INSERT INTO segment_members (segment_id, member_id, added_at${sql.raw(keyColumn(tx))}) SELECT v.segment_id, v.member_id, v.added_at${sql.raw(keyOf(tx, 'v.member_id'))}
       FROM (VALUES ${sql.join(fresh.map((id) => sql`(${segment}, ${id}, ${when})`))}) v (segment_id, member_id, added_at)`,
    );
    await tx.run(sql`INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id) VALUES ${sql.join(fresh.map((id) => sql`(${segment}, ${id}, 'entered', ${when}, NULL)`))}`);
    added.push(...fresh);
  });
  await recordSmallChange(tx, segmentId, at, [...added].sort(), []);
  await markReadersOf(tx, segmentId, added);
  if (added.length && onChange) await onChange(tx, { segmentId, runId: null, entered: [...added].sort(), left: [] });
  return added;
}

/** Removes the ids that are members, each with a "left" event; returns them. Manual removals; call inside a transaction. */
export async function removeFromComposition(tx: Queryable, segmentId: string, ids: readonly string[], at: string, onChange?: CompositionListener): Promise<string[]> {
  await lockInTransaction(tx, segmentId);
  const unique = [...new Set(ids)];
  const removed: string[] = [];
  await inChunks(unique, 500, async (chunk) => {
    const present = (await membersAmong(tx, segmentId, chunk)).map((r) => r.id);
    if (present.length === 0) return;
    const these = sql`segment_id = ${segmentId} AND member_id IN (${sql.list(present)})`;
    await tx.run(
      sql`INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id) SELECT segment_id, member_id, 'left', CAST(${at} AS TIMESTAMP), NULL FROM segment_members WHERE ${these}`,
    );
    await tx.run(sql`DELETE FROM segment_members WHERE ${these}`);
    removed.push(...present);
  });
  await recordSmallChange(tx, segmentId, at, [], [...removed].sort());
  await markReadersOf(tx, segmentId, removed);
  if (removed.length && onChange) await onChange(tx, { segmentId, runId: null, entered: [], left: [...removed].sort() });
  return removed;
}

function membersAmong(tx: Queryable, segmentId: string, ids: readonly string[]): Promise<{ id: string }[]> {
  return tx.query<{ id: string }>(sql`SELECT member_id AS id FROM segment_members WHERE segment_id = ${segmentId} AND member_id IN (${sql.list(ids)})`);
}
