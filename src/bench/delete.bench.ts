/**
 * Deleting a large segment with its history (issue 20, item 6): a manual segment of about
 * half the demo's partners, each of whom entered and later left once before entering again,
 * is deleted through the segments service (one transaction, one statement per table). A
 * second segment of the same size, with its own history, stays: the delete must find the
 * doomed rows among as many that are kept. Target: ≤ 2 s.
 *
 * DuckDB works on a copy of the demo file (dropped when it ends). The delete reads and writes
 * only the segment tables, so PostgreSQL works in a scratch schema with the same partner ids
 * (the demo schema at a million partners takes minutes to make); its B-tree indexes on
 * members and history are the ones the migrations create.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServices } from '../app/services.js';
import { sql, type Sql } from '../sql/sql.js';
import type { Database } from '../storage/database.js';
import type { BenchContext, BenchEngine, BenchFigure, BenchSection } from './bench-section.js';
import { manualSegment } from './manual-segment.js';

const TARGET_MS = 2000;
const DELETED = 'bench-delete-big';
const KEPT = 'bench-delete-kept';

/** The demo's partner ids in the engine's own format: read from the demo copy, or made the way the demo makes them. */
function partnerIds(engine: BenchEngine, partners: number): Sql {
  if (engine === 'duckdb') return sql`SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM partners`;
  const width = Math.max(6, String(partners).length);
  return sql`SELECT 'P' || lpad(CAST(n AS VARCHAR), ${sql.raw(String(width))}, '0') AS id, n FROM generate_series(1, ${sql.raw(String(partners))}) AS g(n)`;
}

/** Fills a segment with every `every`-th partner from `offset`: members now, and history entered → left → entered. */
async function fill(db: Database, segment: string, ids: Sql, every: number, offset: number): Promise<number> {
  const chosen = sql`SELECT id FROM (${ids}) AS p WHERE n % ${sql.raw(String(every))} = ${sql.raw(String(offset))}`;
  await db.run(sql`INSERT INTO segment_members (segment_id, member_id, added_at) SELECT ${segment}, id, CAST('2026-06-01 00:00:00' AS TIMESTAMP) FROM (${chosen}) AS c`);
  for (const [event, at] of [
    ['entered', '2026-01-01 00:00:00'],
    ['left', '2026-03-01 00:00:00'],
    ['entered', '2026-06-01 00:00:00'],
  ] as const) {
    await db.run(sql`INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id) SELECT ${segment}, id, ${event}, CAST(${at} AS TIMESTAMP), NULL FROM (${chosen}) AS c`);
  }
  const [row] = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM segment_members WHERE segment_id = ${segment}`);
  return Number(row?.n ?? 0);
}

/**
 * CPU time of the PostgreSQL server processes visible on this machine (a local server), in
 * ms; null when none is. On a loaded machine the wall time says little, the server's CPU more
 * (it includes anyone else's queries running at the same time).
 */
function localPostgresCpuMs(): number | null {
  let ticks = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      found = true;
    } catch {
      // The process ended meanwhile.
    }
  }
  // Linux counts in clock ticks of 10 ms.
  return found ? ticks * 10 : null;
}

async function measure(ctx: BenchContext, engine: BenchEngine): Promise<BenchFigure[]> {
  const db = engine === 'duckdb' ? await ctx.openDemoCopy(engine) : await ctx.openScratch(engine);
  try {
    // The scratch schema (PostgreSQL) and the file copy (DuckDB) are dropped on close.
    const services = createServices(db);
    await services.segments.create(manualSegment(DELETED, 'Bench: deleted'));
    await services.segments.create(manualSegment(KEPT, 'Bench: kept'));
    const ids = partnerIds(engine, ctx.scale.partners);
    const members = await fill(db, DELETED, ids, 2, 0);
    const kept = await fill(db, KEPT, ids, 2, 1);
    // Settled as after a refresh: DuckDB's write-ahead log folded in, PostgreSQL's statistics fresh.
    for (const statement of [...db.dialect.analyze('segment_members', 'segment_history'), ...db.dialect.checkpoint()]) await db.run(statement);
    ctx.log(`[delete ${engine}] ${members} members and ${3 * members} history rows to delete, ${kept} members kept`);
    const cpu = process.cpuUsage();
    const serverCpu = engine === 'postgres' ? localPostgresCpuMs() : null;
    const started = performance.now();
    await services.segments.delete(DELETED);
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const serverCpuAfter = engine === 'postgres' ? localPostgresCpuMs() : null;
    // What the deletion leaves for later: DuckDB folds it into the file at the next checkpoint.
    const checkpoint = db.dialect.checkpoint();
    const folded = performance.now();
    for (const statement of checkpoint) await db.run(statement);
    const foldMs = performance.now() - folded;
    const [left] = await db.query<{ deleted: number; kept: number }>(
      sql`SELECT (SELECT COUNT(*) FROM segment_history WHERE segment_id = ${DELETED}) AS deleted, (SELECT COUNT(*) FROM segment_members WHERE segment_id = ${KEPT}) AS kept`,
    );
    if (Number(left?.deleted) !== 0 || Number(left?.kept) !== kept) throw new Error(`delete: ${String(left?.deleted)} history rows left, ${String(left?.kept)} of ${kept} kept members`);
    const size = `${members.toLocaleString('en-US')} members, ${(3 * members).toLocaleString('en-US')} history rows`;
    return [
      { metric: `delete a segment of ${size}`, engine, value: Math.round(ms), unit: 'ms', target: `≤ ${TARGET_MS} ms`, met: ms <= TARGET_MS },
      { metric: '  its CPU time in this process (DuckDB runs inside it)', engine, value: Math.round((used.user + used.system) / 1000), unit: 'ms' },
      ...(serverCpu !== null && serverCpuAfter !== null ? [{ metric: '  CPU time of the local PostgreSQL server processes meanwhile', engine, value: serverCpuAfter - serverCpu, unit: 'ms' }] : []),
      ...(checkpoint.length ? [{ metric: '  the checkpoint after it (not part of the delete)', engine, value: Math.round(foldMs), unit: 'ms' }] : []),
    ];
  } finally {
    await db.close();
  }
}

export const deleteSection: BenchSection = {
  name: 'delete',
  title: 'Deleting a large segment with its history',
  async run(ctx) {
    const figures: BenchFigure[] = [];
    for (const engine of ctx.engines) figures.push(...(await measure(ctx, engine)));
    return figures;
  },
};
