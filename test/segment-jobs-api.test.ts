/**
 * "Generate" with progress: POST /api/segments/{id}/refresh {"async": true} answers 202 with a
 * job at once; GET /api/jobs/{id} tells its stage, an estimate of the share done (stages, and
 * the time in the current one against the segment's last generation) and in the end the same
 * result — or error — the synchronous call gives. The synchronous call keeps working.
 * A gate on the database's transactions holds a job in its "evaluating" stage to look at it;
 * a clock of the test's own makes the estimates exact.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import { JobRegistry } from '../src/domain/jobs/job-registry.js';
import { SEGMENT_REFRESH_PLAN, SEGMENT_REFRESH_STAGES } from '../src/domain/jobs/segment-refresh.job.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';
import { gatedDatabase, type Gate } from './support/gated-database.js';

const TOTAL = SEGMENT_REFRESH_PLAN.reduce((sum, s) => sum + s.weight, 0);
const share = (stage: string) => SEGMENT_REFRESH_PLAN.find((s) => s.stage === stage)!.weight / TOTAL;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(ENGINES)('Generate as a background job on $name', (engine) => {
  let raw: Database;
  let db: Database;
  let gate: Gate;
  let app: FastifyInstance;
  let clock = Date.UTC(2025, 5, 30, 9, 0, 0);
  const get = (url: string) => app.inject({ method: 'GET', url });
  const post = (url: string, payload?: unknown) => app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) });

  /** Polls the job until it has finished (the real work runs on the real clock). */
  async function finished(id: string) {
    for (let i = 0; i < 200; i++) {
      const job = (await get(`/api/jobs/${id}`)).json();
      if (job.status !== 'running') return job;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`job ${id} did not finish`);
  }

  beforeAll(async () => {
    raw = await engine.create();
    await loadSmallCompany(raw);
    ({ db, gate } = gatedDatabase(raw));
    app = await buildTestApp({ db, jobs: new JobRegistry({ now: () => clock }) });
    const segment = (id: string, method: string, rule?: unknown) => post('/api/segments', { id, name: id, method, ...(rule ? { rule } : {}) });
    // Perm (with its district) and not marked for deletion: p1, p2.
    const perm = {
      all: [
        { attr: 'region', op: 'inHierarchy', value: 'perm' },
        { attr: 'deleted', op: 'eq', value: false },
      ],
    };
    expect((await segment('perm', 'periodic', perm)).statusCode).toBe(201);
    expect((await segment('perm-live', 'dynamic', perm)).statusCode).toBe(201);
    expect((await segment('by-hand', 'manual')).statusCode).toBe(201);
  });
  afterAll(async () => {
    gate?.open();
    await app?.close();
    await raw?.close();
  });

  it('answers 202 with a job, shows its stage and progress while it runs, and ends with the result the synchronous call gives', async () => {
    const first = await post('/api/segments/perm/refresh');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ segmentId: 'perm', size: 2, entered: 2, left: 0 });
    // The estimate's base: the last generation took 2 s.
    await raw.run("UPDATE segment_runs SET duration_ms = 2000 WHERE segment_id = 'perm'");

    gate.hold();
    const started = await post('/api/segments/perm/refresh', { async: true });
    expect(started.statusCode, started.body).toBe(202);
    const job = started.json();
    expect(job).toMatchObject({ type: 'segment-refresh', subject: 'perm', status: 'running', stage: 'starting', progress: 0, expectedMs: 2000, result: null, error: null, finishedAt: null });
    expect(job.id).toMatch(UUID);
    expect(job.stages).toEqual([...SEGMENT_REFRESH_STAGES]);
    expect(job.startedAt).toBe(new Date(clock).toISOString());

    await gate.reached();
    const at = async () => (await get(`/api/jobs/${job.id}`)).json();
    expect(await at()).toMatchObject({ status: 'running', stage: 'evaluating', elapsedMs: 0 });
    expect((await at()).progress).toBeCloseTo(share('starting'), 3);
    // Evaluating is 40 % of the work: 0.8 s of the 2 s; 0.4 s in, it is half done.
    const evaluatingMs = 2000 * share('evaluating');
    clock += evaluatingMs / 2;
    const halfway = await at();
    expect(halfway.elapsedMs).toBe(evaluatingMs / 2);
    expect(halfway.progress).toBeCloseTo(share('starting') + share('evaluating') / 2, 3);
    // Longer than last time: still moving, never into the next stage.
    clock += 5_000;
    const late = (await at()).progress;
    expect(late).toBeGreaterThan(share('starting') + share('evaluating') * 0.9);
    expect(late).toBeLessThan(share('starting') + share('evaluating'));

    // While it runs: the segment says so, and a second Generate (either way) is refused.
    expect((await get('/api/segments/perm')).json().status).toBe('generating');
    for (const again of [await post('/api/segments/perm/refresh', { async: true }), await post('/api/segments/perm/refresh')]) {
      expect(again.statusCode).toBe(409);
      expect(again.json().error).toMatchObject({ code: 'SEGMENT_REBUILD_RUNNING', details: { id: 'perm' } });
    }
    const running = (await get('/api/jobs?segment=perm&status=running')).json().items;
    expect(running.map((j: { id: string }) => j.id)).toEqual([job.id]);

    gate.open();
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: 'succeeded', stage: 'finishing', progress: 1, error: null, elapsedMs: evaluatingMs / 2 + 5_000, finishedAt: new Date(clock).toISOString() });
    expect(done.result).toMatchObject({ segmentId: 'perm', size: 2, entered: 0, left: 0 });
    const runs = (await get('/api/segments/perm/runs')).json().items;
    expect(runs[0]).toMatchObject({ id: done.result.runId, status: 'ok', trigger: 'api', size: 2 });
    expect((await get('/api/segments/perm')).json().status).toBe('ready');
  });

  it('writes the composition and history as the synchronous call does', async () => {
    await raw.run("UPDATE partners SET deleted = TRUE WHERE id = 'p2'");
    const job = (await post('/api/segments/perm/refresh', { async: true })).json();
    const done = await finished(job.id);
    expect(done.result).toMatchObject({ size: 1, entered: 0, left: 1 });
    expect((await get('/api/segments/perm/members')).json().items.map((p: { id: string }) => p.id)).toEqual(['p1']);
    const history = (await get('/api/segments/perm/history')).json().items;
    expect(history[0]).toMatchObject({ memberId: 'p2', event: 'left', runId: done.result.runId });

    await raw.run("UPDATE partners SET deleted = FALSE WHERE id = 'p2'");
    const sync = (await post('/api/segments/perm/refresh')).json();
    expect(sync).toMatchObject({ size: 2, entered: 1, left: 0 });
  });

  it('reports a failed generation with the error the synchronous call gives, and records the run', async () => {
    const job = (await post('/api/segments/by-hand/refresh', { async: true })).json();
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: 'failed', stage: 'evaluating', result: null });
    expect(done.progress).toBeLessThan(1);
    expect(done.error).toEqual({ code: 'SEGMENT_HAS_NO_RULE', message: 'Segment "by-hand" has no rule to fill it by', details: { id: 'by-hand' } });
    const sync = await post('/api/segments/by-hand/refresh');
    expect(sync.statusCode).toBe(409);
    expect(sync.json()).toEqual({ error: done.error });
    const runs = (await get('/api/segments/by-hand/runs')).json().items;
    expect(runs.map((r: { status: string }) => r.status)).toEqual(['failed', 'failed']);
  });

  it('refuses at once, with no job, what cannot be generated', async () => {
    const before = (await get('/api/jobs')).json().items.length;
    const missing = await post('/api/segments/nobody/refresh', { async: true });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('SEGMENT_NOT_FOUND');
    const dynamic = await post('/api/segments/perm-live/refresh', { async: true });
    expect(dynamic.statusCode).toBe(409);
    expect(dynamic.json().error).toMatchObject({ code: 'SEGMENT_NOT_STORED', details: { id: 'perm-live', method: 'dynamic' } });
    expect((await post('/api/segments/perm/refresh', { async: 'yes' })).statusCode).toBe(400);
    expect((await get('/api/jobs')).json().items).toHaveLength(before);
  });

  it('lists jobs newest first, and forgets finished ones after 15 minutes', async () => {
    const items = (await get('/api/jobs?segment=perm')).json().items;
    expect(items.length).toBe(2);
    expect(items.every((j: { status: string }) => j.status === 'succeeded')).toBe(true);
    const unknown = await get('/api/jobs/00000000-0000-0000-0000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'JOB_NOT_FOUND', details: { id: '00000000-0000-0000-0000-000000000000' } });
    clock += 16 * 60_000;
    expect((await get(`/api/jobs/${items[0].id}`)).statusCode).toBe(404);
    expect((await get('/api/jobs')).json().items).toEqual([]);
  });

  it('describes the jobs in the OpenAPI document', async () => {
    const doc = (await get('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/jobs', '/api/jobs/{id}']));
    const refresh = doc.paths['/api/segments/{id}/refresh'].post;
    expect(Object.keys(refresh.responses)).toEqual(expect.arrayContaining(['200', '202', '404', '409']));
    expect(JSON.stringify(refresh.requestBody)).toContain('async');
  });
});
