import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importData } from '../src/import/importer.js';
import type { ImportOptions } from '../src/import/importer.js';
import { readXlsx } from '../src/import/xlsx-records.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { clearData, importFailure, inExcelOrder, rowsOf, workbook, zipOrder } from './import-helpers.js';

/** Bytes handed over in small pieces, as a network would. */
const pieces = (bytes: Buffer, size = 1000): Buffer[] => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

const importBytes = (db: Database, bytes: Buffer, options: ImportOptions) => importData(db, pieces(bytes), options);

/** A file handed over whole and in small pieces: exceljs's streaming reader failed differently for each. */
const handedOver = (bytes: Buffer): Buffer[][] => [[bytes], pieces(bytes)];

const WANTED = 'Партнёры';

/** Eight sheets of partners, the wanted one at `position` (0-based); each other sheet's ids name it. */
function eightSheets(
  position: number,
  wanted: unknown[][] = [
    ['Код', 'Наименование'],
    ['w1', 'Нужный'],
    ['w2', 'Тоже нужный'],
  ],
): Record<string, unknown[][]> {
  const sheets: Record<string, unknown[][]> = {};
  for (let i = 0, other = 1; i < 8; i++) {
    if (i === position) sheets[WANTED] = wanted;
    else {
      sheets[`Лист${other}`] = [['Код', 'Наименование'], ...Array.from({ length: 30 }, (_, r) => [`s${other}-${r}`, `Строка ${r} листа ${other}`])];
      other++;
    }
  }
  return sheets;
}

/** Errors that reached no listener while `run` ran (and a moment after: a late temp-file error would come then). */
async function uncaughtDuring(run: () => Promise<void>): Promise<unknown[]> {
  const uncaught: unknown[] = [];
  const listener = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', listener);
  try {
    await run();
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    process.off('uncaughtException', listener);
  }
  return uncaught;
}

describe('workbooks as exceljs and Excel store them', () => {
  it('Excel stores the workbook before the sheets, exceljs after them; both store the sheets before the shared strings and styles', async () => {
    const exceljs = await workbook(eightSheets(7));
    const excel = await inExcelOrder(exceljs);
    for (const order of [await zipOrder(exceljs), await zipOrder(excel)]) {
      expect(order.indexOf('xl/worksheets/sheet8.xml')).toBeLessThan(order.indexOf('xl/sharedStrings.xml'));
      expect(order.indexOf('xl/worksheets/sheet8.xml')).toBeLessThan(order.indexOf('xl/styles.xml'));
    }
    expect((await zipOrder(exceljs)).at(-1)).toBe('xl/workbook.xml');
    expect((await zipOrder(excel)).indexOf('xl/workbook.xml')).toBeLessThan((await zipOrder(excel)).indexOf('xl/worksheets/sheet1.xml'));
  });
});

describe.each(ENGINES)('XLSX workbooks of many sheets, on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => db.close());
  beforeEach(async () => {
    await clearData(db);
  });

  const orders = [
    ['exceljs', (bytes: Buffer) => Promise.resolve(bytes)],
    ['Excel', inExcelOrder],
  ] as const;

  it.each(orders)('imports the sheet asked for, first, in the middle or last of eight, in %s’s order', async (_, order) => {
    const uncaught = await uncaughtDuring(async () => {
      for (const position of [0, 3, 7]) {
        for (const chunks of handedOver(await order(await workbook(eightSheets(position))))) {
          await clearData(db);
          const report = await importData(db, chunks, { entity: 'partners', format: 'xlsx', sheet: WANTED });
          expect(report, `the wanted sheet at ${position}, in ${chunks.length} chunks`).toMatchObject({ rows: 2, inserted: 2, errorCount: 0 });
          expect(await rowsOf(db, 'partners', 'id, name')).toEqual([
            { id: 'w1', name: 'Нужный' },
            { id: 'w2', name: 'Тоже нужный' },
          ]);
        }
      }
      // No sheet asked for: the workbook's first.
      await clearData(db);
      const report = await importBytes(db, await order(await workbook(eightSheets(7))), { entity: 'partners', format: 'xlsx' });
      expect(report).toMatchObject({ rows: 30, inserted: 30 });
      expect(await rowsOf(db, 'partners', 'id', 'id LIMIT 1')).toEqual([{ id: 's1-0' }]);
    });
    expect(uncaught).toEqual([]);
  });

  it('reads a date cell as a date (its number format is in the styles, stored after the sheets) from an eight-sheet workbook in Excel’s order', async () => {
    // Without the styles the cell is its serial number, 45291: a new property would be a number.
    const wanted = [
      ['Код', 'Наименование', 'Дата договора', 'Оборот'],
      ['d1', 'С датой', new Date(Date.UTC(2023, 11, 31)), 1234.56],
    ];
    const mapping = { 'Дата договора': 'properties.Дата договора', Оборот: 'properties.Оборот' };
    for (const position of [0, 7]) {
      for (const chunks of handedOver(await inExcelOrder(await workbook(eightSheets(position, wanted))))) {
        await clearData(db);
        const report = await importData(db, chunks, { entity: 'partners', format: 'xlsx', sheet: WANTED, mapping });
        expect(report).toMatchObject({ rows: 1, inserted: 1, errorCount: 0 });
        expect(await rowsOf(db, 'partner_properties', 'name, value_date, value_number', 'name'), `the sheet at ${position}, in ${chunks.length} chunks`).toEqual([
          { name: 'Дата договора', value_date: '2023-12-31', value_number: null },
          { name: 'Оборот', value_date: null, value_number: 1234.56 },
        ]);
      }
    }
  });

  it.each(orders)('names every sheet of the workbook when the one asked for is not there (%s’s order)', async (_, order) => {
    const bytes = await order(await workbook(eightSheets(7)));
    const failure = await importFailure(importBytes(db, bytes, { entity: 'partners', format: 'xlsx', sheet: 'Нет такого' }));
    expect(failure.code).toBe('IMPORT_BAD_FORMAT');
    expect(failure.message).toContain('no sheet "Нет такого"; its sheets: "Лист1", "Лист2", "Лист3", "Лист4", "Лист5", "Лист6", "Лист7", "Партнёры"');
  });

  it('refuses a cut-off workbook as IMPORT_BAD_FORMAT, and an upload that breaks off as IMPORT_ABORTED; nothing imported, nothing left uncaught', async () => {
    const bytes = await inExcelOrder(await workbook(eightSheets(7)));
    const uncaught = await uncaughtDuring(async () => {
      const cut = await importFailure(importBytes(db, bytes.subarray(0, Math.floor(bytes.length * 0.6)), { entity: 'partners', format: 'xlsx', sheet: WANTED }));
      expect(cut).toMatchObject({ code: 'IMPORT_BAD_FORMAT' });
      // Seen as the bytes arrive (zip-input.ts), before the spooled file's directory is looked for.
      expect(cut.message).toMatch(/cut short: its zip archive ends after \d+ bytes without its end record/);
      async function* breaksOff() {
        yield bytes.subarray(0, 4000);
        throw new Error('connection reset');
      }
      const aborted = await importFailure(importData(db, breaksOff(), { entity: 'partners', format: 'xlsx', sheet: WANTED }));
      expect(aborted).toMatchObject({ code: 'IMPORT_ABORTED' });
      expect(aborted.message).toContain('connection reset');
    });
    expect(uncaught).toEqual([]);
    expect(await rowsOf(db, 'partners')).toEqual([]);
  });
});

