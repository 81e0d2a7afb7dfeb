import type { Queryable } from '../../sql/queryable.js';
import type { Database } from '../../storage/database.js';
import { DuckDBDatabase } from '../../storage/duckdb-database.js';
import { movedAsideWals } from '../../storage/wal-recovery.js';
import { keyColumn, keyOf } from '../segments/compositions.js';
import { rebuildIndexes, staleIndexes, type StaleIndex } from './index-check.js';

/**
 * `segmenta doctor`: checks that a database's stored compositions, their history and their
 * runs agree (docs/storage.md), and tells what a recovery lost. History is a ledger: a member
 * of a segment has one more "entered" than "left" event, a non-member as many of each.
 */

export interface HistoryMismatch {
  readonly segmentId: string;
  /** Members whose history does not say they entered (balance ≠ 1). */
  readonly membersWithoutHistory: number;
  /** Non-members whose history says they are in (balance ≠ 0). */
  readonly historyWithoutMember: number;
}

export interface DoctorReport {
  readonly database: string;
  /** Logs moved aside because they could not be replayed, this open and earlier ones. */
  readonly walsMovedAside: readonly { file: string; bytes: number }[];
  /** The last run the database still knows (a recovery lost every later one). */
  readonly lastRun: { id: number; segmentId: string; finishedAt: string | null } | null;
  readonly duplicateMemberships: number;
  readonly historyMismatches: readonly HistoryMismatch[];
  /** Memberships and history of segments that do not exist. */
  readonly orphanMemberships: number;
  /** DuckDB secondary indexes that miss rows a scan finds (index-check.ts). */
  readonly staleIndexes: readonly StaleIndex[];
  /** Runs still marked running: interrupted (the scheduler marks them failed when it starts). */
  readonly runningRuns: readonly { id: number; table: 'segment_runs' | 'score_runs'; name: string; startedAt: string }[];
  /** Set with --repair: what was changed. */
  readonly repaired: readonly string[];
  readonly healthy: boolean;
}

const MISMATCHES = `
  WITH h AS (SELECT segment_id, member_id, SUM(CASE WHEN event = 'entered' THEN 1 ELSE -1 END) AS balance FROM segment_history GROUP BY segment_id, member_id),
       m AS (SELECT DISTINCT segment_id, member_id FROM segment_members)
  SELECT COALESCE(m.segment_id, h.segment_id) AS segment_id, m.member_id AS member, h.balance AS balance
  FROM m FULL JOIN h ON m.segment_id = h.segment_id AND m.member_id = h.member_id
  WHERE (m.member_id IS NOT NULL AND COALESCE(h.balance, 0) <> 1) OR (m.member_id IS NULL AND h.balance <> 0)`;

export async function historyMismatches(db: Queryable): Promise<HistoryMismatch[]> {
  const rows = await db.query<{ segment_id: string; without_history: number; without_member: number }>(
    `SELECT segment_id, SUM(CASE WHEN member IS NOT NULL THEN 1 ELSE 0 END) AS without_history, SUM(CASE WHEN member IS NULL THEN 1 ELSE 0 END) AS without_member
     FROM (${MISMATCHES}) x GROUP BY segment_id ORDER BY segment_id`,
  );
  return rows.map((r) => ({ segmentId: r.segment_id, membersWithoutHistory: Number(r.without_history), historyWithoutMember: Number(r.without_member) }));
}

export async function duplicateMemberships(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM (SELECT segment_id, member_id FROM segment_members GROUP BY segment_id, member_id HAVING COUNT(*) > 1) d');
  return Number(row?.n ?? 0);
}

