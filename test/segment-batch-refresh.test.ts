/**
 * Refreshing many periodic segments together (issue 7): the compositions, runs and history a
 * batch writes are those of one-by-one rebuilds; a segment reading another sees its new
 * composition; one bad segment fails alone. Expectations are worked out by hand from the
 * small company (segments-fixture.ts) as of 2025-06-15.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import { refreshSegments } from '../src/domain/segments/batch-refresh.js';
import { rebuildSegment } from '../src/domain/segments/rebuild.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import { createServices } from '../src/app/services.js';
import type { SegmentInput } from '../src/domain/segments/segment.schema.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';

const AS_OF = '2025-06-15';
const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, checkOnCreate: false, competitors: [], archived: false };
const last90 = { last: { days: 90 } };

/** Periodic segments of the small company; 'big-buyers' reads 'buyers', 'drill-buyers' reads the product segment 'drills'. */
const SEGMENTS: SegmentInput[] = [
  { ...base, kind: 'product', id: 'drills', name: 'Дрели', method: 'periodic', rule: { attr: 'group', op: 'inHierarchy', value: 'drills' } },
  { ...base, id: 'buyers', name: 'Покупали за 90 дней', method: 'periodic', rule: { measure: 'sales.revenue', period: last90, op: 'gt', value: 0 } },
  {
    ...base,
    id: 'big-buyers',
    name: 'Крупные покупатели',
    method: 'periodic',
    rule: { all: [{ inSegment: 'buyers' }, { measure: 'sales.revenue', period: last90, op: 'gte', value: { param: 'threshold' } }] },
    parameters: { threshold: 10000 },
  },
  { ...base, id: 'perm', name: 'Пермь', method: 'periodic', rule: { attr: 'region', op: 'inHierarchy', value: 'perm' } },
  { ...base, id: 'drill-buyers', name: 'Брали дрели', method: 'periodic', rule: { measure: 'sales.quantity', where: { productSegment: 'drills' }, op: 'gt', value: 0 } },
  { ...base, id: 'lapsed', name: 'Давно не покупали', method: 'periodic', rule: { measure: 'sales.daysSinceLast', op: 'gt', value: 30 } },
  { ...base, id: 'by-hand', name: 'Вручную', method: 'manual', rule: null },
];

