/**
 * How far along a job is, estimated from where it stands: each stage carries a share of the
 * work (its weight), and within the current stage the time spent is compared with the time
 * that stage took last time (its share of the previous run's duration). Without a previous
 * run the stage creeps towards its end and never reaches it, so the bar moves without lying.
 */

/** A stage of a job and its share of the work (any positive numbers; they are normalised). */
export interface StageWeight<S extends string> {
  readonly stage: S;
  readonly weight: number;
}

/** What a stage is assumed to take when the job has never run before: the whole job takes about this. */
export const UNKNOWN_DURATION_MS = 3_000;

/** Within a stage, the part done after `ratio` of its expected time: linear, then slowing, never past 0.99. */
function withinStage(ratio: number, expected: boolean): number {
  if (ratio <= 0) return 0;
  if (!expected) return Math.min(1 - Math.exp(-ratio), 0.99);
  if (ratio <= 0.9) return ratio;
  // Over time: keep moving, ever slower, never past 0.99 of the stage.
  return 0.9 + 0.09 * (1 - Math.exp(-(ratio - 0.9) / 0.5));
}

/**
 * The share done (0–1, three decimals) of a job in `stage` for `msInStage`, given the stages'
 * weights and the job's expected duration (the last run's; null when unknown).
 *
 * @example
 * const plan = [{ stage: 'evaluating', weight: 80 }, { stage: 'writing', weight: 20 }];
 * estimateProgress(plan, 'evaluating', 400, 1000) // → 0.32 (40 % of a stage worth 80 %)
 * estimateProgress(plan, 'writing', 0, 1000)      // → 0.8
 */
export function estimateProgress<S extends string>(plan: readonly StageWeight<S>[], stage: S, msInStage: number, expectedMs: number | null): number {
  const total = plan.reduce((sum, s) => sum + s.weight, 0);
  const index = plan.findIndex((s) => s.stage === stage);
  if (total <= 0 || index < 0) return 0;
  const before = plan.slice(0, index).reduce((sum, s) => sum + s.weight, 0);
  const weight = plan[index]!.weight;
  const stageMs = ((expectedMs ?? UNKNOWN_DURATION_MS) * weight) / total;
  const ratio = stageMs > 0 ? msInStage / stageMs : 1;
  const share = (before + weight * withinStage(ratio, expectedMs !== null)) / total;
  return Math.round(Math.min(share, 1) * 1000) / 1000;
}

/**
 * The share done of a job that measures its own stage (an import knows the bytes it has read):
 * the stages before, and `share` (0–1) of the current one.
 */
export function measuredProgress<S extends string>(plan: readonly StageWeight<S>[], stage: S, share: number): number {
  const total = plan.reduce((sum, s) => sum + s.weight, 0);
  const index = plan.findIndex((s) => s.stage === stage);
  if (total <= 0 || index < 0) return 0;
  const before = plan.slice(0, index).reduce((sum, s) => sum + s.weight, 0);
  const within = Math.min(Math.max(share, 0), 0.99);
  return Math.round(((before + plan[index]!.weight * within) / total) * 1000) / 1000;
}