/** Checks the database; with `repair`, fixes what is safe to fix (never a composition). */
export async function runDoctor(db: Database, options: { repair?: boolean } = {}): Promise<DoctorReport> {
  const path = db instanceof DuckDBDatabase && db.path !== ':memory:' ? db.path : null;
  const walsMovedAside = path ? movedAsideWals(path).map(({ file, bytes }) => ({ file, bytes })) : [];
  const [last] = await db.query<{ id: number; segment_id: string; finished_at: string | null }>('SELECT id, segment_id, finished_at FROM segment_runs ORDER BY id DESC LIMIT 1');
  const running = [
    ...(await db.query<{ id: number; name: string; started_at: string }>("SELECT id, segment_id AS name, started_at FROM segment_runs WHERE status = 'running' ORDER BY id")).map((r) => ({
      id: Number(r.id),
      table: 'segment_runs' as const,
      name: r.name,
      startedAt: r.started_at,
    })),
    ...(await db.query<{ id: number; name: string; started_at: string }>("SELECT id, score_set AS name, started_at FROM score_runs WHERE status = 'running' ORDER BY id")).map((r) => ({
      id: Number(r.id),
      table: 'score_runs' as const,
      name: r.name,
      startedAt: r.started_at,
    })),
  ];
  const [orphans] = await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM segment_members m WHERE NOT EXISTS (SELECT 1 FROM segments s WHERE s.id = m.segment_id)');
  let duplicates = await duplicateMemberships(db);
  let mismatches = await historyMismatches(db);
  let runningRuns = running;
  let orphanMemberships = Number(orphans?.n ?? 0);
  let stale = await staleIndexes(db);
  const repaired: string[] = [];
  if (options.repair) {
    if (stale.length) {
      await rebuildIndexes(db, stale);
      repaired.push(`rebuilt ${stale.length} indexes that missed rows: ${stale.map((i) => i.index).join(', ')}`);
      stale = await staleIndexes(db);
    }
    repaired.push(...(await repair(db, { duplicates, mismatches: mismatches.length, running: running.length, orphans: orphanMemberships })));
    duplicates = await duplicateMemberships(db);
    mismatches = await historyMismatches(db);
    runningRuns = [];
    orphanMemberships = 0;
    await db.checkpoint();
  }
  return {
    database: db.description,
    walsMovedAside,
    lastRun: last ? { id: Number(last.id), segmentId: last.segment_id, finishedAt: last.finished_at } : null,
    duplicateMemberships: duplicates,
    historyMismatches: mismatches,
    orphanMemberships,
    staleIndexes: stale,
    runningRuns,
    repaired,
    healthy: duplicates === 0 && mismatches.length === 0 && orphanMemberships === 0 && stale.length === 0 && runningRuns.length === 0,
  };
}

/**
 * What is safe to repair: exact duplicate memberships (one row kept), history brought in line
 * with the compositions by corrective events (the composition is what terms and reports read,
 * so it is trusted), interrupted runs marked failed, memberships of deleted segments removed.
 */
