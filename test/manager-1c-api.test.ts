/**
 * The server side of what a 1C user missed in the manager UI (issue 21): segment folders, the
 * partners of a segment (cut to a manager's scope), and a partner's sales and settlements
 * (report partner-sales), on every engine.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { buildTestApp } from './support/test-app.js';

describe.each(ENGINES)('folders, segment filter and partner sales on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  let manager: FastifyInstance;
  beforeAll(async () => {
    db = await engine.create();
    await db.run("INSERT INTO managers (id, name) VALUES ('mA', 'Anna'), ('mB', 'Boris')");
    await db.run("INSERT INTO partners (id, name, manager_id, deleted) VALUES ('pA1', 'A one', 'mA', FALSE), ('pA2', 'A two', 'mA', FALSE), ('pB', 'B', 'mB', FALSE)");
    await db.run("INSERT INTO products (id, name) VALUES ('g1', 'Goods')");
    await db.run(
      `INSERT INTO sales (id, document, date, partner_id, product_id, quantity, revenue, cost, manager_id) VALUES
         ('s1', 'D1', CAST('2026-01-10' AS DATE), 'pA1', 'g1', 1, 1000.5, 600, 'mA'), ('s2', 'D2', CAST('2026-03-05' AS DATE), 'pA1', 'g1', 2, 2000, 1500, 'mA'),
         ('s3', 'D3', CAST('2024-01-05' AS DATE), 'pA1', 'g1', 1, 99999, 0, 'mA'), ('s4', 'D4', CAST('2026-02-01' AS DATE), 'pB', 'g1', 1, 500, 100, 'mB')`,
    );
    await db.run("INSERT INTO settlements (id, partner_id, date, amount) VALUES ('t1', 'pA1', CAST('2026-01-10' AS DATE), 1000.5), ('t2', 'pA1', CAST('2026-03-05' AS DATE), 2000)");
    app = await buildTestApp({ db });
    manager = await buildTestApp({ db }, { role: 'manager', managerIds: ['mA'] });
  });
  afterAll(async () => {
    await app.close();
    await manager.close();
    await db.close();
  });

  it('keeps a folder on a segment, changes it, clears it, and lists by folder', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/segments',
      payload: { id: 'everyone', name: 'Все', method: 'dynamic', rule: { attr: 'deleted', op: 'eq', value: false }, folder: 'Маркетинг' },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json<{ folder: string }>().folder).toBe('Маркетинг');
    await app.inject({ method: 'POST', url: '/api/segments', payload: { id: 'pick', name: 'Выбранные', method: 'manual' } });
    await app.inject({ method: 'POST', url: '/api/segments/pick/members', payload: { ids: ['pA1', 'pB'] } });
    const inFolder = await app.inject({ method: 'GET', url: `/api/segments?folder=${encodeURIComponent('Маркетинг')}` });
    expect(inFolder.json<{ items: { id: string }[] }>().items.map((s) => s.id)).toEqual(['everyone']);
    const none = await app.inject({ method: 'GET', url: '/api/segments?folder=' });
    expect(none.json<{ items: { id: string; folder: string | null }[] }>().items.map((s) => [s.id, s.folder])).toEqual([['pick', null]]);
    const moved = await app.inject({ method: 'PATCH', url: '/api/segments/everyone', payload: { folder: 'Скидки' } });
    expect(moved.statusCode, moved.body).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/segments/everyone' })).json<{ folder: string }>().folder).toBe('Скидки');
    await app.inject({ method: 'PATCH', url: '/api/segments/everyone', payload: { folder: null } });
    expect((await app.inject({ method: 'GET', url: '/api/segments/everyone' })).json<{ folder: string | null }>().folder).toBeNull();
  });

  it("lists a segment's partners, a manager's own only", async () => {
    const all = await app.inject({ method: 'GET', url: '/api/partners?segment=pick' });
    expect(all.json<{ items: { id: string }[]; total: number }>().items.map((p) => p.id)).toEqual(['pA1', 'pB']);
    const own = await manager.inject({ method: 'GET', url: '/api/partners?segment=pick' });
    expect(own.json<{ items: { id: string }[]; total: number }>()).toMatchObject({ total: 1, items: [{ id: 'pA1' }] });
    const dynamic = await manager.inject({ method: 'GET', url: '/api/partners?segment=everyone' });
    expect(dynamic.json<{ total: number }>().total).toBe(2);
    expect((await app.inject({ method: 'GET', url: '/api/partners?segment=nope' })).statusCode).toBe(404);
  });

  it("sums a partner's last 12 months and its debt; another manager's partner is not found", async () => {
    const res = await manager.inject({ method: 'GET', url: '/api/reports/partner-sales?partner=pA1&asOf=2026-06-30' });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json<{ summary: Record<string, number>; tables: { name: string; rows: { month: string; revenue: number }[] }[] }>();
    // 2024 is outside the 12 months: 1000.5 + 2000.
    expect(report.summary).toMatchObject({ revenue: 3000.5, grossProfit: 900.5, documents: 2, receivable: 3000.5 });
    const months = report.tables[0]!.rows;
    expect(months.map((m) => m.month)).toEqual(['2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
    expect(months.find((m) => m.month === '2026-01')!.revenue).toBe(1000.5);
    expect((await manager.inject({ method: 'GET', url: '/api/reports/partner-sales?partner=pB' })).statusCode).toBe(404);
    const xlsx = await manager.inject({ method: 'GET', url: '/api/reports/partner-sales.xlsx?partner=pA1&lang=ru' });
    expect(xlsx.statusCode).toBe(200);
  });
});
