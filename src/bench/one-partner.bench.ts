/**
 * One partner against 100 segments (issue 20 item 3), alone: the `refresh` section measures it
 * too, after minutes of batch work. 100 realistic check-on-create segments are created and
 * refreshed once (their compositions are what rules reading other segments see), the
 * compositions the checks read are kept in memory as the server keeps them, and partners are
 * checked one by one: new ones (inserted just before, no facts) and existing ones (each checked
 * once, so its rows are read cold, as a partner changed now and then would be). DuckDB works
 * on a copy of the demo file; PostgreSQL on the demo schema, removing its rows at the end.
 * SEGMENTA_BENCH_ONE_PARTNER_CHECKS sets how many of each (1,000: with 200 the p99 was the
 * second-worst check, one scheduling hiccup of a loaded machine). Garbage collection is left to
 * Node, as a server sees it — what the setup left is collected before the checks — and the
 * time its pauses took during the checks is logged.
 */
import { randomUUID } from 'node:crypto';
import { PerformanceObserver } from 'node:perf_hooks';
import { createServices } from '../app/services.js';
import { refreshSegments } from '../domain/segments/batch-refresh.js';
import { checkPartnerAgainstSegments, preparePartnerChecks } from '../domain/segments/check-on-create.js';
import { keepMembershipsInMemory } from '../domain/segments/membership-copy.js';
import { sql } from '../sql/sql.js';
import type { Database } from '../storage/database.js';
import type { BenchContext, BenchEngine, BenchFigure, BenchSection } from './bench-section.js';
import { readVocabulary, realisticSegments } from './segment-templates.js';

const PREFIX = 'bench-one-';
const TARGET_P99_MS = 5;

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

/** What the setup left to collect is collected before the checks are timed (`npm run bench` exposes gc). */
const collectGarbage = (): void => (globalThis as { gc?: () => void }).gc?.();

async function removeRows(db: Database): Promise<void> {
  const like = `${PREFIX}%`;
  for (const table of ['segment_history', 'segment_members', 'segment_runs', 'segment_changes', 'segment_schedule_claims']) {
    await db.run(sql`DELETE FROM ${sql.raw(table)} WHERE segment_id LIKE ${like}`);
  }
  await db.run(sql`DELETE FROM segments WHERE id LIKE ${like}`);
  await db.run(sql`DELETE FROM partners WHERE id LIKE ${like}`);
}

/** Wall time of each check, the process's CPU time per check (DuckDB's threads included), and the garbage collections' pauses during the run. */
async function timeChecks(
  ids: readonly string[],
  check: (id: string) => Promise<unknown>,
  before?: (id: string) => Promise<void>,
): Promise<{ ms: number[]; cpuMs: number; gc: { pauses: number; ms: number } }> {
  const ms: number[] = [];
  let cpu = 0;
  const gc = { pauses: 0, ms: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.pauses++;
      gc.ms += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  try {
    for (const id of ids) {
      await before?.(id);
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      await check(id);
      ms.push(performance.now() - started);
      const used = process.cpuUsage(cpu0);
      cpu += (used.user + used.system) / 1000;
    }
    // Entries are delivered asynchronously: let the last ones in.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    observer.disconnect();
  }
  return { ms, cpuMs: cpu / ids.length, gc };
}

async function measure(ctx: BenchContext, engine: BenchEngine): Promise<BenchFigure[]> {
  const db = await ctx.openDemoCopy(engine);
  try {
    if (engine === 'postgres') await removeRows(db);
    const [last] = await db.query<{ d: string | null }>('SELECT MAX(date) AS d FROM sales');
    const asOf = last?.d ?? new Date().toISOString().slice(0, 10);
    const segments = realisticSegments(100, await readVocabulary(db), 1, PREFIX);
    const { segments: service } = createServices(db);
    for (const segment of segments) await service.create(segment);
    await refreshSegments(
      db,
      segments.map((s) => s.id),
      { trigger: 'cli', asOf },
    );
    ctx.log(`[one-partner ${engine}] 100 segments created and refreshed`);
    keepMembershipsInMemory(db);
    await preparePartnerChecks(db, { asOf });
    const count = Number(process.env.SEGMENTA_BENCH_ONE_PARTNER_CHECKS ?? 1000);
    const warmUp = 20;
    const check = (id: string) => checkPartnerAgainstSegments(db, id, { asOf });
    const fresh = Array.from({ length: count + warmUp }, () => `${PREFIX}${randomUUID()}`);
    const insert = (id: string) =>
      db.run(sql`INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, deleted) VALUES (${id}, ${id}, TRUE, FALSE, FALSE, FALSE, 'company', FALSE)`);
    await timeChecks(fresh.slice(0, warmUp), check, insert);
    collectGarbage();
    const newPartner = await timeChecks(fresh.slice(warmUp), check, insert);
    // The same spread of partners as before, picked in SQL: a million ids read into the heap
    // here left the checks after it paying for their collection (10–20 ms scavenges).
    const [{ n } = { n: 0 }] = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM partners WHERE id NOT LIKE ${`${PREFIX}%`}`);
    const positions = Array.from({ length: count }, (_, i) => (i * 7_919 + 13) % Number(n));
    const picked = new Map(
      (
        await db.query<{ id: string; k: number }>(
          sql`SELECT id, k FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM partners WHERE id NOT LIKE ${`${PREFIX}%`}) t WHERE k IN (${sql.list([...new Set(positions)])})`,
        )
      ).map((r) => [Number(r.k), r.id]),
    );
    collectGarbage();
    const existing = await timeChecks(
      positions.map((k) => picked.get(k)!),
      check,
    );
    const figures: BenchFigure[] = [];
    for (const [who, run] of [
      ['new partner', newPartner],
      ['existing partner', existing],
    ] as const) {
      const p50 = quantile(run.ms, 0.5);
      const p99 = quantile(run.ms, 0.99);
      ctx.log(
        `[one-partner ${engine}] ${who}, ${run.ms.length} checks: p50 ${p50.toFixed(1)} ms, p90 ${quantile(run.ms, 0.9).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ` +
          `max ${Math.max(...run.ms).toFixed(1)} ms, CPU ${run.cpuMs.toFixed(1)} ms per check; GC ${run.gc.ms.toFixed(0)} ms in ${run.gc.pauses} pauses`,
      );
      figures.push(
        { metric: `one ${who} against 100 segments, p50`, engine, value: Math.round(p50 * 10) / 10, unit: 'ms' },
        { metric: `one ${who} against 100 segments, p99`, engine, value: Math.round(p99 * 10) / 10, unit: 'ms', target: `≤ ${TARGET_P99_MS} ms`, met: p99 <= TARGET_P99_MS },
        { metric: `one ${who} against 100 segments, CPU per check`, engine, value: Math.round(run.cpuMs * 10) / 10, unit: 'ms' },
      );
    }
    return figures;
  } finally {
    if (engine === 'postgres') await removeRows(db);
    await db.close();
  }
}

export const onePartnerSection: BenchSection = {
  name: 'one-partner',
  title: 'One partner against 100 segments (check on create, in process)',
  async run(ctx) {
    const figures: BenchFigure[] = [];
    for (const engine of ctx.engines) figures.push(...(await measure(ctx, engine)));
    return figures;
  },
};
