import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareCrashLoop, runCrashLoop } from './support/crash-loop.js';

/**
 * Issue 23 and issue 14 defect 4: SIGKILLs at random moments of batch refreshes, single
 * rebuilds, imports and segment deletes. After every kill the DuckDB file opens and every
 * segment is exactly its old or its new composition, its history consistent with it.
 * CRASH_LOOP_KILLS changes the count (default 100); `npm run soak` runs 1,000.
 */
const KILLS = Number(process.env.CRASH_LOOP_KILLS ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'segmenta-crash-loop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the crash loop on duckdb', () => {
  it(`survives ${KILLS} kills: the file opens, no segment is torn`, { timeout: 900_000 }, async () => {
    const path = join(dir, 'loop.duckdb');
    const plan = await prepareCrashLoop(path, { partners: 300 });
    expect(plan.ids.length).toBeGreaterThanOrEqual(3);
    const counts = await runCrashLoop(path, plan, KILLS, { maxDelayMs: 1200 });
    expect(counts.problems).toEqual([]);
    expect(counts).toMatchObject({ kills: KILLS, unopenable: 0, torn: 0, childFailures: 0 });
  });
});
