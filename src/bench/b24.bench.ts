import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bitrix24Driver, b24SettingsSchema } from '../connectors/bitrix24/b24-driver.js';
import type { BenchFigure, BenchSection } from './bench-section.js';
import { seedPortal } from './b24-fake/b24-portal.js';
import { FakeBitrix24 } from './b24-fake/fake-b24.js';

/** What reading a portal's companies cost. */
export interface B24ReadFigures {
  readonly companies: number;
  readonly seconds: number;
  readonly requests: number;
  /** Requests the portal refused for its limit (the client waits so that it should not). */
  readonly refused: number;
  /** Seconds the requests take at the limit's sustained rate (an emptied bucket: requests / drain). */
  readonly sustainedSeconds: number;
}

/**
 * Reads `companies` companies (only: no contacts, deals or activities) from the fake portal in
 * full, under Bitrix24's real limit (a bucket of 50, draining 2 a second, on both sides), as a
 * sync's read does; no database (the apply is the import's, measured by the import bench).
 */
export async function benchB24Read(companies: number, drainPerSecond = 2): Promise<B24ReadFigures> {
  const fake = new FakeBitrix24();
  fake.drainPerSecond = drainPerSecond;
  seedPortal(fake, { companies, contacts: 0, deals: 0, activities: 0 });
  await fake.start();
  const spoolDir = await mkdtemp(join(tmpdir(), 'segmenta-b24-bench-'));
  try {
    const settings = b24SettingsSchema.parse({ url: fake.url, user: fake.userId, contacts: false, deals: false, activities: false, drainPerSecond });
    let requests = 0;
    const started = performance.now();
    await bitrix24Driver.sync(
      { id: 'bench', name: 'bench', settings, secret: fake.code, onRequest: () => requests++ },
      { mode: 'full', cursors: {}, marks: async () => new Map(), stage: () => undefined, spoolDir },
    );
    const seconds = (performance.now() - started) / 1000;
    return { companies, seconds, requests, refused: fake.refusedForLimit, sustainedSeconds: requests / drainPerSecond };
  } finally {
    await fake.stop();
    await rm(spoolDir, { recursive: true, force: true });
  }
}

/** `npm run bench`: BENCH_B24_COMPANIES (default 10,000) companies read from the fake portal. */
export const b24Section: BenchSection = {
  name: 'b24',
  title: 'Bitrix24 read throughput under the portal limit (fake portal)',
  async run(ctx) {
    const companies = Number(process.env.BENCH_B24_COMPANIES ?? 10_000);
    const r = await benchB24Read(companies);
    ctx.log(`bitrix24: ${companies} companies in ${r.seconds.toFixed(2)} s, ${r.requests} requests, ${r.refused} refused`);
    // No database here: the figure is the same on every engine.
    const engine = ctx.engines[0] ?? 'duckdb';
    const figures: BenchFigure[] = [
      { metric: `full read of ${companies} companies (burst of the bucket)`, engine, value: Math.round(r.seconds * 100) / 100, unit: 's' },
      { metric: `full read of ${companies} companies: requests (batch of 50 × 50)`, engine, value: r.requests, unit: 'requests' },
      { metric: `full read of ${companies} companies at 2 req/s sustained`, engine, value: r.sustainedSeconds, unit: 's' },
    ];
    return figures;
  },
};
