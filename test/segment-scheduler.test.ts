import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPartnersOnCreate } from '../src/domain/segments/check-on-create.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import { createServices } from '../src/app/services.js';
import { SegmentScheduler } from '../src/domain/segments/scheduler.js';
import { closeAtOnce, closeWhenJoined } from '../src/scheduling/coalescing.js';
import { checkSchedule, nextRun } from '../src/scheduling/schedule.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';

const base = { kind: 'partner' as const, description: '', parameters: {}, competitors: [], archived: false };

describe('schedules', () => {
  it('accepts cron expressions and 1C-style intervals, and refuses nonsense', () => {
    expect(checkSchedule('every 1200 seconds')).toMatchObject({ ok: true });
    expect(checkSchedule('0 3 * * *')).toMatchObject({ ok: true });
    expect(checkSchedule('every 2 seconds')).toMatchObject({ ok: false });
    expect(checkSchedule('at teatime')).toMatchObject({ ok: false });
  });

  it('puts the next interval run 1200 s after the last one', () => {
    const last = new Date('2026-01-01T10:00:00Z');
    expect(nextRun('every 1200 seconds', last, new Date('2026-01-01T10:05:00Z'))?.toISOString()).toBe('2026-01-01T10:20:00.000Z');
    expect(nextRun('0 3 * * *', null, new Date('2026-01-01T10:05:00Z'))).not.toBeNull();
  });
});

describe.each(ENGINES)('scheduler and check on create on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
  });
  afterAll(async () => db.close());

  it('schedules nothing it hears before it starts, then every stored segment (the first start generates the demo undisturbed)', async () => {
    const services = createServices(db, { schedules: { log: () => undefined } });
    const scheduler = services.scheduler!;
    await services.segments.create({
      ...base,
      id: 'heard-early',
      name: 'early',
      method: 'periodic',
      rule: { attr: 'region', op: 'inHierarchy', value: 'perm' },
      schedule: 'every 1200 seconds',
      checkOnCreate: false,
    });
    expect(scheduler.nextRun('heard-early')).toBeNull();
    await scheduler.start();
    try {
      expect(scheduler.nextRun('heard-early')).not.toBeNull();
      await services.segments.update('heard-early', { schedule: '0 3 * * *' });
      expect(scheduler.nextRun('heard-early')!.getHours()).toBe(3);
    } finally {
      scheduler.stop();
    }
  });

  it('runs each scheduled firing once even when two server processes fire it', async () => {
    // Seed 002's birthday segment: private persons, not deleted, birthday today; every 1200 seconds.
    const segment = await createServices(db).segments.create({
      ...base,
      id: 'birthday',
      name: 'День рождения сегодня',
      method: 'periodic',
      schedule: 'every 1200 seconds',
      checkOnCreate: false,
      rule: {
        all: [
          { attr: 'legalForm', op: 'eq', value: 'person' },
          { attr: 'deleted', op: 'eq', value: false },
          { attr: 'birthDate', op: 'anniversaryWithin', value: 0 },
        ],
      },
    });
    // Each firing is a batch of its own: no timer to wait for.
    const a = new SegmentScheduler(db, undefined, { window: closeAtOnce });
    const b = new SegmentScheduler(db, undefined, { window: closeAtOnce });
    const now = new Date();
    const ran = await Promise.all([a.fire(segment, now), b.fire(segment, now)]);
    expect(ran.filter(Boolean)).toHaveLength(1);
    const runs = await db.query<{ trigger: string; status: string }>('SELECT trigger, status FROM segment_runs WHERE segment_id = $1', ['birthday']);
    expect(runs).toEqual([{ trigger: 'schedule', status: 'ok' }]);
    // The next firing (another 1200-second slot) runs again.
    expect(await a.fire(segment, new Date(now.getTime() + 1_200_000))).toBe(true);
  });

  it('refreshes segments that fall due together as one batch', async () => {
    const rule = (legalForm: string) => ({ attr: 'legalForm', op: 'eq', value: legalForm });
    const people = await createServices(db).segments.create({ ...base, id: 'people', name: 'Люди', method: 'periodic', schedule: '0 3 * * *', checkOnCreate: false, rule: rule('person') });
    const firms = await createServices(db).segments.create({ ...base, id: 'firms', name: 'Фирмы', method: 'periodic', schedule: '0 3 * * *', checkOnCreate: false, rule: rule('company') });
    const logged: string[] = [];
    // The batch closes when both have joined, however long their claims take.
    const scheduler = new SegmentScheduler(db, (m) => logged.push(m), { window: closeWhenJoined(2) });
    const at3 = new Date('2030-01-01T03:00:00Z');
    expect(await Promise.all([scheduler.fire(people, at3), scheduler.fire(firms, at3)])).toEqual([true, true]);
    const runs = await db.query<{ segment_id: string; status: string; started_at: string; size: number }>(
      "SELECT segment_id, status, started_at, size FROM segment_runs WHERE segment_id IN ('people', 'firms') ORDER BY segment_id",
    );
    expect(runs.map((r) => [r.segment_id, r.status, r.size])).toEqual([
      ['firms', 'ok', 3],
      ['people', 'ok', 2],
    ]);
    // One batch: both runs started together.
    expect(runs[0]!.started_at).toBe(runs[1]!.started_at);
    expect(logged.some((m) => m.includes('with 1 others due'))).toBe(true);
  });

  it('adds a partner created or changed by an import to a periodic segment that checks on create', async () => {
    await createServices(db).segments.create({
      ...base,
      id: 'perm-companies',
      name: 'Компании Перми',
      method: 'periodic',
      schedule: null,
      checkOnCreate: true,
      rule: {
        all: [
          { attr: 'region', op: 'inHierarchy', value: 'perm' },
          { attr: 'legalForm', op: 'eq', value: 'company' },
        ],
      },
    });
    const csv = 'id;name;legalForm;region;roles\np6;ООО Новое;company;perm-d;customer\np7;ООО Москва;company;msk;customer\np3;АО Москва-Трейд;company;perm;customer\n';
    const report = await createServices(db).importData([csv], { entity: 'partners', format: 'csv' });
    expect(report).toMatchObject({ inserted: 2, updated: 1 });
    const members = await db.query<{ id: string }>("SELECT member_id AS id FROM segment_members WHERE segment_id = 'perm-companies' ORDER BY member_id");
    expect(members.map((m) => m.id)).toEqual(['p3', 'p6']);
    const history = await db.query("SELECT member_id, event FROM segment_history WHERE segment_id = 'perm-companies' ORDER BY member_id");
    expect(history).toEqual([
      { member_id: 'p3', event: 'entered' },
      { member_id: 'p6', event: 'entered' },
    ]);
    // Removal waits for the next rebuild: a partner that stops matching stays until then.
    await createServices(db).importData(['id;name;legalForm;region\np6;ООО Новое;company;msk\n'], { entity: 'partners', format: 'csv' });
    expect((await db.query("SELECT member_id FROM segment_members WHERE segment_id = 'perm-companies'")).length).toBe(2);
    expect(await checkPartnersOnCreate(db, ['p1'])).toEqual([{ segmentId: 'perm-companies', added: ['p1'] }]);
    expect((await getSegment(db, 'perm-companies')).checkOnCreate).toBe(true);
  });
});
