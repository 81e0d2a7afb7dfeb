import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

describe.each(ENGINES)('API basics on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    await db.run(
      "INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, region_id, deleted) VALUES ('p1', 'ООО Ромашка', TRUE, FALSE, FALSE, FALSE, 'company', 'perm', FALSE), ('p2', 'Иванов И.И.', TRUE, TRUE, FALSE, FALSE, 'person', 'msk', TRUE)",
    );
    await db.run("INSERT INTO partner_properties (partner_id, name, value_number) VALUES ('p1', 'employees', 12)");
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('reports health with the engine', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', engine: engine.name === 'duckdb' ? 'duckdb' : 'postgres' });
  });

  it('lists partners filtered by field, paged', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/partners?role=supplier&limit=10' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(1);
    expect(body.items[0]).toMatchObject({ id: 'p2', roles: ['customer', 'supplier'], legalForm: 'person', deleted: true });
    const notDeleted = await app.inject({ method: 'GET', url: '/api/partners?deleted=false' });
    expect(notDeleted.json().items.map((p: { id: string }) => p.id)).toEqual(['p1']);
  });

  it('returns one partner with properties, and a 404 in our error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/partners/p1' });
    expect(res.json()).toMatchObject({ id: 'p1', name: 'ООО Ромашка', properties: { employees: 12 } });
    const missing = await app.inject({ method: 'GET', url: '/api/partners/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'ENTITY_NOT_FOUND', message: 'No partner with id "nope"', details: { entity: 'partner', id: 'nope' } } });
  });

  it('rejects a bad query with a 400 naming the field, without a stack', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/partners?limit=0' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.issues[0].path).toBe('querystring.limit');
    expect(res.body).not.toContain('at ');
  });

  it('serves an OpenAPI document describing the routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/partners', '/api/partners/{id}']));
  });

  it('answers unknown paths with a JSON 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});
