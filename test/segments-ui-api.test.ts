/**
 * The API the segment screens read beyond CRUD: the rule vocabulary the builder is made from,
 * members sorted by name, history with names, and the Excel export.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';

describe.each(ENGINES)('segment screens API on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  const get = (url: string) => app.inject({ method: 'GET', url });
  const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });

  beforeAll(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
    await db.run("INSERT INTO property_definitions (entity, name, type) VALUES ('partners', 'Сайт', 'string'), ('partners', 'Сотрудников', 'number'), ('products', 'Вес', 'number')");
    app = await buildTestApp({ db });
    // p3 'АО Москва-Трейд', p1 'ООО Пермь-Опт', p5 'ООО Поставщик': the same order under any collation.
    expect((await post('/api/segments', { id: 'hand', name: 'Вручную', method: 'manual' })).statusCode).toBe(201);
    expect((await post('/api/segments/hand/members', { ids: ['p5', 'p1', 'p3'] })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('describes the rule language of partner segments, with the defined properties', async () => {
    const res = await get('/api/rules/vocabulary');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.kind).toBe('partner');
    const byName = new Map<string, { operators: string[] }>(body.attributes.map((a: { name: string; operators: string[] }) => [a.name, a]));
    expect(byName.get('region')).toMatchObject({ type: 'text', hierarchy: true, directory: 'regions', property: false });
    expect(byName.get('region')!.operators).toEqual(expect.arrayContaining(['eq', 'in', 'inHierarchy', 'notInHierarchy']));
    expect(byName.get('manager')).toMatchObject({ type: 'text', hierarchy: false, directory: 'managers' });
    expect(byName.get('roles')).toMatchObject({ type: 'roles', values: ['customer', 'supplier', 'competitor', 'other'] });
    expect(byName.get('legalForm')).toMatchObject({ values: ['company', 'person'] });
    expect(byName.get('birthDate')!.operators).toContain('anniversaryWithin');
    expect(byName.get('deleted')).toMatchObject({ type: 'boolean', operators: ['eq', 'ne', 'filled', 'notFilled'] });
    expect(byName.get('properties.Сайт')).toMatchObject({ type: 'text', property: true });
    expect(byName.get('properties.Сотрудников')).toMatchObject({ type: 'number', property: true });
    expect(byName.has('properties.Вес')).toBe(false);

    const revenue = body.measures.find((m: { name: string }) => m.name === 'sales.revenue');
    expect(revenue).toEqual({ name: 'sales.revenue', source: 'sales', period: true, integer: false, noFacts: 'zero', where: ['product', 'productGroup', 'productSegment', 'manager'] });
    expect(body.measures.find((m: { name: string }) => m.name === 'registration.days')).toMatchObject({ period: false, noFacts: 'none', where: [] });
    expect(body.measures).toHaveLength(19);
    expect(body.scores.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['rfm.f', 'rfm.m', 'rfm.r']));
    expect(body.operandShapes).toMatchObject({ between: 'pair', in: 'list', filled: 'none', anniversaryWithin: 'days', inHierarchy: 'ids' });
  });

  it('describes product rules: product fields and properties, no measures or scores', async () => {
    const body = (await get('/api/rules/vocabulary?kind=product')).json();
    expect(body.attributes.map((a: { name: string }) => a.name)).toEqual(['id', 'name', 'group', 'brand', 'unit', 'properties.Вес']);
    expect(body.attributes[2]).toMatchObject({ hierarchy: true, directory: 'productGroups' });
    expect(body.measures).toEqual([]);
    expect(body.scores).toEqual([]);
  });

  it('pages members sorted by name either way, and by id by default', async () => {
    const ids = async (query: string) => (await get(`/api/segments/hand/members?${query}`)).json().items.map((p: { id: string }) => p.id);
    expect(await ids('')).toEqual(['p1', 'p3', 'p5']);
    expect(await ids('sort=name')).toEqual(['p3', 'p1', 'p5']);
    expect(await ids('sort=name&order=desc')).toEqual(['p5', 'p1', 'p3']);
    expect(await ids('sort=name&limit=1&offset=1')).toEqual(['p1']);
    expect(await ids('sort=id&order=desc')).toEqual(['p5', 'p3', 'p1']);
    expect((await get('/api/segments/hand/members?sort=region')).statusCode).toBe(400);
  });

  it('names the members in the history', async () => {
    expect((await post('/api/segments/hand/members/remove', { ids: ['p5'] })).statusCode).toBe(200);
    const history = (await get('/api/segments/hand/history')).json();
    expect(history.total).toBe(4);
    const left = history.items.filter((e: { event: string }) => e.event === 'left');
    expect(left).toEqual([expect.objectContaining({ memberId: 'p5', name: 'ООО Поставщик', event: 'left' })]);
    expect(history.items.find((e: { memberId: string }) => e.memberId === 'p3').name).toBe('АО Москва-Трейд');
  });

  it('exports the members as an Excel workbook', async () => {
    const res = await get('/api/segments/hand/members.xlsx');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toBe('attachment; filename="hand.xlsx"');
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe('Вручную');
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 3)).toEqual(['id', 'name', 'roles']);
    expect(sheet.rowCount).toBe(3);
    expect(sheet.getRow(2).getCell(1).value).toBe('p1');
    expect(sheet.getRow(2).getCell(2).value).toBe('ООО Пермь-Опт');
    expect(sheet.getRow(2).getCell(3).value).toBe('customer');
    expect(sheet.getRow(3).getCell(2).value).toBe('АО Москва-Трейд');
  });
});
