/**
 * Analytics and reports through the HTTP API (in-process), on every engine: settings, refresh,
 * named segments, matrices, CSI/NPS, and every report as JSON, CSV and XLSX (read back with
 * exceljs). Expected values by hand from analytics-fixture.ts.
 */
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import { REPORTS } from '../src/domain/reports/index.js';
import type { Database } from '../src/storage/database.js';
import { AS_OF, loadAnalyticsCompany } from './analytics-fixture.js';
import { ENGINES } from './engines.js';

async function readXlsx(body: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(body as unknown as ArrayBuffer);
  return book;
}

const sheetRows = (sheet: ExcelJS.Worksheet): unknown[][] => {
  const rows: unknown[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
};

describe.each(ENGINES)('analytics and reports API on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  const get = (url: string) => app.inject({ method: 'GET', url });
  const send = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

  beforeAll(async () => {
    db = await engine.create();
    await loadAnalyticsCompany(db);
    app = await buildTestApp({ db });
    for (const [id, members] of [
      ['top', ['c1', 'c3']],
      ['buyers-q2', ['c1', 'c2', 'c5']],
      ['vip', ['c2', 'c3']],
    ] as const) {
      expect((await send('POST', '/api/segments', { id, name: id.toUpperCase(), method: 'manual' })).statusCode).toBe(201);
      expect((await send('POST', `/api/segments/${id}/members`, { ids: members })).statusCode).toBe(200);
    }
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('changes RFM settings, refreshes as of a date and lists the scores and runs', async () => {
    const bad = await send('PUT', '/api/analytics/rfm/settings', { window: { last: { weeks: 3 } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'ANALYTICS_SETTINGS_INVALID', details: { issues: [expect.objectContaining({ path: 'window.last.weeks' })] } });
    const ok = await send('PUT', '/api/analytics/rfm/settings', { window: { last: { months: 12 } }, bins: 5 });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ window: { last: { months: 12 } }, bins: 5, schedule: null, rebuildSegments: true });
    const refreshed = await send('POST', '/api/analytics/rfm/refresh', { asOf: AS_OF });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(refreshed.json()).toMatchObject({ asOf: AS_OF, scored: 5, bins: 5, window: { from: '2024-07-01', to: AS_OF } });
    expect((await get('/api/analytics/rfm')).json()).toMatchObject({ scored: 5, lastRun: { status: 'ok', trigger: 'api', asOf: AS_OF } });
    expect((await get('/api/analytics/runs?scoreSet=rfm')).json().items).toHaveLength(1);
    const names = (await get('/api/analytics/scores')).json().items.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining(['rfm.r', 'rfm.f', 'rfm.m', 'rfm.monetary', 'renew.index']));
    // A rule on the stored score: R ≥ 4 is c1 and c2.
    const preview = await send('POST', '/api/segments/preview', { rule: { score: 'rfm.r', op: 'gte', value: 4 } });
    expect(preview.json().sample.map((p: { id: string }) => p.id)).toEqual(['c1', 'c2']);
  });

  it('creates the named RFM segments from the templates', async () => {
    const templates = (await get('/api/analytics/rfm/templates')).json().items;
    expect(templates.find((t: { key: string }) => t.key === 'champions')).toMatchObject({
      r: [5, 5],
      f: [4, 5],
      rule: {
        all: [
          { score: 'rfm.r', op: 'eq', value: 5 },
          { score: 'rfm.f', op: 'between', value: [4, 5] },
        ],
      },
    });
    const res = await send('POST', '/api/analytics/rfm/segments', { templates: ['loyal', 'cant-lose'], language: 'ru' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      { id: 'rfm-loyal', name: 'RFM: Лояльные', action: 'created', method: 'periodic', size: 1 },
      { id: 'rfm-cant-lose', name: 'RFM: Нельзя потерять', action: 'created', method: 'periodic', size: 1 },
    ]);
    // From the Russian UI, the description is Russian too (issue 21, defect 7).
    const loyal = (await app.inject({ method: 'GET', url: '/api/segments/rfm-loyal' })).json<{ description: string }>();
    expect(loyal.description).toMatch(/^Покупают часто, последний раз — недавно\. R 3–4, F 4–5/);
    const unknown = await send('POST', '/api/analytics/rfm/segments', { templates: ['vips'] });
    expect(unknown.statusCode).toBe(400);
  });

  it('saves a matrix, turns its quadrants into segments, and reads its scatter', async () => {
    const put = await send('PUT', '/api/analytics/matrices/bcg', {
      name: 'BCG',
      x: { label: 'Активность', source: { property: 'activity' }, threshold: 3 },
      y: { label: 'Выручка', source: { score: 'rfm.monetary' }, threshold: 1000 },
      quadrants: {
        highHigh: { key: 'stars', name: 'Звёзды' },
        highLow: { key: 'cows', name: 'Дойные коровы' },
        lowHigh: { key: 'kids', name: 'Трудные дети' },
        lowLow: { key: 'dogs', name: 'Собаки' },
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    const segments = await send('POST', '/api/analytics/matrices/bcg/segments', { method: 'dynamic' });
    expect(segments.json().items.map((s: { id: string; name: string }) => `${s.id}=${s.name}`)).toEqual([
      'bcg-stars=BCG: Звёзды',
      'bcg-cows=BCG: Дойные коровы',
      'bcg-kids=BCG: Трудные дети',
      'bcg-dogs=BCG: Собаки',
    ]);
    const cows = (await get('/api/segments/bcg-cows/members')).json().items.map((p: { id: string }) => p.id);
    expect(cows).toEqual(['c2']);
    const scatter = (await get(`/api/analytics/matrices/bcg/scatter?asOf=${AS_OF}`)).json();
    expect(scatter.points.map((p: { partnerId: string; quadrant: string }) => `${p.partnerId}:${p.quadrant}`)).toEqual(['c1:stars', 'c2:cows', 'c3:kids', 'c4:dogs']);
    expect((await get('/api/analytics/matrices/none')).json().error.code).toBe('MATRIX_NOT_FOUND');
  });

  it('answers CSI and NPS by quarter', async () => {
    const res = await get(`/api/analytics/csi-nps?from=2025-01-01&to=${AS_OF}&byManager=true&segments=top`);
    expect(res.statusCode, res.body).toBe(200);
    const rows = res.json().rows as { scope: string; key: string | null; quarter: string; csi: number | null; nps: number | null; responses: number }[];
    expect(rows.find((r) => r.scope === 'all' && r.quarter === '2025-Q1')).toMatchObject({ responses: 5, csi: 3, nps: 0 });
    expect(rows.find((r) => r.scope === 'manager' && r.key === 'm1' && r.quarter === 'total')).toMatchObject({ responses: 5, csi: 3, nps: 40 });
    expect(rows.find((r) => r.scope === 'segment' && r.key === 'top' && r.quarter === 'total')).toMatchObject({ nps: 60, csi: null });
  });

  it('serves every report as JSON, CSV and XLSX, with the right type and file name', async () => {
    const list = (await get('/api/reports')).json().items.map((r: { name: string }) => r.name);
    expect(list).toEqual(REPORTS.map((r) => r.name));

    const grid = await get('/api/reports/rfm-grid');
    expect(grid.statusCode, grid.body).toBe(200);
    expect(grid.json().tables[0].rows[1]).toEqual({ r: 'R4', f1: 1, f2: 0, f3: 0, f4: 1, f5: 0, total: 2 });

    const csv = await get('/api/reports/intersections.csv?segments=top,buyers-q2,vip');
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="intersections-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(csv.body.replace(/^\uFEFF/, '').split('\r\n')).toEqual(['Segment,Name,TOP,BUYERS-Q2,VIP', 'top,TOP,2,1,1', 'buyers-q2,BUYERS-Q2,1,3,1', 'vip,VIP,1,1,2', '']);
    const members = await get('/api/reports/intersections?segments=top,buyers-q2,vip&format=csv&table=members');
    expect(
      members.body
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .slice(1, 4),
    ).toEqual(['c1,ООО Альфа,2,1,1,0', 'c2,ООО Бета,2,0,1,1', 'c3,ООО Гамма,2,1,0,1']);
    expect((await get('/api/reports/intersections.csv?table=nope')).json().error.code).toBe('REPORT_TABLE_NOT_FOUND');

    const xlsx = await get(`/api/reports/csi-nps.xlsx?from=2025-01-01&to=${AS_OF}`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toMatch(/filename="csi-nps-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const book = await readXlsx(xlsx.rawPayload);
    expect(book.worksheets.map((w) => w.name)).toEqual(['CSI and NPS', 'Report']);
    const rows = sheetRows(book.worksheets[0]!);
    expect(rows[0]).toEqual(['Scope', 'Id', 'Name', 'Quarter', 'Answers', 'Promoters 9–10', 'Passives 7–8', 'Detractors 0–6', 'CSI attract 8–10', 'CSI detract 1–3', 'CSI', 'NPS', 'Average score']);
    // Whole base, 2025 Q1: 5 answers, CSI 3, NPS 0, average 5.8 — numbers, not text.
    expect(rows.find((r) => r[0] === 'all' && r[3] === '2025-Q1')).toEqual(['all', undefined, 'All partners', '2025-Q1', 5, 2, 1, 2, 3, 1, 3, 0, 5.8]);
    expect(book.worksheets[0]!.getRow(1).font?.bold).toBe(true);

    // Sheets are named by the table's title when it fits Excel's 31 characters, else by its name.
    const overlaps = await readXlsx((await get('/api/reports/intersections.xlsx?segments=top,buyers-q2,vip')).rawPayload);
    expect(overlaps.worksheets.map((w) => w.name)).toEqual(['overlaps', 'members', 'Report']);
    expect(sheetRows(overlaps.worksheets[1]!)[1]).toEqual(['c1', 'ООО Альфа', 2, 1, 1, 0]);

    const sales = await get(`/api/reports/segment-sales?segment=top&from=2024-12-01&to=${AS_OF}&format=xlsx`);
    const salesBook = await readXlsx(sales.rawPayload);
    const salesRows = sheetRows(salesBook.worksheets[0]!);
    expect(salesRows[1]).toEqual(['2024-12', 1000, 800, 200, 4, 1, 1]);
    expect(salesRows).toHaveLength(8);
  });

  it('runs every report without error on the fixture', async () => {
    await send('POST', '/api/segments', { id: 'big', name: 'Big', method: 'periodic', rule: { measure: 'sales.revenue', op: 'gte', value: 1000 } });
    await send('POST', '/api/segments/big/refresh', {});
    await send('PUT', '/api/analytics/renew/settings', { properties: ['brandStrength', 'orderAttractiveness', 'refusalStatus'] });
    expect((await send('POST', '/api/analytics/renew/refresh', {})).json()).toMatchObject({ scored: 4 });
    const queries: Record<string, string> = {
      'segment-sales': 'segment=top',
      intersections: '',
      settlements: `segment=top&asOf=${AS_OF}`,
      composition: 'segment=big',
      'membership-history': 'segment=big',
      'rfm-grid': '',
      'matrix-scatter': `matrix=bcg&asOf=${AS_OF}`,
      'csi-nps': `from=2025-01-01&to=${AS_OF}`,
      'renew-ranking': '',
      lifecycle: `asOf=${AS_OF}`,
      'partner-sales': `partner=c1&asOf=${AS_OF}`,
    };
    for (const report of REPORTS) {
      for (const suffix of ['', '.csv', '.xlsx']) {
        const res = await get(`/api/reports/${report.name}${suffix}?${queries[report.name] ?? ''}`);
        expect(res.statusCode, `${report.name}${suffix}: ${res.body.slice(0, 300)}`).toBe(200);
      }
    }
    // renew: l1 12, l3 7, c1 6, l2 4.
    const ranking = (await get('/api/reports/renew-ranking')).json().tables[0].rows;
    expect(ranking.map((r: { partnerId: string; rank: number; index: number }) => [r.rank, r.partnerId, r.index])).toEqual([
      [1, 'l1', 12],
      [2, 'l3', 7],
      [3, 'c1', 6],
      [4, 'l2', 4],
    ]);
    expect(ranking[0]).toMatchObject({ 'p:brandStrength': 5, 'p:orderAttractiveness': 4, 'p:refusalStatus': 3 });
    expect(ranking[3]).toMatchObject({ 'p:refusalStatus': null });
    const lifecycle = (await get(`/api/reports/lifecycle?asOf=${AS_OF}`)).json();
    expect(lifecycle.summary).toMatchObject({ current: 5, refused: 4, churned: 1 });
  });

  it('refuses bad report parameters with our error shape, and documents the routes in OpenAPI', async () => {
    const missing = await get('/api/reports/segment-sales');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('VALIDATION_FAILED');
    expect((await get('/api/reports/segment-sales?segment=nope')).json().error.code).toBe('SEGMENT_NOT_FOUND');
    expect((await get('/api/reports/nope')).statusCode).toBe(404);
    const doc = (await get('/api/openapi.json')).json();
    for (const report of REPORTS) {
      expect(doc.paths[`/api/reports/${report.name}`], report.name).toBeDefined();
      expect(doc.paths[`/api/reports/${report.name}.xlsx`], report.name).toBeDefined();
    }
    expect(doc.paths['/api/analytics/rfm/refresh']).toBeDefined();
    expect(doc.paths['/api/reports/segment-sales'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['segment', 'from', 'to', 'asOf', 'format']));
  });
});
