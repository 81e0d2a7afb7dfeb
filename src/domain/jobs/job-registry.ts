import { randomUUID } from 'node:crypto';
import { AppError, isAppError } from '../../errors/app-error.js';
import { estimateProgress, measuredProgress, type StageWeight } from './progress.js';

/**
 * Long pieces of work the API runs in the background (a Generate of a large segment), so a
 * client gets an answer at once and polls for the stage, an estimate of the share done, and in
 * the end the result or the error. Jobs live in this process only: a restart forgets them (the
 * work itself keeps its own record, e.g. segment_runs).
 */

export type JobStatus = 'running' | 'succeeded' | 'failed';

/** A failed job's error, in the API's error shape (translated by its code in the UI). */
export interface JobError {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** What a client sees of a job at one moment. */
export interface JobView<S extends string = string, R = unknown> {
  readonly id: string;
  readonly type: string;
  /** What it works on (a segment id). */
  readonly subject: string;
  readonly status: JobStatus;
  /** The stage it is in; when finished, the last one it reached. */
  readonly stage: S;
  /** Every stage in order. */
  readonly stages: readonly S[];
  /** Estimated share done, 0–1 (1 when succeeded). */
  readonly progress: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly elapsedMs: number;
  /** How long it took last time (the estimate's base); null when unknown. */
  readonly expectedMs: number | null;
  readonly result: R | null;
  readonly error: JobError | null;
}

/** A job to start: what it is, its stages with their weights, and the work. */
export interface JobSpec<S extends string, R> {
  readonly type: string;
  readonly subject: string;
  readonly plan: readonly StageWeight<S>[];
  readonly expectedMs: number | null;
  /**
   * The work; calls `stage` as it moves on (stages only go forward), and `measure` with the
   * share (0–1) done of the current stage when it knows it (then that, not the time, is the progress).
   */
  run(stage: (next: S) => void, measure: (share: number) => void): Promise<R>;
}

export interface JobRegistryOptions {
  /** The clock (tests pass their own). */
  readonly now?: () => number;
  /** How long a finished job can still be read (default 15 minutes). */
  readonly keepMs?: number;
  /** Finished jobs kept at most (the oldest go first; default 200). */
  readonly keepFinished?: number;
  /** Told of an error that is not an AppError (a bug or a database failure): the job reports INTERNAL. */
  readonly onUnexpectedError?: (error: unknown, job: { id: string; type: string; subject: string }) => void;
}

interface JobState {
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  readonly plan: readonly StageWeight<string>[];
  readonly expectedMs: number | null;
  readonly startedMs: number;
  readonly done: Promise<void>;
  stage: string;
  stageStartedMs: number;
  /** The share of the current stage the work measured; null when it does not measure. */
  measured: number | null;
  status: JobStatus;
  finishedMs: number | null;
  result: unknown;
  error: JobError | null;
}

export class JobRegistry {
  private readonly jobs = new Map<string, JobState>();
  private readonly now: () => number;
  private readonly keepMs: number;
  private readonly keepFinished: number;

  constructor(private readonly options: JobRegistryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.keepMs = options.keepMs ?? 15 * 60_000;
    this.keepFinished = options.keepFinished ?? 200;
  }

  /** Starts the work in the background and returns the job as it stands (running, first stage). */
  start<S extends string, R>(spec: JobSpec<S, R>): JobView<S, R> {
    this.prune();
    const first = spec.plan[0];
    if (!first) throw new Error('a job needs at least one stage');
    const started = this.now();
    const order = spec.plan.map((s) => s.stage as string);
    let settle!: () => void;
    const state: JobState = {
      id: randomUUID(),
      type: spec.type,
      subject: spec.subject,
      plan: spec.plan,
      expectedMs: spec.expectedMs,
      startedMs: started,
      done: new Promise<void>((resolve) => (settle = resolve)),
      stage: first.stage,
      stageStartedMs: started,
      measured: null,
      status: 'running',
      finishedMs: null,
      result: null,
      error: null,
    };
    this.jobs.set(state.id, state);
    const moveTo = (next: S) => {
      // Forward only: a stage told twice, or late, does not move the bar back.
      if (state.status !== 'running' || order.indexOf(next) <= order.indexOf(state.stage)) return;
      state.stage = next;
      state.stageStartedMs = this.now();
      state.measured = null;
    };
    const measure = (share: number) => {
      if (state.status === 'running' && Number.isFinite(share)) state.measured = Math.max(state.measured ?? 0, share);
    };
    // Started on the next turn, so the caller has the job's id before any of the work runs.
    void Promise.resolve()
      .then(() => spec.run(moveTo, measure))
      .then(
        (result) => {
          state.result = result;
          state.status = 'succeeded';
        },
        (error: unknown) => {
          state.error = this.errorOf(error, state);
          state.status = 'failed';
        },
      )
      .finally(() => {
        state.finishedMs = this.now();
        settle();
      });
    return this.view(state) as JobView<S, R>;
  }

  /** A job by id; JOB_NOT_FOUND when there is none (never was, or finished long ago). */
  get(id: string): JobView {
    this.prune();
    const state = this.jobs.get(id);
    if (!state) throw new AppError('JOB_NOT_FOUND', { id });
    return this.view(state);
  }

  /** Jobs newest first, optionally of one type, subject or status. */
  list(filter: { type?: string; subject?: string; status?: JobStatus } = {}): JobView[] {
    this.prune();
    return [...this.jobs.values()]
      .filter(
        (j) => (filter.type === undefined || j.type === filter.type) && (filter.subject === undefined || j.subject === filter.subject) && (filter.status === undefined || j.status === filter.status),
      )
      .sort((a, b) => b.startedMs - a.startedMs)
      .map((j) => this.view(j));
  }

  /** Resolves when every job started so far has finished (before the database closes). */
  async idle(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  private view(state: JobState): JobView {
    const now = state.finishedMs ?? this.now();
    const progress =
      state.status === 'succeeded'
        ? 1
        : state.measured !== null
          ? measuredProgress(state.plan, state.stage, state.measured)
          : estimateProgress(state.plan, state.stage, now - state.stageStartedMs, state.expectedMs);
    return {
      id: state.id,
      type: state.type,
      subject: state.subject,
      status: state.status,
      stage: state.stage,
      stages: state.plan.map((s) => s.stage),
      progress,
      startedAt: new Date(state.startedMs).toISOString(),
      finishedAt: state.finishedMs === null ? null : new Date(state.finishedMs).toISOString(),
      elapsedMs: now - state.startedMs,
      expectedMs: state.expectedMs,
      result: state.result ?? null,
      error: state.error,
    };
  }

  private errorOf(error: unknown, state: JobState): JobError {
    if (isAppError(error)) return error.toJSON().error;
    this.options.onUnexpectedError?.(error, { id: state.id, type: state.type, subject: state.subject });
    return new AppError('INTERNAL').toJSON().error;
  }

  /** Forgets finished jobs older than keepMs, and the oldest beyond keepFinished. */
  private prune(): void {
    const now = this.now();
    const finished = [...this.jobs.values()].filter((j) => j.finishedMs !== null).sort((a, b) => b.finishedMs! - a.finishedMs!);
    finished.forEach((job, index) => {
      if (index >= this.keepFinished || now - job.finishedMs! > this.keepMs) this.jobs.delete(job.id);
    });
  }
}
