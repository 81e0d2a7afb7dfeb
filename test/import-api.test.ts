import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { rowsOf } from './import-helpers.js';

describe.each(ENGINES)('import API on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const post = (url: string, contentType: string, payload: string) => app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });

  it('imports a CSV body and returns the report; roles and properties come back through GET /api/partners/{id}', async () => {
    const csv = 'id;name;roles;legal_form;email;properties.employees;properties.since;properties.vip\np1;ООО "Ромашка";customer|supplier;company;info@romashka.ru;12;2019-04-01;да\n';
    const res = await post('/api/import/partners', 'text/csv; charset=utf-8', csv);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      entity: 'partners',
      format: 'csv',
      encoding: 'utf-8',
      rows: 1,
      inserted: 1,
      updated: 0,
      unchanged: 0,
      duplicates: 0,
      skipped: 0,
      errorCount: 0,
      errors: [],
      errorsTruncated: false,
      newProperties: [
        { name: 'employees', type: 'number' },
        { name: 'since', type: 'date' },
        { name: 'vip', type: 'boolean' },
      ],
    });
    const partner = await app.inject({ method: 'GET', url: '/api/partners/p1' });
    expect(partner.json()).toMatchObject({
      id: 'p1',
      name: 'ООО "Ромашка"',
      roles: ['customer', 'supplier'],
      legalForm: 'company',
      email: 'info@romashka.ru',
      properties: { employees: 12, since: '2019-04-01', vip: true },
    });
  });

  it('round-trips a partner in JSON: the record GET returns imports back unchanged', async () => {
    const json = JSON.stringify([{ id: 'p2', name: 'Иванов И.И.', roles: ['customer'], legalForm: 'person', birthDate: '1980-05-15', properties: { employees: 1, vip: false } }]);
    expect((await post('/api/import/partners', 'application/json', json)).json()).toMatchObject({ inserted: 1 });
    const record = (await app.inject({ method: 'GET', url: '/api/partners/p2' })).json();
    expect(record).toMatchObject({ roles: ['customer'], birthDate: '1980-05-15', properties: { employees: 1, vip: false } });
    const again = await post('/api/import/partners', 'application/json', JSON.stringify([record]));
    expect(again.json()).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
  });

  it('takes JSON Lines, and format and delimiter from the query', async () => {
    const jsonl = '{"id": "g1", "name": "Гвозди"}\n{"id": "g2", "name": "Шурупы", "unit": "шт"}\n';
    expect((await post('/api/import/products', 'application/x-ndjson', jsonl)).json()).toMatchObject({ format: 'jsonl', inserted: 2 });
    const res = await post('/api/import/products?format=csv&delimiter=tab', 'application/octet-stream', 'id\tname\tbrand\ng3\tСаморезы\tЗубр\n');
    expect(res.json()).toMatchObject({ format: 'csv', inserted: 1 });
  });

  it('answers 422 IMPORT_BAD_ROWS listing the bad rows, and imports them with skipBad=true', async () => {
    const csv = 'id,name,parent\nr1,Россия,\nr2,ПФО,r9\n';
    const res = await post('/api/import/regions', 'text/csv', csv);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'IMPORT_BAD_ROWS',
      details: { badRows: 1, errors: [{ line: 3, column: 'parent', value: 'r9', reason: 'unknown region "r9"' }] },
    });
    expect(await rowsOf(db, 'regions')).toEqual([]);
    const skipped = await post('/api/import/regions?skipBad=true', 'text/csv', csv);
    expect(skipped.statusCode).toBe(200);
    expect(skipped.json()).toMatchObject({ inserted: 1, skipped: 1, errors: [{ line: 3 }] });
  });

  it('answers 404 for an unknown entity and 400 for unreadable files', async () => {
    const unknown = await post('/api/import/customers', 'text/csv', 'id\n1\n');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('UNKNOWN_ENTITY');
    const broken = await post('/api/import/products', 'application/json', '[{"id": "g9", "name": }]');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toMatchObject({ code: 'IMPORT_BAD_FORMAT', message: expect.stringContaining('element 0 (line 1) is not valid JSON') });
    const columns = await post('/api/import/products', 'text/csv', 'id;title\ng9;x\n');
    expect(columns.statusCode).toBe(400);
    expect(columns.json().error.code).toBe('IMPORT_UNKNOWN_COLUMN');
    const format = await post('/api/import/products', 'application/octet-stream', 'x');
    expect(format.statusCode).toBe(400);
    expect(format.json().error.code).toBe('IMPORT_UNKNOWN_FORMAT');
  });

  it('describes the endpoint in OpenAPI with its media types and report', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const operation = doc.paths['/api/import/{entity}'].post;
    expect(Object.keys(operation.requestBody.content)).toEqual(expect.arrayContaining(['text/csv', 'application/json', 'application/x-ndjson', 'application/jsonl']));
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409', '415', '422']));
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['entity', 'skipBad', 'format', 'delimiter']));
  });
});
