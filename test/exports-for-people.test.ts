/**
 * Exports a Russian manager opens in Excel (issue 21, defect 1): with `lang` the members file
 * and the report files speak the UI's language — headings, names next to their codes, dd.mm.yyyy,
 * Да/Нет, money in kopecks, the additional properties as columns — and a Russian CSV is
 * `;`-separated with a BOM, so Excel under a Russian locale opens it in columns. Without `lang`
 * the machine form stays as it was.
 */
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportFile } from '../src/domain/reports/report-file.js';
import type { ReportResult } from '../src/domain/reports/report.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { buildTestApp } from './support/test-app.js';

const parseCsv = (text: string, delimiter: string) => {
  expect(text.startsWith('\uFEFF')).toBe(true);
  const parsed = Papa.parse<string[]>(text.slice(1), { delimiter, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  const [header, ...rows] = parsed.data;
  return { header: header!, rows: rows.map((row) => Object.fromEntries(header!.map((h, i) => [h, row[i]]))) };
};

async function readBook(body: Buffer) {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(body as unknown as ArrayBuffer);
  return book;
}

describe.each(ENGINES)('exports for people on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await engine.create();
    await db.run("INSERT INTO regions (id, name, parent_id) VALUES ('ru', 'Россия', NULL), ('perm', 'Пермь', 'ru')");
    await db.run("INSERT INTO partner_groups (id, name, parent_id) VALUES ('wholesale-small', 'Мелкий опт', NULL)");
    await db.run("INSERT INTO managers (id, name) VALUES ('M017', 'Смирнова Елена')");
    await db.run(
      `INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, group_id, region_id, manager_id, registered_at, deleted)
       VALUES ('c1', 'АО «Ромашка»', TRUE, TRUE, FALSE, FALSE, 'company', 'wholesale-small', 'perm', 'M017', CAST('2023-04-05' AS DATE), FALSE),
              ('c2', 'ИП Лютиков', TRUE, FALSE, FALSE, FALSE, 'person', NULL, 'ru', NULL, NULL, TRUE)`,
    );
    await db.run(
      `INSERT INTO partner_properties (partner_id, name, value_text, value_number, value_date, value_boolean) VALUES
       ('c1', 'ИНН', '5902123456', NULL, NULL, NULL),
       ('c1', 'Дата договора', NULL, NULL, CAST('2024-02-29' AS DATE), NULL),
       ('c2', 'Работает по предоплате', NULL, NULL, NULL, TRUE),
       ('c2', 'Количество сотрудников', NULL, 12, NULL, NULL)`,
    );
    app = await buildTestApp({ db });
    expect((await app.inject({ method: 'POST', url: '/api/segments', payload: { id: 'romashki', name: 'Ромашки', method: 'manual' } })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/api/segments/romashki/members', payload: { ids: ['c1', 'c2'] } })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('writes the members CSV in Russian: `;`, BOM, Russian headings, names next to codes, dd.mm.yyyy, Да/Нет, properties as columns', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/segments/romashki/members.csv?lang=ru' });
    expect(res.statusCode).toBe(200);
    // A `;` file: parsed with `;`, every heading is a column of its own.
    const { header, rows } = parseCsv(res.body, ';');
    expect(header.slice(0, 6)).toEqual(['Код', 'Наименование', 'Роли', 'Юр. / физ. лицо', 'Группа', 'Код группы']);
    expect(header).toEqual(expect.arrayContaining(['Регион', 'Код региона', 'Менеджер', 'Код менеджера', 'Дата регистрации', 'Помечен на удаление', 'ИНН', 'Дата договора', 'Работает по предоплате']));
    const c1 = rows.find((r) => r['Код'] === 'c1')!;
    expect(c1).toMatchObject({
      Наименование: 'АО «Ромашка»',
      Роли: 'Клиент, Поставщик',
      'Юр. / физ. лицо': 'Компания',
      Группа: 'Мелкий опт',
      'Код группы': 'wholesale-small',
      Регион: 'Пермь',
      'Код региона': 'perm',
      Менеджер: 'Смирнова Елена',
      'Код менеджера': 'M017',
      'Дата регистрации': '05.04.2023',
      'Помечен на удаление': 'Нет',
      ИНН: '5902123456',
      'Дата договора': '29.02.2024',
    });
    const c2 = rows.find((r) => r['Код'] === 'c2')!;
    expect(c2).toMatchObject({ 'Юр. / физ. лицо': 'Частное лицо', 'Помечен на удаление': 'Да', 'Работает по предоплате': 'Да', 'Количество сотрудников': '12', ИНН: '' });
  });

  it('writes it in English with `,` and English headings; without lang the machine form is unchanged', async () => {
    const en = parseCsv((await app.inject({ method: 'GET', url: '/api/segments/romashki/members.csv?lang=en' })).body, ',');
    expect(en.header.slice(0, 4)).toEqual(['Code', 'Name', 'Roles', 'Company / person']);
    expect(en.rows.find((r) => r.Code === 'c1')).toMatchObject({ Region: 'Пермь', 'Region code': 'perm', 'Marked for deletion': 'No', Roles: 'Customer, Supplier' });
    const raw = parseCsv((await app.inject({ method: 'GET', url: '/api/segments/romashki/members.csv' })).body, ',');
    expect(raw.header.slice(0, 3)).toEqual(['id', 'name', 'roles']);
    expect(raw.rows.find((r) => r.id === 'c1')).toMatchObject({ roles: 'customer|supplier', region: 'perm', registeredAt: '2023-04-05', deleted: 'false' });
  });

  it('writes the members XLSX in Russian with the properties and real dates', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/segments/romashki/members.xlsx?lang=ru' });
    expect(res.statusCode).toBe(200);
    const sheet = (await readBook(res.rawPayload)).worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(expect.arrayContaining(['Код', 'Наименование', 'Регион', 'Код региона', 'ИНН']));
    const col = (name: string) => header.indexOf(name) + 1;
    const row = [2, 3].map((n) => sheet.getRow(n)).find((r) => r.getCell(col('Код')).value === 'c1')!;
    expect(row.getCell(col('Регион')).value).toBe('Пермь');
    expect(row.getCell(col('ИНН')).value).toBe('5902123456');
    expect(row.getCell(col('Дата регистрации')).value).toEqual(new Date(Date.UTC(2023, 3, 5)));
    expect(row.getCell(col('Дата регистрации')).numFmt).toBe('dd.mm.yyyy');
    expect(row.getCell(col('Помечен на удаление')).value).toBe('Нет');
  });

  it('writes a report XLSX with Russian sheet names', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/reports/segment-sales.xlsx?segment=romashki&from=2024-01-01&to=2024-02-29&lang=ru' });
    expect(res.statusCode, res.body).toBe(200);
    const book = await readBook(res.rawPayload);
    expect(book.worksheets.map((s) => s.name)).toEqual(['По месяцам', 'Отчёт']);
    expect((book.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toEqual(['Месяц', 'Выручка', 'Себестоимость', 'Валовая прибыль', 'Количество', 'Документов', 'Партнёров']);
    const en = await readBook((await app.inject({ method: 'GET', url: '/api/reports/segment-sales.xlsx?segment=romashki&from=2024-01-01&to=2024-02-29&lang=en' })).rawPayload);
    expect(en.worksheets.map((s) => s.name)).toEqual(['By month', 'Report']);
  });
});

