/**
 * The composition root (issue 13): rebuilds — one segment or a batch, the same swap — and
 * manual edits hand their listener who entered and who left, by id, inside the transaction; a
 * scheduler made by createServices follows every segment saved or deleted without the caller
 * telling it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../src/app/services.js';
import type { CompositionChange } from '../src/domain/segments/compositions.js';
import { refreshSegments } from '../src/domain/segments/batch-refresh.js';
import { addMembers, removeMembers } from '../src/domain/segments/manual-members.js';
import { rebuildSegment } from '../src/domain/segments/rebuild.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';

const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, checkOnCreate: false, competitors: [], archived: false };
const byRegion = (region: string) => ({ attr: 'region', op: 'inHierarchy', value: region });

describe.each(ENGINES)('composition changes and the composition root on $name', (engine) => {
  let db: Database;
  let services: Services;
  const heard: CompositionChange[] = [];
  const members = async (id: string) => (await db.query<{ id: string }>('SELECT member_id AS id FROM segment_members WHERE segment_id = $1 ORDER BY member_id', [id])).map((r) => r.id);

  beforeAll(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
    services = createServices(db);
  });
  afterAll(async () => db.close());

  it('reads no ids while nobody listens', () => {
    expect(services.compositionListener()).toBeUndefined();
    services.events.on('composition.changed', ({ change }) => {
      heard.push(change);
    });
    expect(services.compositionListener()).toBeTypeOf('function');
  });

  it('tells who entered a single rebuild and who left a batch refresh, by id, with the run', async () => {
    await services.segments.create({ ...base, id: 'here', name: 'Здесь', method: 'periodic', rule: byRegion('perm') });
    await services.segments.create({ ...base, id: 'moscow', name: 'Москва', method: 'periodic', rule: byRegion('msk') });
    heard.length = 0;
    const first = await rebuildSegment(db, await getSegment(db, 'here'), 'cli', { onChange: services.compositionListener() });
    const perm = await members('here');
    expect(perm.length).toBeGreaterThan(0);
    expect(heard).toEqual([{ segmentId: 'here', runId: first.runId, entered: perm, left: [] }]);

    await services.segments.update('here', { rule: byRegion('msk') });
    heard.length = 0;
    const report = await refreshSegments(db, ['here', 'moscow'], { trigger: 'cli', onChange: services.compositionListener() });
    expect(report.batched).toBe(2);
    const moscow = await members('moscow');
    expect(await members('here')).toEqual(moscow);
    const runOf = (id: string) => report.segments.find((s) => s.segmentId === id)!.runId;
    expect(heard.sort((a, b) => a.segmentId.localeCompare(b.segmentId))).toEqual([
      { segmentId: 'here', runId: runOf('here'), entered: moscow, left: perm },
      { segmentId: 'moscow', runId: runOf('moscow'), entered: moscow, left: [] },
    ]);
    // Nothing changed: nothing to tell.
    heard.length = 0;
    await refreshSegments(db, ['here', 'moscow'], { trigger: 'cli', onChange: services.compositionListener() });
    expect(heard).toEqual([]);
  });

  it('tells manual additions and removals, without a run', async () => {
    const manual = await services.segments.create({ ...base, id: 'hand', name: 'Вручную', method: 'manual', rule: null });
    heard.length = 0;
    expect(await addMembers(db, manual, ['p2', 'p1', 'p1'], services.compositionListener())).toBe(2);
    expect(await removeMembers(db, manual, ['p2', 'p3'], services.compositionListener())).toBe(1);
    expect(heard).toEqual([
      { segmentId: 'hand', runId: null, entered: ['p1', 'p2'], left: [] },
      { segmentId: 'hand', runId: null, entered: [], left: ['p2'] },
    ]);
  });

  it('keeps its scheduler in step with every segment saved or deleted', async () => {
    const scheduled = createServices(db, { schedules: { log: () => undefined } });
    const scheduler = scheduled.scheduler!;
    // Started, as serve starts it (before start() it schedules nothing: test/segment-scheduler.test.ts).
    await scheduler.start();
    try {
      await scheduled.segments.create({ ...base, id: 'nightly', name: 'Ночью', method: 'periodic', schedule: '0 3 * * *', rule: byRegion('perm') });
      expect(scheduler.nextRun('nightly')).not.toBeNull();
      await scheduled.segments.update('nightly', { archived: true });
      expect(scheduler.nextRun('nightly')).toBeNull();
      await scheduled.segments.update('nightly', { archived: false });
      expect(scheduler.nextRun('nightly')).not.toBeNull();
      await scheduled.segments.delete('nightly');
      expect(scheduler.nextRun('nightly')).toBeNull();
    } finally {
      scheduler.stop();
    }
  });
});
