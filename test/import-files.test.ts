import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importData, previewImport } from '../src/import/importer.js';
import type { ImportOptions } from '../src/import/importer.js';
import { ColumnMap } from '../src/import/column-map.js';
import { inferPropertyType } from '../src/import/property-types.js';
import { ENTITIES } from '../src/model/entities.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { clearData, importFailure, importText, rowsOf, workbook } from './import-helpers.js';

/** Bytes handed over in small pieces, as a network would. */
const pieces = (bytes: Buffer, size = 1000): Buffer[] => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

const importBytes = (db: Database, bytes: Buffer, options: ImportOptions) => importData(db, pieces(bytes), options);

describe('headings of 1C, Bitrix24 and amoCRM', () => {
  const partners = new ColumnMap(ENTITIES.partners);
  const field = (heading: string, map = partners) => {
    const match = map.match(heading);
    return match.how === 'unknown' || match.how === 'skipped' ? match.how : match.field;
  };

  it('maps 1C headings', () => {
    expect(['Код', 'Наименование', 'ИНН', 'Основной менеджер', 'Бизнес-регион', 'Дата регистрации', 'Поставщик', 'Пометка удаления'].map((h) => field(h))).toEqual([
      'id',
      'name',
      'properties.inn',
      'manager',
      'region',
      'registeredAt',
      'role_supplier',
      'deleted',
    ]);
  });

  it('maps Bitrix24 and amoCRM headings, in any case and spacing', () => {
    expect(['ID', 'Название компании', 'Тип компании', 'Ответственный', 'Дата создания', ' рабочий  E-MAIL '].map((h) => field(h))).toEqual(['id', 'name', 'type', 'manager', 'registeredAt', 'email']);
    expect(['Название', 'Ответственный'].map((h) => field(h))).toEqual(['name', 'manager']);
    const deals = new ColumnMap(ENTITIES.deals);
    expect(['Компания', 'Стадия сделки', 'Бюджет', 'Дата закрытия'].map((h) => field(h, deals))).toEqual(['partner', 'stage', 'amount', 'closedAt']);
  });

  it('suggests columns for an unknown heading', () => {
    expect(partners.match('Наименованее')).toEqual({ how: 'unknown', suggestions: ['name'] });
    expect(partners.match('Название контрагента')).toMatchObject({ how: 'unknown', suggestions: expect.arrayContaining(['name']) });
    expect(partners.match('Цвет глаз')).toEqual({ how: 'unknown', suggestions: [] });
  });

  it('lets a mapping override a heading or leave a column out', () => {
    const map = new ColumnMap(ENTITIES.partners, { Название: 'properties.title', Комментарий: null });
    expect(field('название', map)).toBe('properties.title');
    expect(map.match('Комментарий')).toEqual({ how: 'skipped' });
    expect(() => new ColumnMap(ENTITIES.partners, { X: 'colour' })).toThrow(/not a column of partners/);
  });
});

describe('property types of values as 1C and spreadsheets write them', () => {
  it.each([
    ['1 234,56', 'number'],
    ['1\u00a0234\u00a0567', 'number'],
    ['05.03.2024', 'date'],
    ['01.01.0001', 'string'],
    ['31.02.2024', 'string'],
    ['8 912 345 67 89', 'string'],
    ['012 345', 'string'],
  ])('infers %j as %s', (value, type) => {
    expect(inferPropertyType(value)).toBe(type);
  });
});

