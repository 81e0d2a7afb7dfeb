/**
 * What the manager's UI relies on the server to refuse (issue 21): an unfinished condition
 * (`inHierarchy []`, `in []`) is never saved as a rule that matches nobody (defect 2), and a
 * cumulative table's discount over 100 % is refused, never cut to 100 % (defect 3).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { buildTestApp } from './support/test-app.js';

describe.each(ENGINES)('refusals the manager UI relies on, on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await engine.create();
    await db.run("INSERT INTO regions (id, name, parent_id) VALUES ('ru', 'Россия', NULL)");
    app = await buildTestApp({ db });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it.each([
    ['inHierarchy []', { attr: 'region', op: 'inHierarchy', value: [] }],
    ['notInHierarchy []', { attr: 'region', op: 'notInHierarchy', value: [] }],
    ['in []', { attr: 'name', op: 'in', value: [] }],
    ['a cleared number', { measure: 'sales.revenue', op: 'gt', value: null }],
  ])('refuses to save or preview a rule with %s', async (_, condition) => {
    const rule = { all: [{ attr: 'deleted', op: 'eq', value: false }, condition] };
    const saved = await app.inject({ method: 'POST', url: '/api/segments', payload: { id: 'unfinished', name: 'Незаконченный', method: 'dynamic', rule } });
    expect(saved.statusCode, saved.body).toBe(422);
    const error = saved.json<{ error: { code: string; details: { issues: { code: string; path: string }[] } } }>().error;
    expect(error.code).toBe('RULE_INVALID');
    expect(error.details.issues).toEqual([expect.objectContaining({ code: 'missing_value', path: '$.all[1].value' })]);
    const preview = await app.inject({ method: 'POST', url: '/api/segments/preview', payload: { kind: 'partner', rule } });
    expect(preview.statusCode, preview.body).toBe(422);
    expect((await app.inject({ method: 'GET', url: '/api/segments/unfinished' })).statusCode).toBe(404);
  });

  it('refuses a cumulative discount over 100 % at its cell, from JSON and from CSV', async () => {
    const table = { id: 'nakop', name: 'Накопительная', columns: [{ months: 12, threshold: 1000 }], rows: [{ productSegment: 'tools', percents: [150] }] };
    const res = await app.inject({ method: 'POST', url: '/api/discount-tables', payload: table });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).toContain('a discount cannot be over 100 %');
    expect(res.body).toMatch(/rows\.0\.percents\.0|rows\[0\]\.percents\[0\]/);
    const csv = 'Сегмент номенклатуры;от 1000 за 12 мес.\r\ntools;150\r\n';
    const upload = await app.inject({ method: 'PUT', url: '/api/discount-tables/nakop/csv?name=nakop', headers: { 'content-type': 'text/csv; charset=utf-8' }, payload: csv });
    expect(upload.statusCode, upload.body).toBe(422);
    expect(upload.body).toContain('not a percent from -1000 to 100');
    expect((await app.inject({ method: 'GET', url: '/api/discount-tables/nakop' })).statusCode).toBe(404);
  });
});
