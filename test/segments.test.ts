import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';

const AS_OF = '2025-06-15';

describe.each(ENGINES)('segments through the API on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });
  const get = (url: string) => app.inject({ method: 'GET', url });
  const memberIds = async (id: string, query = '') =>
    (await get(`/api/segments/${id}/members?limit=1000${query}`))
      .json()
      .items.map((p: { id: string }) => p.id)
      .sort();

  beforeAll(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
    app = await buildTestApp({ db });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const permRule = {
    all: [
      { attr: 'region', op: 'inHierarchy', value: 'perm' },
      { attr: 'deleted', op: 'eq', value: false },
    ],
  };

  it('creates a dynamic segment whose composition is computed on read', async () => {
    const res = await post('/api/segments', { id: 'perm', name: 'Пермь', method: 'dynamic', rule: permRule });
    expect(res.statusCode, res.body).toBe(201);
    expect(await memberIds('perm')).toEqual(['p1', 'p2']);
    const list = (await get('/api/segments')).json().items;
    expect(list.find((s: { id: string }) => s.id === 'perm')).toMatchObject({ method: 'dynamic', status: 'computed on read', size: null });
  });

  it('previews a rule without saving anything', async () => {
    const res = await post('/api/segments/preview', {
      rule: { measure: 'sales.revenue', period: { last: { days: 60 } }, op: 'gt', value: 10000 },
      asOf: AS_OF,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().count).toBe(1);
    expect(res.json().sample.map((p: { id: string }) => p.id)).toEqual(['p1']);
    expect((await get('/api/segments/preview-should-not-exist')).statusCode).toBe(404);
  });

  it('refuses an invalid rule with the path of the bad node', async () => {
    const res = await post('/api/segments', {
      id: 'bad',
      name: 'Bad',
      method: 'dynamic',
      rule: {
        all: [
          { attr: 'region', op: 'eq', value: 'perm' },
          { attr: 'colour', op: 'eq', value: 'red' },
        ],
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('RULE_INVALID');
    expect(JSON.stringify(res.json().error.details)).toContain('all[1]');
  });

  it('generates a periodic segment atomically and records who entered and left', async () => {
    const created = await post('/api/segments', {
      id: 'buyers-60d',
      name: 'Покупали за 60 дней',
      method: 'periodic',
      schedule: 'every 1200 seconds',
      rule: { measure: 'sales.revenue', period: { last: { days: 60 } }, op: 'gt', value: 0 },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(await memberIds('buyers-60d')).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    await db.run(`INSERT INTO sales (id, document, date, partner_id, product_id, quantity, revenue, cost) VALUES ('today', 'DT', CAST($1 AS DATE), 'p2', 'g1', 1, 500, 300)`, [today]);
    const first = await post('/api/segments/buyers-60d/refresh', {});
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ size: 1, entered: 1, left: 0 });
    expect(await memberIds('buyers-60d')).toEqual(['p2']);
    await db.run(`DELETE FROM sales WHERE id = 'today'`);
    expect((await post('/api/segments/buyers-60d/refresh', {})).json()).toMatchObject({ size: 0, entered: 0, left: 1 });
    expect(await memberIds('buyers-60d')).toEqual([]);
    const events = (await get('/api/segments/buyers-60d/history')).json().items.map((e: { memberId: string; event: string }) => `${e.memberId}:${e.event}`);
    expect(events.sort()).toEqual(['p2:entered', 'p2:left']);
    const runs = (await get('/api/segments/buyers-60d/runs')).json().items;
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ status: 'ok', size: 0, left: 1, trigger: 'api' });
    const seg = (await get('/api/segments/buyers-60d')).json();
    expect(seg.nextRunAt).not.toBeNull();
  });

  it('keeps the method fixed after save', async () => {
    const res = await app.inject({ method: 'PATCH', url: '/api/segments/perm', payload: { method: 'periodic' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('SEGMENT_METHOD_FIXED');
    const ok = await app.inject({ method: 'PATCH', url: '/api/segments/perm', payload: { name: 'Пермь и районы' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().name).toBe('Пермь и районы');
  });

  it('edits a manual segment by hand and fills it by rule', async () => {
    expect((await post('/api/segments', { id: 'vip', name: 'VIP', method: 'manual', rule: permRule })).statusCode).toBe(201);
    expect((await post('/api/segments/vip/members', { ids: ['p3', 'p5'] })).json()).toEqual({ added: 2 });
    expect((await post('/api/segments/vip/members', { ids: ['p3'] })).json()).toEqual({ added: 0 });
    const missing = await post('/api/segments/vip/members', { ids: ['nobody'] });
    expect(missing.statusCode).toBe(404);
    expect(await memberIds('vip')).toEqual(['p3', 'p5']);
    expect((await post('/api/segments/vip/members/remove', { ids: ['p5'] })).json()).toEqual({ removed: 1 });
    expect((await post('/api/segments/vip/fill', {})).json()).toMatchObject({ added: 2, size: 3 });
    expect(await memberIds('vip')).toEqual(['p1', 'p2', 'p3']);
    expect((await post('/api/segments/vip/fill', { replace: true })).json()).toMatchObject({ removed: 1, size: 2 });
    expect(await memberIds('vip')).toEqual(['p1', 'p2']);
    const history = (await get('/api/segments/vip/history?limit=100')).json();
    expect(
      history.items
        .filter((e: { memberId: string }) => e.memberId === 'p5')
        .map((e: { event: string }) => e.event)
        .sort(),
    ).toEqual(['entered', 'left']);
    const notManual = await post('/api/segments/perm/members', { ids: ['p3'] });
    expect(notManual.json().error.code).toBe('SEGMENT_NOT_MANUAL');
  });

  it('reads a stored composition as of a date from its history', async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect(await memberIds('vip', `&asOf=${today}`)).toEqual(['p1', 'p2']);
    expect(await memberIds('vip', '&asOf=2000-01-01')).toEqual([]);
  });

  it('refuses to delete a segment another rule uses, and allows archiving it', async () => {
    expect((await post('/api/segments', { id: 'perm-vip', name: 'Пермь VIP', method: 'dynamic', rule: { all: [{ inSegment: 'vip' }, { inSegment: 'perm' }] } })).statusCode).toBe(201);
    expect(await memberIds('perm-vip')).toEqual(['p1', 'p2']);
    const refused = await app.inject({ method: 'DELETE', url: '/api/segments/vip' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'SEGMENT_IN_USE', details: { usedBy: [{ kind: 'segment', id: 'perm-vip' }] } });
    expect((await get('/api/segments/vip/usage')).json().items).toHaveLength(1);
    const archived = await app.inject({ method: 'PATCH', url: '/api/segments/vip', payload: { archived: true } });
    expect(archived.statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: '/api/segments/perm-vip' })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: '/api/segments/vip' })).statusCode).toBe(204);
    expect((await get('/api/segments/vip')).statusCode).toBe(404);
  });

  it('refuses a cycle of segment references', async () => {
    await post('/api/segments', { id: 'a', name: 'A', method: 'dynamic', rule: { attr: 'legalForm', op: 'eq', value: 'company' } });
    await post('/api/segments', { id: 'b', name: 'B', method: 'dynamic', rule: { inSegment: 'a' } });
    const res = await app.inject({ method: 'PATCH', url: '/api/segments/a', payload: { rule: { inSegment: 'b' } } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('RULE_INVALID');
  });

  it("lists a partner's segments", async () => {
    const res = await get('/api/partners/p1/segments');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['perm', 'a']));
    expect((await get('/api/partners/nobody/segments')).statusCode).toBe(404);
  });

  it('explains membership condition by condition with actual values', async () => {
    const res = await get('/api/segments/a/explain/p2');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ segmentId: 'a', memberId: 'p2', member: false, ruleMatched: false });
    expect(JSON.stringify(body.rule)).toContain('person');
    const stored = (await get(`/api/segments/buyers-60d/explain/p1?asOf=${AS_OF}`)).json();
    // p1 bought 15,000 + 3,000 in the 60 days before AS_OF: the rule holds, but the stored list (as of then) is empty.
    expect(stored).toMatchObject({ member: false, ruleMatched: true });
    expect(stored.note).toContain('next generation');
    expect((await get('/api/segments/a/explain/nobody')).statusCode).toBe(404);
  });

  it('uses a product segment inside a partner rule (where.productSegment)', async () => {
    const drills = await post('/api/segments', { id: 'drills', kind: 'product', name: 'Дрели', method: 'dynamic', rule: { attr: 'group', op: 'inHierarchy', value: 'tools' } });
    expect(drills.statusCode, drills.body).toBe(201);
    expect(await memberIds('drills')).toEqual(['g1']);
    const res = await post('/api/segments/preview', {
      rule: { measure: 'sales.revenue', where: { productSegment: 'drills' }, period: { from: '2025-01-01', to: '2025-12-31' }, op: 'gte', value: 10000 },
      asOf: AS_OF,
    });
    // p1 bought 15,000 of drills in 2025; p2 4,000; p3 returned 3,000.
    expect(res.json().sample.map((p: { id: string }) => p.id)).toEqual(['p1']);
  });

  it('describes every segment route in the OpenAPI document', async () => {
    const doc = (await get('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/segments',
        '/api/segments/preview',
        '/api/segments/{id}',
        '/api/segments/{id}/refresh',
        '/api/segments/{id}/members',
        '/api/segments/{id}/explain/{partnerId}',
        '/api/segments/{id}/history',
        '/api/partners/{id}/segments',
      ]),
    );
  });

  it('exports members as CSV', async () => {
    const res = await get('/api/segments/perm/members.csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]!.startsWith('id,name,roles')).toBe(true);
    expect(lines).toHaveLength(3);
  });
});