describe('report files for people', () => {
  const result: ReportResult = {
    report: 'settlements',
    title: "Settlements with a segment's partners",
    generatedAt: '2026-12-07T06:00:00.000Z',
    parameters: { segment: 'top', asOf: '2026-12-01' },
    summary: { receivable: 2594849.040000001 },
    tables: [
      {
        name: 'partners',
        title: 'Settlements by partner',
        columns: [
          { key: 'partnerId', title: 'Id', type: 'text' },
          { key: 'name', title: 'Partner', type: 'text' },
          { key: 'receivable', title: 'Receivable (owes us)', type: 'number' },
          { key: 'date', title: 'Date', type: 'date' },
        ],
        rows: [{ partnerId: 'c1', name: 'АО «Ромашка»', receivable: 2594849.040000001, date: '2026-11-30' }],
        total: 1,
      },
    ],
  };

  it('rounds money to kopecks and writes a Russian CSV with `;` and a decimal comma', async () => {
    const { header, rows } = parseCsv((await reportFile(result, 'csv', undefined, 'ru')).toString('utf8'), ';');
    expect(header).toEqual(['Код партнёра', 'Партнёр', 'Дебиторская задолженность (нам должны)', 'Дата']);
    expect(rows[0]).toEqual({ 'Код партнёра': 'c1', Партнёр: 'АО «Ромашка»', 'Дебиторская задолженность (нам должны)': '2594849,04', Дата: '30.11.2026' });
    const en = parseCsv((await reportFile(result, 'csv', undefined, 'en')).toString('utf8'), ',');
    expect(en.rows[0]).toMatchObject({ 'Receivable (owes us)': '2594849.04' });
  });

  it('names the XLSX sheets in Russian and keeps money a number in kopecks', async () => {
    const book = await readBook(await reportFile(result, 'xlsx', undefined, 'ru'));
    expect(book.worksheets.map((s) => s.name)).toEqual(['Взаиморасчёты по партнёрам', 'Отчёт']);
    expect(book.worksheets[0]!.getRow(2).getCell(3).value).toBe(2594849.04);
    const english = await readBook(await reportFile(result, 'xlsx'));
    expect(english.worksheets.map((s) => s.name)).toEqual(['Settlements by partner', 'Report']);
  });
});
