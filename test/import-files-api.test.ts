import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { inExcelOrder, rowsOf, workbook } from './import-helpers.js';
import { segmentaCli } from './support/segmenta-cli.js';
import { buildTestApp } from './support/test-app.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe.each(ENGINES)('import of files as people have them, through the API on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    await app.inject({ method: 'POST', url: '/api/import/managers', headers: { 'content-type': 'text/csv' }, payload: 'id,name\nm1,Анна\n' });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const post = (url: string, contentType: string, payload: Buffer | string) => app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });

  it('previews an XLSX (nothing written), then imports it with the corrected mapping', async () => {
    const bytes = await workbook({
      Лист1: [
        ['Код', 'Название компании', 'Ответственный', 'Примечание'],
        ['c1', 'ООО «Ёж»', 'm1', 'звонить утром'],
      ],
    });
    const preview = await post('/api/import/partners/preview', XLSX, bytes);
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({
      format: 'xlsx',
      encoding: null,
      sheet: 'Лист1',
      columns: [
        { heading: 'Код', field: 'id' },
        { heading: 'Название компании', field: 'name' },
        { heading: 'Ответственный', field: 'manager' },
        { heading: 'Примечание', field: null, how: 'unknown' },
      ],
      sample: [{ line: 2, values: { id: 'c1', name: 'ООО «Ёж»', manager: 'm1' }, bad: false }],
      report: { rows: 1, inserted: 1, errorCount: 0 },
    });
    expect(await rowsOf(db, 'partners')).toEqual([]);

    const refused = await post('/api/import/partners', XLSX, bytes);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'IMPORT_UNKNOWN_COLUMN', details: { suggestions: { Примечание: [] } } });

    const columns = encodeURIComponent(JSON.stringify({ Примечание: 'properties.note' }));
    const done = await post(`/api/import/partners?columns=${columns}`, XLSX, bytes);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ format: 'xlsx', encoding: null, inserted: 1 });
    expect(await rowsOf(db, "partner_properties WHERE name = 'note'", 'partner_id, value_text')).toEqual([{ partner_id: 'c1', value_text: 'звонить утром' }]);
  });

  it('previews and imports the last of eight sheets of a workbook stored in Excel’s order; a wrong sheet name lists them all', async () => {
    const sheets: Record<string, unknown[][]> = {};
    for (let i = 1; i <= 7; i++) sheets[`Лист${i}`] = [['Код', 'Наименование'], ...Array.from({ length: 20 }, (_, r) => [`s${i}-${r}`, `Строка ${r}`])];
    sheets['Партнёры'] = [
      ['Код', 'Наименование', 'Дата регистрации'],
      ['e1', 'ООО «Восьмой лист»', new Date(Date.UTC(2024, 2, 5))],
    ];
    const bytes = await inExcelOrder(await workbook(sheets));
    const sheet = encodeURIComponent('партнёры');
    const preview = await post(`/api/import/partners/preview?sheet=${sheet}`, XLSX, bytes);
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ sheet: 'Партнёры', sample: [{ line: 2, values: { id: 'e1', registeredAt: '2024-03-05' } }] });
    const done = await post(`/api/import/partners?sheet=${sheet}`, XLSX, bytes);
    expect(done.json()).toMatchObject({ rows: 1, inserted: 1, errorCount: 0 });
    expect(await rowsOf(db, "partners WHERE id = 'e1'", 'id, registered_at')).toEqual([{ id: 'e1', registered_at: '2024-03-05' }]);
    const missing = await post(`/api/import/partners?sheet=${encodeURIComponent('Нет')}`, XLSX, bytes);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({ code: 'IMPORT_BAD_FORMAT' });
    expect(missing.json().error.message).toContain('its sheets: "Лист1", "Лист2", "Лист3", "Лист4", "Лист5", "Лист6", "Лист7", "Партнёры"');
  });

  it('saves a mapping per source, lists it, and reuses it by name', async () => {
    const saved = await app.inject({
      method: 'PUT',
      url: '/api/import/mappings/bitrix-companies',
      payload: { entity: 'partners', source: 'bitrix24', columns: { 'Сфера деятельности': 'properties.industry', Комментарий: null } },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ name: 'bitrix-companies', entity: 'partners', source: 'bitrix24' });
    const list = await app.inject({ method: 'GET', url: '/api/import/mappings?source=bitrix24' });
    expect(list.json().map((m: { name: string }) => m.name)).toEqual(['bitrix-companies']);

    const csv = iconv.encode('ID;Название компании;Сфера деятельности;Комментарий\r\n7;Вектор;Производство;—\r\n', 'win1251');
    const report = await post('/api/import/partners?mapping=bitrix-companies', 'text/csv', csv);
    expect(report.statusCode).toBe(200);
    expect(report.json()).toMatchObject({ encoding: 'windows-1251', inserted: 1 });
    expect(await rowsOf(db, "partner_properties WHERE name = 'industry'", 'partner_id, value_text')).toEqual([{ partner_id: '7', value_text: 'Производство' }]);

    expect((await post('/api/import/sales?mapping=bitrix-companies', 'text/csv', 'id\n')).json().error.code).toBe('IMPORT_MAPPING_ENTITY');
    expect((await post('/api/import/partners?mapping=nope', 'text/csv', 'id\n')).json().error.code).toBe('IMPORT_MAPPING_NOT_FOUND');
    const bad = await app.inject({ method: 'PUT', url: '/api/import/mappings/x', payload: { entity: 'partners', columns: { A: 'colour' } } });
    expect(bad.json().error.code).toBe('IMPORT_BAD_MAPPING');
    const extra = await app.inject({ method: 'PUT', url: '/api/import/mappings/x', payload: { entity: 'partners', columns: {}, colour: 1 } });
    expect(extra.statusCode).toBe(400);
    expect((await app.inject({ method: 'DELETE', url: '/api/import/mappings/bitrix-companies' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/import/mappings/bitrix-companies' })).statusCode).toBe(404);
  });

  it('lets a manager neither preview nor import', async () => {
    const managerApp = await buildTestApp({ db }, { role: 'manager', managerIds: ['m1'] });
    try {
      expect((await managerApp.inject({ method: 'POST', url: '/api/import/partners/preview', headers: { 'content-type': 'text/csv' }, payload: 'id,name\n' })).statusCode).toBe(403);
      expect((await managerApp.inject({ method: 'GET', url: '/api/import/mappings' })).statusCode).toBe(403);
    } finally {
      await managerApp.close();
    }
  });
});

describe('segmenta import --mapping and XLSX', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segmenta-import-files-'));
  const segmenta = segmentaCli(join(dir, 'cli.duckdb'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports an XLSX sheet by name with a saved mapping', async () => {
    writeFileSync(
      join(dir, 'types.xlsx'),
      await workbook({
        Прочее: [['a']],
        Типы: [
          ['Код', 'Наименование', 'Заметка'],
          ['t1', 'Оптовик', 'x'],
        ],
      }),
    );
    const unknown = await segmenta('import', 'partnerTypes', join(dir, 'types.xlsx'), '--sheet', 'Типы');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('"Заметка"');
    const { DuckDBDatabase } = await import('../src/storage/duckdb-database.js');
    const { migrate } = await import('../src/storage/migrate.js');
    const { saveMapping } = await import('../src/import/mappings.js');
    const db = await DuckDBDatabase.open(join(dir, 'cli.duckdb'));
    await migrate(db);
    await saveMapping(db, 'types-1c', { entity: 'partnerTypes', source: '1c', columns: { Заметка: null } }, null);
    await db.close();
    const ok = await segmenta('import', 'partnerTypes', join(dir, 'types.xlsx'), '--sheet', 'Типы', '--mapping', 'types-1c');
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/^Imported partnerTypes from .*types\.xlsx: 1 rows, 1 inserted/);
  });
});
