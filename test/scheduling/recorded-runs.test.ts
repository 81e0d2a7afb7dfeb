import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asDate, RecordedRuns } from '../../src/scheduling/recorded-runs.js';
import type { Database } from '../../src/storage/database.js';
import { ENGINES } from '../engines.js';

const scoreRuns = new RecordedRuns('score_runs');
const segmentRuns = new RecordedRuns('segment_runs');

describe.each(ENGINES)('recorded runs on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => db.close());

  const runRow = async (id: number) => (await db.query('SELECT score_set, trigger, as_of, settings, status, scored, duration_ms, error, finished_at FROM score_runs WHERE id = $1', [id]))[0];

  it('records a run as running while it works, then ok with what it did', async () => {
    let during: unknown;
    const run = await scoreRuns.record(
      db,
      { score_set: 'rfm', trigger: 'cli', as_of: asDate('2026-03-31'), settings: '{"bins":5}' },
      async ({ id }) => {
        during = await runRow(id);
        return 42;
      },
      (scored) => ({ scored }),
    );
    expect(during).toMatchObject({ status: 'running', finished_at: null, scored: null });
    expect(run.result).toBe(42);
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(await runRow(run.runId)).toMatchObject({
      score_set: 'rfm',
      trigger: 'cli',
      as_of: '2026-03-31',
      settings: '{"bins":5}',
      status: 'ok',
      scored: 42,
      duration_ms: run.durationMs,
      error: null,
    });
    expect((await runRow(run.runId))!.finished_at).not.toBeNull();
  });

  it('records a failure with its message and rethrows it', async () => {
    const failure = new Error(`no facts: ${'x'.repeat(3000)}`);
    let runId = 0;
    await expect(
      scoreRuns.record(
        db,
        { score_set: 'renew', trigger: 'schedule', as_of: asDate('2026-03-31'), settings: '{}' },
        async ({ id }) => {
          runId = id;
          throw failure;
        },
        (scored: number) => ({ scored }),
      ),
    ).rejects.toBe(failure);
    const row = await runRow(runId);
    expect(row).toMatchObject({ status: 'failed', scored: null });
    expect(row!.error).toBe(failure.message.slice(0, 2000));
    expect(row!.finished_at).not.toBeNull();
  });

  it('hands the work its run id and start, for rows that point at the run', async () => {
    const run = await segmentRuns.record(
      db,
      { segment_id: 'people', trigger: 'api' },
      async ({ id, started }) => ({ id, started, size: 2 }),
      ({ size }) => ({ size, entered: 2, left_count: 0 }),
    );
    expect(run.result.id).toBe(run.runId);
    const [row] = await db.query<{ started_at: string; size: number; status: string }>('SELECT started_at, size, status FROM segment_runs WHERE id = $1', [run.runId]);
    expect(row).toMatchObject({ size: 2, status: 'ok' });
    expect(row!.started_at).toBe(run.result.started.toISOString());
  });

  it('marks runs a stopped process left running as failed, and only those', async () => {
    await db.run("INSERT INTO segment_runs (segment_id, trigger, started_at, status) VALUES ('firms', 'schedule', CAST('2026-01-01 03:00:00' AS TIMESTAMP), 'running')");
    await segmentRuns.markInterrupted(db);
    const rows = await db.query<{ segment_id: string; status: string; error: string | null }>('SELECT segment_id, status, error FROM segment_runs ORDER BY id');
    expect(rows).toEqual([
      { segment_id: 'people', status: 'ok', error: null },
      { segment_id: 'firms', status: 'failed', error: 'interrupted: the process stopped during the run' },
    ]);
    // Another table's runs are its own.
    expect((await db.query("SELECT status FROM score_runs WHERE status = 'running'")).length).toBe(0);
  });

  it('refuses a table or column name that is not a plain SQL name', async () => {
    expect(() => new RecordedRuns('runs"; --')).toThrow(/not an SQL name/);
    await expect(
      segmentRuns.record(
        db,
        { 'segment_id = 1; --': 'x' },
        async () => 0,
        () => ({}),
      ),
    ).rejects.toThrow(/not an SQL name/);
  });
});
