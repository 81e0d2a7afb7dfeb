import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amoDriver, amoSettingsSchema } from '../connectors/amocrm/amo-driver.js';
import type { BenchFigure, BenchSection } from './bench-section.js';
import { seedAccount } from './amo-fake/amo-account.js';
import { FakeAmo } from './amo-fake/fake-amo.js';

const MiB = 1024 * 1024;

/** What a full read of an amoCRM account cost. */
export interface AmoReadFigures {
  readonly companies: number;
  readonly contacts: number;
  readonly leads: number;
  /** Objects the sync read (companies, contacts, leads, users). */
  readonly rows: number;
  readonly seconds: number;
  readonly requests: number;
  /** Requests the account refused with 429 (the client paces itself so that it should not). */
  readonly refused: number;
  /** The process's resident memory with the fake account seeded, before the sync, and its peak during it. */
  readonly rssBeforeMiB: number;
  readonly rssPeakMiB: number;
}

/**
 * A full sync's read of an account of `companies` companies, `contacts` contacts and `leads`
 * leads from the fake amoCRM under amoCRM's real limits on both sides (at most 7 requests a
 * second, 250 objects a page, 429 beyond), as the connector reads it (users, field definitions,
 * pipelines, then every page of companies with their contacts, contacts, leads) into its spooled
 * batch; no database (the apply is the import's, measured by the import bench). The fake runs in
 * this process: the memory figures include its objects, hence the figure before the sync.
 */
export async function benchAmoRead(companies: number, contacts: number, leads: number): Promise<AmoReadFigures> {
  const fake = new FakeAmo();
  seedAccount(fake, { companies, contacts, leads });
  await fake.start();
  const spoolDir = await mkdtemp(join(tmpdir(), 'segmenta-amo-bench-'));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    peak = rssBefore;
    const settings = amoSettingsSchema.parse({ url: fake.url });
    let requests = 0;
    const started = performance.now();
    const batch = await amoDriver.sync(
      { id: 'bench', name: 'bench', settings, secret: fake.token, onRequest: () => requests++ },
      { mode: 'full', cursors: {}, marks: async () => new Map(), stage: () => undefined, spoolDir },
    );
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    const rows = Object.values(batch.read).reduce((sum, n) => sum + (n ?? 0), 0);
    const refused = fake.log.filter((r) => r.status === 429).length;
    return { companies, contacts, leads, rows, seconds, requests, refused, rssBeforeMiB: Math.round(rssBefore / MiB), rssPeakMiB: Math.round(peak / MiB) };
  } finally {
    clearInterval(sampler);
    await fake.stop();
    await rm(spoolDir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- --only amo`: BENCH_AMO_COMPANIES (default 100,000) companies, with
 * BENCH_AMO_CONTACTS (default half as many) contacts and BENCH_AMO_LEADS (default as many as
 * companies) leads, read from the fake amoCRM.
 */
export const amoSection: BenchSection = {
  name: 'amo',
  title: 'amoCRM full read under its limits: 7 requests/s, 250 a page (fake amoCRM)',
  async run(ctx) {
    const companies = Number(process.env.BENCH_AMO_COMPANIES ?? 100_000);
    const contacts = Number(process.env.BENCH_AMO_CONTACTS ?? Math.round(companies / 2));
    const leads = Number(process.env.BENCH_AMO_LEADS ?? companies);
    ctx.log(`amocrm: seeding ${companies} companies, ${contacts} contacts, ${leads} leads`);
    const r = await benchAmoRead(companies, contacts, leads);
    ctx.log(`amocrm: ${r.rows} objects in ${r.seconds.toFixed(1)} s, ${r.requests} requests, ${r.refused} refused (429), peak RSS ${r.rssPeakMiB} MiB (${r.rssBeforeMiB} before)`);
    // No database here: the figure is the same on every engine.
    const engine = ctx.engines[0] ?? 'duckdb';
    const what = `${companies} companies + ${contacts} contacts + ${leads} leads`;
    const figures: BenchFigure[] = [
      { metric: `full read of ${what}`, engine, value: Math.round(r.seconds * 10) / 10, unit: 's' },
      { metric: `full read of ${what}: requests (250 a page)`, engine, value: r.requests, unit: 'requests' },
      { metric: `full read of ${what}: answered 429`, engine, value: r.refused, unit: 'requests' },
      { metric: `full read of ${what}: objects per second`, engine, value: Math.round(r.rows / r.seconds), unit: 'rows/s' },
      { metric: `full read of ${what}: requests per second`, engine, value: Math.round((r.requests / r.seconds) * 100) / 100, unit: 'req/s', target: '≤ 7', met: r.requests / r.seconds <= 7 },
      { metric: `full read of ${what}: peak RSS (fake account in the process: ${r.rssBeforeMiB} MiB before)`, engine, value: r.rssPeakMiB, unit: 'MiB' },
    ];
    return figures;
  },
};
