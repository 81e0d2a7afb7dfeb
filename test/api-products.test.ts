import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

/** GET /api/products: the product picker of the order try-out (search, exact ids, last sale price). */
describe.each(ENGINES)('product search on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    await db.run(
      "INSERT INTO products (id, name, group_id, brand, unit) VALUES ('g1', 'Дрель ударная', 'tools', 'Bosch', 'шт'), ('g2', 'Диск пильный', NULL, NULL, 'шт'), ('g3', 'Дрель-миксер', 'tools', NULL, NULL)",
    );
    await db.run(
      `INSERT INTO sales (id, document, date, partner_id, product_id, quantity, revenue, cost) VALUES
       ('s1', 'd1', '2025-01-10', 'p', 'g1', 2, 13000, 9000),
       ('s2', 'd2', '2025-03-01', 'p', 'g1', 3, 20100, 14000),
       ('s3', 'd3', '2024-12-01', 'p', 'g3', 7, 1000, 700)`,
    );
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const search = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/products?${query}` });
    expect(res.statusCode).toBe(200);
    return res.json().items as { id: string; name: string; group: string | null; lastPrice: number | null }[];
  };

  it('finds products by a piece of the name, case-insensitive, by name, with the last sale price', async () => {
    const items = await search(`q=${encodeURIComponent('ДРЕЛЬ')}`);
    expect(items.map((p) => p.id)).toEqual(['g1', 'g3']);
    // The latest sale of g1: 20,100 for 3.
    expect(items[0]).toMatchObject({ name: 'Дрель ударная', group: 'tools', lastPrice: 6700 });
    expect(items[1]!.lastPrice).toBe(142.86);
  });

  it('finds by code, lists exact ids, and says null for a product never sold', async () => {
    expect((await search('q=g2')).map((p) => [p.id, p.lastPrice])).toEqual([['g2', null]]);
    expect((await search('ids=g3,g2')).map((p) => p.id)).toEqual(['g2', 'g3']);
    expect(await search('ids=')).toEqual([]);
    expect((await search('limit=1')).length).toBe(1);
  });

  it('refuses a bad limit with a clear error, naming the parameter', async () => {
    for (const limit of ['0', '101', 'many']) {
      const res = await app.inject({ method: 'GET', url: `/api/products?limit=${limit}` });
      expect(res.statusCode).toBe(400);
      const body = res.json<{ error: { code: string; message: string } }>();
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(body.error.message).toContain('limit');
      expect(res.body).not.toContain('    at ');
    }
  });
});