describe.each(ENGINES)('files as people have them, on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await clearData(db);
    await importText(db, 'id,name\nm1,Иванова Анна\n', { entity: 'managers' });
    await importText(db, 'id,name\nr59,Пермский край\n', { entity: 'regions' });
  });

  it('imports an XLSX of 1C partners: Cyrillic intact, dates and numbers as Excel stores them', async () => {
    const bytes = await workbook({
      Контрагенты: [
        ['Код', 'Наименование', 'ИНН', 'Основной менеджер', 'Бизнес-регион', 'Дата регистрации', 'Клиент', 'Оборот'],
        ['00-001', 'ООО «Ромашка» — ёлки', '5902123456', 'm1', 'r59', new Date(Date.UTC(2023, 11, 31)), 'Да', 1234.56],
        ['00-002', 'ИП Щукин Ё.', 5903000001, 'm1', 'r59', '15.01.2024', 'Нет', 0.1 + 0.2],
        ['00-003', 'Без оборота', null, 'm1'],
      ],
    });
    const report = await importBytes(db, bytes, { entity: 'partners', format: 'xlsx', mapping: { Оборот: 'properties.Оборот' } });
    expect(report).toMatchObject({ format: 'xlsx', encoding: null, rows: 3, inserted: 3, errorCount: 0 });
    expect(await rowsOf(db, 'partners', 'id, name, manager_id, region_id, registered_at, role_customer')).toEqual([
      { id: '00-001', name: 'ООО «Ромашка» — ёлки', manager_id: 'm1', region_id: 'r59', registered_at: '2023-12-31', role_customer: true },
      { id: '00-002', name: 'ИП Щукин Ё.', manager_id: 'm1', region_id: 'r59', registered_at: '2024-01-15', role_customer: false },
      { id: '00-003', name: 'Без оборота', manager_id: 'm1', region_id: null, registered_at: null, role_customer: null },
    ]);
    const props = await rowsOf(db, 'partner_properties', 'partner_id, name, value_text, value_number', 'partner_id, name');
    expect(props).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ partner_id: '00-001', name: 'inn', value_number: 5902123456 }),
        expect.objectContaining({ partner_id: '00-001', name: 'Оборот', value_number: 1234.56 }),
        expect.objectContaining({ partner_id: '00-002', name: 'Оборот', value_number: 0.3 }),
      ]),
    );
  });

  it('reads a named sheet, and names the rows of errors as the sheet shows them', async () => {
    const bytes = await workbook({
      Пусто: [['x']],
      Продажи: [[], ['Код', 'Наименование', 'Дата регистрации'], ['p1', 'Альфа', '31.02.2024'], [], ['p2', 'Бета', 'вчера']],
    });
    const failure = await importFailure(importBytes(db, bytes, { entity: 'partners', format: 'xlsx', sheet: 'продажи' }));
    expect(failure.code).toBe('IMPORT_BAD_ROWS');
    expect((failure.details.errors as { line: number; column: string }[]).map((e) => [e.line, e.column])).toEqual([
      [3, 'Дата регистрации'],
      [5, 'Дата регистрации'],
    ]);
    expect(await rowsOf(db, 'partners')).toEqual([]);
    const missing = await importFailure(importBytes(db, bytes, { entity: 'partners', format: 'xlsx', sheet: 'Нет такого' }));
    expect(missing.message).toMatch(/no sheet "Нет такого"; its sheets: "Пусто", "Продажи"/);
  });

  it('passes over the sheets before the one asked for without leaving an error behind (a request must not stop the server)', async () => {
    // exceljs spools sheets stored before the shared strings to temporary files; one passed over
    // unread had its file deleted before it was opened, and that error reached no listener.
    const sheets: Record<string, string[][]> = {};
    for (let i = 1; i <= 3; i++) sheets[`Лист${i}`] = [['Код', 'Наименование'], ...Array.from({ length: 50 }, (_, r) => [`x${i}-${r}`, `Строка ${r}`])];
    sheets['Партнёры'] = [
      ['Код', 'Наименование'],
      ['w1', 'Нужный'],
    ];
    const bytes = await workbook(sheets);
    const uncaught: unknown[] = [];
    const listener = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', listener);
    try {
      for (let i = 0; i < 10; i++) {
        const report = await importBytes(db, bytes, { entity: 'partners', format: 'xlsx', sheet: 'Партнёры' });
        expect(report).toMatchObject({ rows: 1 });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.off('uncaughtException', listener);
    }
    expect(uncaught).toEqual([]);
    expect(await rowsOf(db, 'partners', 'id')).toEqual([{ id: 'w1' }]);
  });

  it('refuses what is not an .xlsx workbook', async () => {
    const failure = await importFailure(importBytes(db, Buffer.from('id,name\n'), { entity: 'partners', format: 'xlsx' }));
    expect(failure).toMatchObject({ code: 'IMPORT_BAD_FORMAT' });
    const xls = await importFailure(importBytes(db, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]), { entity: 'partners', format: 'xlsx' }));
    expect(xls.message).toMatch(/Excel 97–2003/);
  });

  it('imports a Windows-1251 CSV with Bitrix24 headings (detected, and said so), ; separated, with dd.mm.yyyy hh:mm and 1 234,56', async () => {
    const csv =
      'ID;Название компании;Ответственный;Дата создания;Сфера деятельности;Сумма\r\n' +
      '101;ООО «Вектор»;m1;05.03.2024 14:30;Производство;1 234,56\r\n' +
      '102;Ёлкин и партнёры;m1;06.03.2024;Торговля;7\u00a0000\r\n';
    const bytes = iconv.encode(csv, 'win1251');
    const report = await importBytes(db, bytes, { entity: 'partners', format: 'csv', mapping: { Сумма: 'properties.revenue' } });
    expect(report).toMatchObject({ encoding: 'windows-1251', inserted: 2, errorCount: 0 });
    expect(await rowsOf(db, 'partners', 'id, name, manager_id, registered_at')).toEqual([
      { id: '101', name: 'ООО «Вектор»', manager_id: 'm1', registered_at: '2024-03-05' },
      { id: '102', name: 'Ёлкин и партнёры', manager_id: 'm1', registered_at: '2024-03-06' },
    ]);
    const revenue = await rowsOf(db, "partner_properties WHERE name = 'revenue'", 'partner_id, value_number', 'partner_id');
    expect(revenue).toEqual([
      { partner_id: '101', value_number: 1234.56 },
      { partner_id: '102', value_number: 7000 },
    ]);
  });

  it('takes a reference given by the unique name of a stored row (Bitrix24 "Ответственный"), and reports an ambiguous or unknown one', async () => {
    await importText(db, 'id,name\nm2,Петров Пётр\nm3,Петров Пётр\n', { entity: 'managers' });
    const csv = 'ID;Название компании;Ответственный\nb1;Альфа;Иванова Анна\nb2;Бета;m1\nb3;Гамма;Петров Пётр\nb4;Дельта;Никто\n';
    const failure = await importFailure(importText(db, csv, { entity: 'partners' }));
    expect((failure.details.errors as { line: number; value: string }[]).map((e) => [e.line, e.value])).toEqual([
      [4, 'Петров Пётр'],
      [5, 'Никто'],
    ]);
    const report = await importText(db, csv, { entity: 'partners', skipBad: true });
    expect(report).toMatchObject({ inserted: 2, skipped: 2 });
    expect(await rowsOf(db, 'partners', 'id, manager_id')).toEqual([
      { id: 'b1', manager_id: 'm1' },
      { id: 'b2', manager_id: 'm1' },
    ]);
  });

  it('reads UTF-8 with and without BOM, and tab-separated text', async () => {
    for (const text of ['\ufeffКод\tНаименование\nt1\tТест\n', 'Код,Наименование\nt1,Тест\n']) {
      const report = await importText(db, text, { entity: 'partnerTypes' });
      expect(report.encoding).toBe('utf-8');
    }
    expect(await rowsOf(db, 'partner_types', 'id, name')).toEqual([{ id: 't1', name: 'Тест' }]);
  });

  it('imports nothing from a file with a bad row, unless skip is asked', async () => {
    const bytes = await workbook({
      Лист1: [
        ['Код', 'Наименование', 'Пометка удаления'],
        ['a', 'А', 'Нет'],
        ['b', 'Б', 'может быть'],
      ],
    });
    const failure = await importFailure(importBytes(db, bytes, { entity: 'partners', format: 'xlsx' }));
    expect(failure.code).toBe('IMPORT_BAD_ROWS');
    expect(await rowsOf(db, 'partners')).toEqual([]);
    const report = await importBytes(db, bytes, { entity: 'partners', format: 'xlsx', skipBad: true });
    expect(report).toMatchObject({ inserted: 1, skipped: 1 });
    expect(await rowsOf(db, 'partners', 'id, deleted')).toEqual([{ id: 'a', deleted: false }]);
  });

  it('refuses unknown headings naming suggestions, and imports once they are mapped or left out', async () => {
    const csv = 'Код;Наименованее;Комментарий\nx1;Икс;что-то\n';
    const failure = await importFailure(importText(db, csv, { entity: 'partners' }));
    expect(failure.code).toBe('IMPORT_UNKNOWN_COLUMN');
    expect(failure.message).toContain('"Наименованее" (name?)');
    expect(failure.details.suggestions).toEqual({ Наименованее: ['name'], Комментарий: [] });
    const report = await importText(db, csv, { entity: 'partners', mapping: { Наименованее: 'name', Комментарий: null } });
    expect(report.inserted).toBe(1);
  });

  it('previews a file without importing it: format, encoding, mapping, parsed rows, row errors and counts', async () => {
    const csv = 'Код;Название;Дата регистрации;Пометка удаления;Цвет\n' + 'a;Альфа;01.02.2024;Да;синий\n' + 'b;Бета;32.01.2024;Нет;\n';
    const preview = await previewImport(db, [iconv.encode(csv, 'win1251')], { entity: 'partners', format: 'csv' });
    expect(preview).toMatchObject({ entity: 'partners', format: 'csv', encoding: 'windows-1251', delimiter: ';', missingColumns: [] });
    expect(preview.columns).toEqual([
      { heading: 'Код', field: 'id', how: 'heading', suggestions: [] },
      { heading: 'Название', field: 'name', how: 'heading', suggestions: [] },
      { heading: 'Дата регистрации', field: 'registeredAt', how: 'heading', suggestions: [] },
      { heading: 'Пометка удаления', field: 'deleted', how: 'heading', suggestions: [] },
      { heading: 'Цвет', field: null, how: 'unknown', suggestions: [] },
    ]);
    expect(preview.sample).toEqual([
      { line: 2, values: { id: 'a', name: 'Альфа', registeredAt: '2024-02-01', deleted: 'true' }, bad: false },
      { line: 3, values: { id: 'b', name: 'Бета', registeredAt: null, deleted: 'false' }, bad: true },
    ]);
    expect(preview.report).toMatchObject({ rows: 2, inserted: 1, errorCount: 1, errors: [{ line: 3, column: 'Дата регистрации', value: '32.01.2024' }] });
    expect(await rowsOf(db, 'partners')).toEqual([]);
  });
});