describe.each(ENGINES)('refreshing segments together on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  const members = async (id: string) => (await db.query<{ id: string }>('SELECT member_id AS id FROM segment_members WHERE segment_id = $1 ORDER BY member_id', [id])).map((r) => r.id);

  beforeAll(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
    for (const segment of SEGMENTS) await createServices(db).segments.create(segment);
    app = await buildTestApp({ db });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('computes every periodic segment from one table of measures, dependencies first', async () => {
    const report = await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf: AS_OF });
    // The product segment is rebuilt alone, first; the five partner segments together (reported big-buyers after buyers).
    const order = report.segments.map((s) => s.segmentId);
    expect([...order].sort()).toEqual(['big-buyers', 'buyers', 'drill-buyers', 'drills', 'lapsed', 'perm']);
    expect(order[0]).toBe('drills');
    expect(order.indexOf('big-buyers')).toBeGreaterThan(order.indexOf('buyers'));
    expect(report).toMatchObject({ asOf: AS_OF, batched: 5, factScans: 1 });
    // Revenue over 90 days (shared by two rules), quantity of drills, days since the last purchase.
    expect(report.distinctMeasures).toBe(3);
    expect(report.segments.every((s) => s.status === 'ok')).toBe(true);
    expect(await members('drills')).toEqual(['g1']);
    // p1 bought 18 000 in May–June, p2 4 000 in April; p3's only recent line is a return.
    expect(await members('buyers')).toEqual(['p1', 'p2']);
    expect(await members('big-buyers')).toEqual(['p1']);
    expect(await members('perm')).toEqual(['p1', 'p2', 'p4']);
    // Drills (g1): p1 10, p2 1, p3 20 − 2.
    expect(await members('drill-buyers')).toEqual(['p1', 'p2', 'p3']);
    // Last purchase (returns do not count): p2 on April 20 (56 days), p3 on 2024-01-15; p4 and p5 never bought.
    expect(await members('lapsed')).toEqual(['p2', 'p3']);
    expect(report.segments.find((s) => s.segmentId === 'perm')).toMatchObject({ size: 3, entered: 3, left: 0 });
  });

  it('records each run and who entered, as a single rebuild does', async () => {
    const runs = await db.query<{ id: number; segment_id: string; trigger: string; status: string; size: number; entered: number; left_count: number }>(
      "SELECT id, segment_id, trigger, status, size, entered, left_count FROM segment_runs WHERE segment_id IN ('buyers', 'lapsed') ORDER BY segment_id",
    );
    expect(runs.map(({ id: _, ...r }) => r)).toEqual([
      { segment_id: 'buyers', trigger: 'cli', status: 'ok', size: 2, entered: 2, left_count: 0 },
      { segment_id: 'lapsed', trigger: 'cli', status: 'ok', size: 2, entered: 2, left_count: 0 },
    ]);
    const history = await db.query<{ member_id: string; event: string; run_id: number }>("SELECT member_id, event, run_id FROM segment_history WHERE segment_id = 'buyers' ORDER BY member_id");
    expect(history).toEqual([
      { member_id: 'p1', event: 'entered', run_id: runs[0]!.id },
      { member_id: 'p2', event: 'entered', run_id: runs[0]!.id },
    ]);
  });

  it('lets a segment see the new composition of a segment it reads, refreshed in the same batch', async () => {
    // p4 buys 20 000 in May and p2 returns its April purchase in June.
    await db.appendRows(
      'sales',
      ['id', 'document', 'date', 'partner_id', 'product_id', 'quantity', 'revenue', 'cost', 'manager_id'],
      [
        ['s6', 'D6', '2025-05-20', 'p4', 'g2', '50', '20000', '15000', 'm1'],
        ['s7', 'D7', '2025-06-10', 'p2', 'g1', '-1', '-4000', '-2500', 'm2'],
      ],
    );
    const report = await refreshSegments(db, ['big-buyers', 'buyers', 'lapsed'], { trigger: 'api', asOf: AS_OF });
    const order = report.segments.map((s) => s.segmentId);
    expect(order.indexOf('big-buyers')).toBeGreaterThan(order.indexOf('buyers'));
    expect(await members('buyers')).toEqual(['p1', 'p4']);
    // Had big-buyers read the old list of buyers, p4 would be missing.
    expect(await members('big-buyers')).toEqual(['p1', 'p4']);
    // p4 bought 26 days ago; p2's return is no purchase.
    expect(await members('lapsed')).toEqual(['p2', 'p3']);
    expect(report.segments.find((s) => s.segmentId === 'buyers')).toMatchObject({ status: 'ok', size: 2, entered: 1, left: 1 });
    const history = await db.query("SELECT member_id, event FROM segment_history WHERE segment_id = 'buyers' ORDER BY occurred_at, event, member_id");
    expect(history.slice(2)).toEqual([
      { member_id: 'p4', event: 'entered' },
      { member_id: 'p2', event: 'left' },
    ]);
  });

  it('finds a stored composition changed behind its back even at the same size, and leaves unchanged ones alone', async () => {
    await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf: AS_OF });
    const perm = await members('perm');
    const stranger = ['p1', 'p2', 'p3', 'p4', 'p5'].find((id) => !perm.includes(id))!;
    // One member swapped for another by hand: the size is the same, the set is not.
    await db.run("UPDATE segment_members SET member_id = $1 WHERE segment_id = 'perm' AND member_id = $2", [stranger, perm[0]!]);
    const report = await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf: AS_OF });
    expect(await members('perm')).toEqual(perm);
    expect(report.segments.find((s) => s.segmentId === 'perm')).toMatchObject({ status: 'ok', size: perm.length, entered: 1, left: 1 });
    for (const other of report.segments.filter((s) => s.segmentId !== 'perm')) expect(other, other.segmentId).toMatchObject({ status: 'ok', entered: 0, left: 0 });
  });

  it('gives the compositions one-by-one rebuilds give', async () => {
    await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf: AS_OF });
    const together = new Map<string, string[]>();
    for (const s of SEGMENTS.filter((s) => s.method === 'periodic')) together.set(s.id, await members(s.id));
    for (const s of SEGMENTS.filter((s) => s.method === 'periodic')) await rebuildSegment(db, await getSegment(db, s.id), 'cli', { asOf: AS_OF });
    for (const [id, list] of together) expect(await members(id), id).toEqual(list);
  });

  it('fails a segment whose stored rule no longer checks, alone, keeping its old composition', async () => {
    await db.run(`UPDATE segments SET rule = $1 WHERE id = 'perm'`, [JSON.stringify({ attr: 'colour', op: 'eq', value: 'red' })]);
    await db.run("DELETE FROM partners WHERE id = 'p4'");
    const report = await refreshSegments(db, 'all-periodic', { trigger: 'cli', asOf: AS_OF });
    const perm = report.segments.find((s) => s.segmentId === 'perm')!;
    expect(perm).toMatchObject({ status: 'failed', size: null });
    expect(perm.error).toMatch(/colour/);
    expect(await members('perm')).toEqual(['p1', 'p2', 'p4']);
    // The others still ran: p4 is gone from the partners, so from the buyers.
    expect(
      report.segments
        .filter((s) => s.status === 'ok')
        .map((s) => s.segmentId)
        .sort(),
    ).toEqual(['big-buyers', 'buyers', 'drill-buyers', 'drills', 'lapsed']);
    expect(await members('buyers')).toEqual(['p1']);
    const [run] = await db.query<{ status: string; error: string }>("SELECT status, error FROM segment_runs WHERE segment_id = 'perm' ORDER BY id DESC LIMIT 1");
    expect(run).toMatchObject({ status: 'failed' });
    expect(run!.error).toMatch(/colour/);
  });

  it('refreshes through POST /api/segments/refresh, all periodic ones or the ids given', async () => {
    await db.run(`UPDATE segments SET rule = $1 WHERE id = 'perm'`, [JSON.stringify({ attr: 'region', op: 'inHierarchy', value: 'perm' })]);
    const some = await app.inject({ method: 'POST', url: '/api/segments/refresh', payload: { ids: ['perm', 'lapsed'], asOf: AS_OF } });
    expect(some.statusCode, some.body).toBe(200);
    expect(some.json()).toMatchObject({ asOf: AS_OF, batched: 2, distinctMeasures: 1 });
    const rows = some.json().segments.map((s: { segmentId: string; status: string; left: number }) => [s.segmentId, s.status, s.left]);
    expect(rows.sort()).toEqual([
      ['lapsed', 'ok', 0],
      ['perm', 'ok', 1],
    ]);
    const all = await app.inject({ method: 'POST', url: '/api/segments/refresh', payload: { asOf: AS_OF } });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().segments).toHaveLength(6);
    const dynamic = await app.inject({ method: 'POST', url: '/api/segments/refresh', payload: { ids: ['nope'] } });
    expect(dynamic.statusCode).toBe(404);
    expect(dynamic.json().error.code).toBe('SEGMENT_NOT_FOUND');
  });
});
