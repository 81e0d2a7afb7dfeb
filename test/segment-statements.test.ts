/**
 * The statements of domain/segments that bind a value per id (written with `sql` and
 * `inChunks`) or build their WHERE from options: lists longer than one statement takes, the
 * history's filters, runs started and failed together, and a partner's stored segments as of
 * a date, read from the history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../src/app/services.js';
import { addMembers, removeMembers } from '../src/domain/segments/manual-members.js';
import { memberRecords } from '../src/domain/segments/member-records.js';
import { listHistory } from '../src/domain/segments/membership-history.js';
import { partnerSegments } from '../src/domain/segments/partner-segments.js';
import { explainMember } from '../src/domain/segments/preview-explain.js';
import { failRuns, listRuns, startRuns } from '../src/domain/segments/runs.js';
import { getSegment, listSegments, sqlTimestamp } from '../src/domain/segments/segments.repository.js';
import { inChunks } from '../src/sql/in-chunks.js';
import { sql } from '../src/sql/sql.js';
import { ALL_PARTNERS } from '../src/domain/access/principal.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';

/** More than two chunks of additions and removals (500 ids a statement). */
const BULK = Array.from({ length: 1234 }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);
const base = { kind: 'partner' as const, parameters: {}, schedule: null, checkOnCreate: false, competitors: [], archived: false };
const today = () => new Date().toISOString().slice(0, 10);

describe.each(ENGINES)('segment statements binding many values on $name', (engine) => {
  let db: Database;
  let services: Services;
  const size = async (id: string) => (await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM segment_members WHERE segment_id = ${id}`))[0]!.n;
  const events = async (id: string, event: string) => (await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM segment_history WHERE segment_id = ${id} AND event = ${event}`))[0]!.n;

  beforeAll(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
    await inChunks(BULK, 500, (chunk) =>
      db.run(
        sql`INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, region_id, birth_date, registered_at, deleted) VALUES ${sql.join(
          chunk.map((id) => sql`(${id}, ${`Партнёр ${id}`}, TRUE, FALSE, FALSE, FALSE, 'company', 'perm', NULL, '2024-01-01', FALSE)`),
        )}`,
      ),
    );
    services = createServices(db);
    await services.segments.create({ ...base, id: 'many', name: 'Многие', description: 'added by hand', method: 'manual', rule: null });
  });
  afterAll(async () => db.close());

  it('adds and removes more members than one statement binds, each once, with one history event each', async () => {
    const many = await getSegment(db, 'many');
    expect(await addMembers(db, many, [...BULK, ...BULK.slice(0, 10)])).toBe(BULK.length);
    expect(await addMembers(db, many, [...BULK.slice(1000), 'p1'])).toBe(1);
    expect(await removeMembers(db, many, [...BULK.slice(0, 700), 'p2'])).toBe(700);
    expect(await size('many')).toBe(BULK.length - 700 + 1);
    expect(await events('many', 'entered')).toBe(BULK.length + 1);
    expect(await events('many', 'left')).toBe(700);
    await expect(addMembers(db, many, ['bulk-0001', 'nobody'])).rejects.toMatchObject({ code: 'ENTITY_NOT_FOUND' });
  });

  it('filters the history by date and member', async () => {
    const MANY = { id: 'many', kind: 'partner' } as const;
    expect((await listHistory(db, ALL_PARTNERS, MANY, { limit: 10, offset: 0 })).total).toBe(BULK.length + 1 + 700);
    const one = await listHistory(db, ALL_PARTNERS, MANY, { memberId: 'bulk-0001', from: today(), to: today(), limit: 10, offset: 0 });
    expect(one.items.map((e) => e.event).sort()).toEqual(['entered', 'left']);
    expect((await listHistory(db, ALL_PARTNERS, MANY, { to: '2000-01-01', limit: 10, offset: 0 })).total).toBe(0);
    expect((await listHistory(db, ALL_PARTNERS, MANY, { from: '2999-01-01', memberId: 'bulk-0001', limit: 10, offset: 0 })).total).toBe(0);
    const page = await listHistory(db, ALL_PARTNERS, MANY, { from: today(), limit: 5, offset: 3 });
    expect(page.items).toHaveLength(5);
  });

  it("finds a partner's stored segments now and as of a date, and explains them", async () => {
    const ids = async (partner: string, asOf?: string) => (await partnerSegments(db, ALL_PARTNERS, partner, asOf)).map((s) => s.id);
    expect(await ids('bulk-1000')).toEqual(['many']);
    expect(await ids('bulk-1000', today())).toEqual(['many']);
    expect(await ids('bulk-0001', today())).toEqual([]);
    expect(await ids('bulk-1000', '2000-01-01')).toEqual([]);
    const many = await getSegment(db, 'many');
    expect((await explainMember(db, ALL_PARTNERS, many, 'bulk-1000', today())).member).toBe(true);
    expect((await explainMember(db, ALL_PARTNERS, many, 'bulk-0001', today())).member).toBe(false);
    await expect(explainMember(db, ALL_PARTNERS, many, 'nobody')).rejects.toMatchObject({ code: 'ENTITY_NOT_FOUND' });
  });

  it('reads records in the order of the ids asked for', async () => {
    const records = await memberRecords(db, 'partner', ['bulk-0002', 'nobody', 'p1', 'bulk-0001']);
    expect(records.map((r) => r.id)).toEqual(['bulk-0002', 'p1', 'bulk-0001']);
  });

  it('lists segments by kind, method, archived and text in name, id or description together', async () => {
    await services.segments.create({ ...base, id: 'perm-100', name: 'Пермь 100%', description: '', method: 'dynamic', rule: { attr: 'region', op: 'inHierarchy', value: 'perm' } });
    const ids = async (filter: Parameters<typeof listSegments>[1]) => (await listSegments(db, filter)).map((s) => s.id);
    expect(await ids({ kind: 'partner', method: 'manual', archived: false })).toEqual(['many']);
    expect(await ids({ q: 'BY HAND' })).toEqual(['many']);
    expect(await ids({ q: 'perm-1', method: 'dynamic' })).toEqual(['perm-100']);
    expect(await ids({ q: '100%' })).toEqual(['perm-100']);
    expect(await ids({ q: '0%', kind: 'product' })).toEqual([]);
  });

  it('starts and fails runs for more segments than one statement takes', async () => {
    const segments = Array.from({ length: 650 }, (_, i) => `run-${i}`);
    const runs = await startRuns(db, segments, 'cli', sqlTimestamp());
    expect([...runs.keys()].sort()).toEqual([...segments].sort());
    expect(new Set(runs.values()).size).toBe(650);
    await failRuns(db, [...runs.values()], new Error('boom'), 7);
    const [last] = await listRuns(db, 'run-649');
    expect(last).toMatchObject({ id: runs.get('run-649'), trigger: 'cli', status: 'failed', error: 'boom', durationMs: 7 });
    const failed = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM segment_runs WHERE status = 'failed' AND error = ${'boom'}`);
    expect(Number(failed[0]!.n)).toBe(650);
  });
});
