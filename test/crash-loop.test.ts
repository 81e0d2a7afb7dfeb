import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CRASH_LOOP_OPERATIONS, killsByOperation, prepareCrashLoop, runCrashLoop } from './support/crash-loop.js';

/**
 * Issue 23 and issue 14 defect 4: SIGKILLs at random moments of batch refreshes, single
 * rebuilds, imports and segment deletes. After every kill the DuckDB file opens and every
 * segment is exactly its old or its new composition, its history consistent with it, and every
 * index finds every row.
 *
 * In CI 32 kills, the operations in turn (8 each: a child does only its round's operation, so
 * each is interrupted at a random moment of its own); `npm run soak` runs 1,000 kills of
 * children doing a random mix. CRASH_LOOP_KILLS changes the count here. Two chains of kills run at
 * once, each on its own copy of the file and doing the operations in turn (half the kills each).
 */
const KILLS = Number(process.env.CRASH_LOOP_KILLS ?? 32);
const dir = mkdtempSync(join(tmpdir(), 'segmenta-crash-loop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the crash loop on duckdb', () => {
  it(`survives ${KILLS} kills, every operation interrupted: the file opens, no segment is torn`, { timeout: 900_000 }, async () => {
    const path = join(dir, 'loop.duckdb');
    const plan = await prepareCrashLoop(path, { partners: 300 });
    expect(plan.ids.length).toBeGreaterThanOrEqual(3);
    const counts = await runCrashLoop(path, plan, KILLS, { maxDelayMs: 1200, inTurn: true, chains: 2 });
    console.log(`[crash loop] ${counts.kills} kills in: ${JSON.stringify(counts.killedIn)}`);
    expect(counts.problems).toEqual([]);
    expect(counts).toMatchObject({ kills: KILLS, unopenable: 0, torn: 0, staleIndexes: 0, childFailures: 0 });
    // Each operation was interrupted (a kill before a child's first operation counts as `start`).
    const byOperation = killsByOperation(counts);
    for (const operation of CRASH_LOOP_OPERATIONS) expect(byOperation[operation], `kills during ${operation}`).toBeGreaterThanOrEqual(Math.min(2, Math.floor(KILLS / CRASH_LOOP_OPERATIONS.length)));
  });
});