async function repair(db: Database, found: { duplicates: number; mismatches: number; running: number; orphans: number }): Promise<string[]> {
  const done: string[] = [];
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  await db.transaction(async (tx) => {
    if (found.duplicates) {
      const text = tx.dialect.columnType('text');
      await tx.run('DROP TABLE IF EXISTS doctor_duplicates');
      await tx.run(`CREATE TEMPORARY TABLE doctor_duplicates (segment_id ${text}, member_id ${text}, added_at ${tx.dialect.columnType('timestamp')})`);
      await tx.run('INSERT INTO doctor_duplicates SELECT segment_id, member_id, MIN(added_at) FROM segment_members GROUP BY segment_id, member_id HAVING COUNT(*) > 1');
      await tx.run('DELETE FROM segment_members WHERE EXISTS (SELECT 1 FROM doctor_duplicates d WHERE d.segment_id = segment_members.segment_id AND d.member_id = segment_members.member_id)');
      await tx.run(`INSERT INTO segment_members (segment_id, member_id, added_at${keyColumn(tx)}) SELECT segment_id, member_id, added_at${keyOf(tx, 'member_id')} FROM doctor_duplicates`);
      await tx.run('DROP TABLE doctor_duplicates');
      done.push(`removed duplicate memberships of ${found.duplicates} (segment, member) pairs, one row of each kept`);
    }
    if (found.orphans) {
      await tx.run('DELETE FROM segment_members WHERE NOT EXISTS (SELECT 1 FROM segments s WHERE s.id = segment_members.segment_id)');
      done.push(`removed ${found.orphans} memberships of segments that no longer exist`);
    }
    if (found.mismatches) {
      // Only the two unambiguous cases: a member without an open "entered", a non-member with one.
      const at = `CAST('${now}' AS TIMESTAMP)`;
      await tx.run(
        `INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id)
         SELECT segment_id, member, 'entered', ${at}, NULL FROM (${MISMATCHES}) x WHERE member IS NOT NULL AND COALESCE(balance, 0) = 0`,
      );
      await tx.run(
        `INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id)
         SELECT h.segment_id, h.member_id, 'left', ${at}, NULL
         FROM (SELECT segment_id, member_id, SUM(CASE WHEN event = 'entered' THEN 1 ELSE -1 END) AS balance FROM segment_history GROUP BY segment_id, member_id) h
         WHERE h.balance = 1 AND NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = h.segment_id AND m.member_id = h.member_id)`,
      );
      done.push(`wrote corrective history events for ${found.mismatches} segments (their compositions were kept as they are)`);
    }
    if (found.running) {
      const error = "'interrupted: the process stopped during the run'";
      await tx.run(`UPDATE segment_runs SET status = 'failed', error = ${error} WHERE status = 'running'`);
      await tx.run(`UPDATE score_runs SET status = 'failed', error = ${error} WHERE status = 'running'`);
      done.push(`marked ${found.running} interrupted runs as failed`);
    }
  });
  return done;
}

/** The report as lines for a terminal. */
export function describeDoctor(r: DoctorReport): string[] {
  const lines = [`Database: ${r.database}`];
  if (r.walsMovedAside.length) {
    lines.push(`Write-ahead logs that could not be replayed were moved aside (${r.walsMovedAside.length}):`);
    for (const w of r.walsMovedAside) lines.push(`  ${w.file} (${w.bytes} bytes)`);
    lines.push(
      r.lastRun
        ? `  Lost: what was written after the last checkpoint — the last run this file knows is #${r.lastRun.id} (segment ${r.lastRun.segmentId}, finished ${r.lastRun.finishedAt ?? 'never'}); later refreshes, imports and edits must be done again.`
        : '  Lost: what was written after the last checkpoint; the file knows no runs.',
    );
  }
  lines.push(r.duplicateMemberships ? `Duplicate memberships: ${r.duplicateMemberships} (segment, member) pairs` : 'Memberships: no duplicates');
  if (r.historyMismatches.length) {
    lines.push(`History disagrees with the composition of ${r.historyMismatches.length} segments:`);
    for (const m of r.historyMismatches.slice(0, 20)) lines.push(`  ${m.segmentId}: ${m.membersWithoutHistory} members without "entered", ${m.historyWithoutMember} non-members still "entered"`);
  } else lines.push('History: agrees with every composition');
  if (r.orphanMemberships) lines.push(`Memberships of deleted segments: ${r.orphanMemberships}`);
  for (const i of r.staleIndexes) lines.push(`Index ${i.index} on ${i.table} misses rows: ${i.keysMissingRows} of ${i.keysChecked} keys checked find fewer rows through it than a scan`);
  if (r.runningRuns.length) {
    lines.push(`Runs still marked running (interrupted): ${r.runningRuns.length}`);
    for (const run of r.runningRuns.slice(0, 20)) lines.push(`  ${run.table} #${run.id} ${run.name} started ${run.startedAt}`);
  }
  for (const change of r.repaired) lines.push(`Repaired: ${change}`);
  lines.push(r.healthy ? 'The database is consistent.' : 'Problems found; "segmenta doctor --repair" fixes what is safe to fix.');
  return lines;
}
