/**
 * The limits and small defects of issue 14 (defects 9 and 12, without the import parts): each
 * case here failed before its fix.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import { claimRebuilds } from '../src/domain/segments/rebuild.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import { listenDescription } from '../src/cli/commands/serve.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

const PARTNER_COLUMNS = 'id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, region_id, deleted';

describe.each(ENGINES)('API limits on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  const send = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown) => app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
  const ids = (res: { json(): unknown }) => (res.json() as { items: { id: string }[] }).items.map((i) => i.id).sort();

  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db, allowCustomSql: true });
    await db.run(
      `INSERT INTO partners (${PARTNER_COLUMNS}) VALUES ('pct', '100% опт', TRUE, FALSE, FALSE, FALSE, 'company', NULL, FALSE), ('und', 'ООО Север_Юг', TRUE, FALSE, FALSE, FALSE, 'company', NULL, FALSE), ('plain', 'ООО Ромашка', TRUE, FALSE, FALSE, FALSE, 'company', NULL, FALSE)`,
    );
    await db.run("INSERT INTO products (id, name, group_id, brand, unit) VALUES ('g1', 'Скидка 50%', NULL, NULL, NULL), ('g2', 'Дрель', NULL, NULL, NULL)");
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('refuses schedules that fire more often than every 10 seconds, cron with seconds too', async () => {
    const segment = (id: string, schedule: string) => ({ id, name: id, method: 'periodic', schedule, rule: { attr: 'deleted', op: 'eq', value: false } });
    for (const schedule of ['* * * * * *', '*/5 * * * * *', '0,5 * * * * *', 'every 1 seconds']) {
      const res = await send('POST', '/api/segments', segment('fast', schedule));
      expect(res.statusCode, `${schedule}: ${res.body}`).toBe(400);
      expect(res.json().error.message).toContain('schedule');
    }
    for (const [id, schedule] of [
      ['cron', '0 3 * * *'],
      ['tens', '*/10 * * * * *'],
      ['every', 'every 10 seconds'],
    ] as const) {
      expect((await send('POST', '/api/segments', segment(id, schedule))).statusCode, schedule).toBe(201);
    }
    const patched = await send('PATCH', '/api/segments/cron', { schedule: '* * * * * *' });
    expect(patched.statusCode, patched.body).toBe(400);
    expect((await send('GET', '/api/segments/cron')).json().schedule).toBe('0 3 * * *');
  });

  it('matches % and _ in searches literally', async () => {
    expect(ids(await send('GET', '/api/partners?q=%25'))).toEqual(['pct']);
    expect(ids(await send('GET', '/api/partners?q=_'))).toEqual(['und']);
    expect(ids(await send('GET', '/api/products?q=%25'))).toEqual(['g1']);
    expect((await send('POST', '/api/segments', { id: 'pct-seg', name: 'Скидки 100%', method: 'manual' })).statusCode).toBe(201);
    expect((await send('POST', '/api/segments', { id: 'other', name: 'Другие', method: 'manual' })).statusCode).toBe(201);
    expect(ids(await send('GET', '/api/segments?q=%25'))).toEqual(['pct-seg']);
    expect(ids(await send('GET', '/api/segments?q=_'))).toEqual([]);
  });

  it('refuses order lines whose quantity or price would overflow, with a 400 naming the line', async () => {
    for (const line of [
      { productId: 'g1', quantity: 1e308, price: 10 },
      { productId: 'g1', quantity: 1, price: 1e308 },
      { productId: 'g1', quantity: 1e9, price: 1e9 },
    ]) {
      const res = await send('POST', '/api/orders/price', { partnerId: 'plain', lines: [line] });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.message).toMatch(/body\.lines\.0\.(quantity|price)/);
    }
    const ok = await send('POST', '/api/orders/price', { partnerId: 'plain', lines: [{ productId: 'g1', quantity: 2, price: 10.5 }] });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().totals.amount).toBe(21);
  });

  it('refuses "rule": null on a dynamic or periodic segment; a manual one may drop its rule', async () => {
    const rule = { attr: 'deleted', op: 'eq', value: false };
    expect((await send('POST', '/api/segments', { id: 'dyn', name: 'dyn', method: 'dynamic', rule })).statusCode).toBe(201);
    const res = await send('PATCH', '/api/segments/dyn', { rule: null });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toContain('body.rule');
    const read = await send('GET', '/api/segments/dyn');
    expect(read.statusCode).toBe(200);
    expect(read.json().rule).toEqual(rule);
    expect((await send('GET', '/api/segments/dyn/members')).statusCode).toBe(200);
    expect((await send('POST', '/api/segments', { id: 'hand', name: 'hand', method: 'manual', rule })).statusCode).toBe(201);
    expect((await send('PATCH', '/api/segments/hand', { rule: null })).statusCode).toBe(200);
  });

  it('refuses a body field the schema does not name instead of dropping it', async () => {
    const res = await send('POST', '/api/agreements', { id: 'open-to-all', name: 'Only VIP', segment: 'vip' });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    expect(res.json().error.message).toContain('"segment"');
    expect((await send('GET', '/api/agreements/open-to-all')).statusCode).toBe(404);
    // Nested objects are strict too.
    const nested = await send('POST', '/api/orders/price', { partnerId: 'plain', lines: [{ productId: 'g1', quantity: 1, price: 1, discount: 50 }] });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().error.message).toContain('"discount"');
  });

  it('runs custom SQL that ends in a -- comment', async () => {
    const created = await send('POST', '/api/segments', { id: 'sql-comment', name: 'SQL', method: 'periodic', sql: 'SELECT id FROM partners -- every partner' });
    expect(created.statusCode, created.body).toBe(201);
    const run = await send('POST', '/api/segments/sql-comment/refresh');
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json().size).toBe(3);
  });

  it('refreshes the other segments when one is being generated, with a status per segment', async () => {
    const rule = { attr: 'deleted', op: 'eq', value: false };
    for (const id of ['busy', 'free']) expect((await send('POST', '/api/segments', { id, name: id, method: 'periodic', rule })).statusCode).toBe(201);
    const release = claimRebuilds([await getSegment(db, 'busy')]);
    try {
      const res = await send('POST', '/api/segments/refresh', { ids: ['busy', 'free'] });
      expect(res.statusCode, res.body).toBe(200);
      const byId = new Map(res.json().segments.map((s: { segmentId: string }) => [s.segmentId, s]));
      expect(byId.get('busy')).toMatchObject({ status: 'failed', errorCode: 'SEGMENT_REBUILD_RUNNING' });
      expect(byId.get('free')).toMatchObject({ status: 'ok', size: 3, errorCode: null });
    } finally {
      release();
    }
  });
});

describe('the address segmenta serve reports', () => {
  it('says all interfaces when bound to 0.0.0.0, and the real address otherwise', () => {
    expect(listenDescription({ address: '0.0.0.0', family: 'IPv4', port: 8080 })).toBe('all interfaces (0.0.0.0:8080); open http://localhost:8080/');
    expect(listenDescription({ address: '127.0.0.1', family: 'IPv4', port: 43123 })).toBe('http://127.0.0.1:43123/');
    expect(listenDescription({ address: '::', family: 'IPv6', port: 80 })).toBe('all interfaces ([::]:80); open http://localhost:80/');
  });
});
