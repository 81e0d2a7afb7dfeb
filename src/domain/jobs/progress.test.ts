import { describe, expect, it } from 'vitest';
import { estimateProgress, UNKNOWN_DURATION_MS } from './progress.js';

const PLAN = [
  { stage: 'starting', weight: 5 },
  { stage: 'evaluating', weight: 75 },
  { stage: 'writing', weight: 20 },
] as const;

describe('estimateProgress', () => {
  it('gives the stages before the current one in full, and the current one by its time against the last run', () => {
    expect(estimateProgress(PLAN, 'starting', 0, 2000)).toBe(0);
    expect(estimateProgress(PLAN, 'evaluating', 0, 2000)).toBe(0.05);
    // Evaluating takes 75 % of 2 s = 1.5 s; 0.75 s in, it is half done.
    expect(estimateProgress(PLAN, 'evaluating', 750, 2000)).toBe(0.425);
    expect(estimateProgress(PLAN, 'writing', 0, 2000)).toBe(0.8);
  });

  it('keeps moving, ever slower, when a stage takes longer than last time, and never enters the next stage', () => {
    const late = [1400, 1600, 3000, 30_000].map((ms) => estimateProgress(PLAN, 'evaluating', ms, 2000));
    // 1.4 s of an expected 1.5 s: past 90 %, slowing down.
    expect(late[0]).toBe(0.729);
    for (let i = 1; i < late.length; i++) expect(late[i]).toBeGreaterThan(late[i - 1]!);
    expect(late.at(-1)).toBeLessThan(0.8);
  });

  it('creeps without an expected duration, below the stage end', () => {
    const first = estimateProgress(PLAN, 'evaluating', UNKNOWN_DURATION_MS * 0.75, null);
    expect(first).toBeCloseTo(0.05 + 0.75 * (1 - Math.exp(-1)), 3);
    expect(estimateProgress(PLAN, 'evaluating', 10 * UNKNOWN_DURATION_MS, null)).toBeLessThan(0.8);
  });

  it('is 0 for an unknown stage or an empty plan', () => {
    expect(estimateProgress(PLAN, 'nothing' as 'starting', 100, 1000)).toBe(0);
    expect(estimateProgress([], 'x', 100, 1000)).toBe(0);
  });
});