describe('the spooled upload of readXlsx', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'segmenta-xlsx-test-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const read = async (chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, sheet?: string, stopAfter = Infinity) => {
    const items: unknown[] = [];
    for await (const item of readXlsx(
      (async function* () {
        yield* chunks;
      })(),
      { sheet, spoolRoot: root },
    )) {
      items.push(item);
      if (items.length >= stopAfter) break;
    }
    return items;
  };

  it('is removed after the sheet is read, after an early stop, after a cut-off file and after an upload that breaks off', async () => {
    const bytes = await inExcelOrder(await workbook(eightSheets(3)));
    expect(await read(pieces(bytes), WANTED)).toEqual([
      { header: ['Код', 'Наименование'], line: 1, sheet: WANTED },
      {
        records: [
          ['w1', 'Нужный'],
          ['w2', 'Тоже нужный'],
        ],
        lines: [2, 3],
      },
    ]);
    expect(await readdir(root)).toEqual([]);

    expect(await read(pieces(bytes), 'лист1', 1)).toEqual([{ header: ['Код', 'Наименование'], line: 1, sheet: 'Лист1' }]);
    expect(await readdir(root)).toEqual([]);

    await expect(read(pieces(bytes.subarray(0, bytes.length - 100)), WANTED)).rejects.toMatchObject({ code: 'IMPORT_BAD_FORMAT' });
    expect(await readdir(root)).toEqual([]);

    const breakOff = async function* () {
      yield bytes.subarray(0, 5000);
      throw new Error('connection reset');
    };
    await expect(read(breakOff(), WANTED)).rejects.toThrow('connection reset');
    expect(await readdir(root)).toEqual([]);
  });

  it('is removed when a sheet inside is damaged, which is IMPORT_BAD_FORMAT', async () => {
    const bytes = await workbook(eightSheets(7));
    // The sheet's deflated data starts with a block of a type that does not exist.
    const name = bytes.indexOf('xl/worksheets/sheet8.xml');
    bytes[name + 'xl/worksheets/sheet8.xml'.length + bytes.readUInt16LE(name - 2)] = 0xff;
    await expect(read(pieces(bytes), WANTED)).rejects.toMatchObject({ code: 'IMPORT_BAD_FORMAT', message: expect.stringMatching(/the workbook cannot be read/) });
    expect(await readdir(root)).toEqual([]);
  });
});

describe('cell text of readXlsx', () => {
  it('keeps a Cyrillic letter whose bytes are split between two chunks of the unzipped sheet', async () => {
    const names = Array.from({ length: 5000 }, (_, i) => `Контрагент «Ёлочка» № ${i}`);
    const bytes = await workbook({ Лист1: [['Код', 'Наименование'], ...names.map((name, i) => [`k${i}`, name])] });
    const read: string[] = [];
    for await (const item of readXlsx(Readable.from([bytes]))) if ('records' in item) read.push(...item.records.map((record) => record[1]!));
    expect(read).toEqual(names);
  });
});
