/**
 * The fast path of CSV import (src/import/csv-file-load.ts): a plain UTF-8 file read by
 * DuckDB's CSV reader and checked in SQL must import exactly as the usual path does — the same
 * report, the same rows errors with the same codes, texts and lines, the same stored rows.
 * Each case imports the file both ways (importFile from disk, importData from a stream) into
 * two fresh databases and compares; and says whether the fast path was taken.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainCsvFile } from '../src/import/csv-file-load.js';
import { importFile } from '../src/import/import-file.js';
import { importData, type ImportOptions } from '../src/import/importer.js';
import { ENTITIES } from '../src/model/entities.js';
import type { Database } from '../src/storage/database.js';
import { DuckDBDatabase } from '../src/storage/duckdb-database.js';
import { migrate } from '../src/storage/migrate.js';
import { PGLITE } from './engines.js';
import { importFailure, rowsOf } from './import-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'segmenta-fast-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freshDb(engine: 'duckdb' | 'pglite' = 'duckdb'): Promise<Database> {
  const db = engine === 'pglite' ? await PGLITE.create() : await DuckDBDatabase.open(':memory:');
  if (engine === 'duckdb') await migrate(db);
  await importData(db, [Buffer.from('id,name\nP1,Альфа\nP2,Бета\nP3,Гамма\n')], { entity: 'partners', format: 'csv' });
  await importData(db, [Buffer.from('id,name\nG1,Гвозди\nG2,Шурупы\n')], { entity: 'products', format: 'csv' });
  await importData(db, [Buffer.from('id,name\nM1,Иванов\n')], { entity: 'managers', format: 'csv' });
  return db;
}

let fileNo = 0;
function writeCsv(content: string | Buffer): string {
  const path = join(dir, `sales-${++fileNo}.csv`);
  writeFileSync(path, content);
  return path;
}

type Outcome = { report?: unknown; error?: unknown; sales: unknown[] };

async function outcome(db: Database, run: () => Promise<unknown>): Promise<Outcome> {
  try {
    const report = await run();
    return { report, sales: await rowsOf(db, 'sales', '*', 'id') };
  } catch (error) {
    const e = error as { code?: string; details?: unknown; message: string };
    return { error: { code: e.code, message: e.message, details: e.details }, sales: await rowsOf(db, 'sales', '*', 'id') };
  }
}

/** The file imported the fast way and the usual way: both outcomes, and whether the fast path applied. */
async function bothWays(content: string | Buffer, options: Omit<ImportOptions, 'format'> = { entity: 'sales' }): Promise<{ fast: Outcome; usual: Outcome; plain: boolean }> {
  const path = writeCsv(content);
  const [a, b] = [await freshDb(), await freshDb()];
  try {
    const plain = (await plainCsvFile(a, path, ENTITIES.sales, { delimiter: options.delimiter, encoding: options.encoding, bytes: 0 })) !== undefined;
    const fast = await outcome(a, () => importFile(a, path, options));
    const usual = await outcome(b, () => importData(b, [Buffer.from(content)], { ...options, format: 'csv' }));
    return { fast, usual, plain };
  } finally {
    await a.close();
    await b.close();
  }
}

const HEADER = 'id,document,date,partner,product,quantity,revenue,cost,manager';

describe('CSV import fast path (DuckDB reads the file)', () => {
  beforeAll(() => undefined);

  it('imports good lines as the usual path does: values, report, stored rows', async () => {
    const csv = `${HEADER}\nS1,D1,2024-01-31,P1,G1,3,100.50,80,M1\nS2,D1,2024-02-29,P2,G2,-1.25,0.00005,,\nS3,D2,2023-12-01,P3,G1,1234567.1234,99999999999999.9999,1,M1\n`;
    const { fast, usual, plain } = await bothWays(csv);
    expect(plain).toBe(true);
    expect(fast.error).toBeUndefined();
    expect(fast).toEqual(usual);
    expect(fast.sales).toHaveLength(3);
  });

  it('reports bad rows with the same codes, texts and lines, quoted line breaks and commas counted', async () => {
    const lines = [
      HEADER,
      'S1,"D1, part ""a""",2024-01-31,P1,G1,3,100,80,M1', // line 2: a quoted comma and quotes
      'S2,"D2\nsecond line\nthird",2024-01-31,P1,G1,3,100,80,M1', // lines 3–5: a quoted field over three lines
      'S3,D3,2024-02-30,P1,G1,3,100,80,M1', // line 6: no such day
      'S4,D4,31.01.2024,P9,G1,"1 234,50",abc,80,M1', // line 7: a dotted date and spaced number (fine), unknown partner, bad revenue
      'S5,,2024-01-31,P1,G1,3,100,80,M1', // line 8: no document
      ',,,,,,,,', // line 9: blank, skipped
      `S${'x'.repeat(300)},D6,2024-01-31,P1,G1,3,100,80,M1`, // line 10: id too long
      'S7,  ,2024-01-31,P1,G1,3,100,80,M1', // line 11: a blank document
      'S8,D8,2024-01-31,P2,G9,3,1e5,80,M1', // line 12: an exponent, unknown product
    ];
    const { fast, usual, plain } = await bothWays(`${lines.join('\n')}\n`);
    expect(plain).toBe(true);
    expect(fast).toEqual(usual);
    const details = (fast.error as { code: string; details: { errors: { line: number; column: string | null; code?: string }[] } }).details;
    expect((fast.error as { code: string }).code).toBe('IMPORT_BAD_ROWS');
    expect(details.errors.map((e) => e.line).sort((x, y) => x - y)).toEqual([6, 7, 8, 10, 11, 12]); // a row with a bad value is not checked for references
    expect(fast.sales).toEqual([]);
  });

  it('with skipBad keeps the good rows, the last of duplicate ids winning, as the usual path does', async () => {
    const csv = `${HEADER}\nS1,D1,2024-01-31,P1,G1,3,100,80,M1\nS2,D2,bad,P1,G1,3,100,80,M1\nS1,D1b,2024-01-31,P2,G2,4,200,80,\nS3,"D3\r\nx",2024-03-01,P9,G1,1,1,1,M1\nS4,D4,2024-03-01,P3,G1,1,1,1,M1\nS5,D5,2024-03-01,P7,G1,1,1,1,M1\n`;
    const { fast, usual, plain } = await bothWays(csv, { entity: 'sales', skipBad: true });
    expect(plain).toBe(true);
    expect(fast).toEqual(usual);
    expect((fast.report as { errors: { line: number }[] }).errors.map((e) => e.line)).toEqual([3, 5, 8]); // S5 (an unknown partner, found in SQL) starts on line 8: the quoted line break counts
    expect(fast.sales.map((r) => (r as { id: string; document: string }).document)).toEqual(['D1b', 'D4']);
  });

  it('numbers rows by their position in a file without quoted line breaks: duplicates, converted rows and unknown references keep their lines', async () => {
    const csv = [
      HEADER,
      'S1,D1,2024-01-31,P1,G1,3,100,80,M1', // line 2: superseded by line 4
      'S2,D2,31.01.2024,P1,G1,3,100,80,M1', // line 3: a dotted date (converted by the row builder), superseded by line 7
      'S1,D1b,2024-01-31,P2,G2,4,200,80,', // line 4
      'S3,D3,2024-03-01,P9,G1,1,1,1,M1', // line 5: unknown partner
      'S4,D4,2024-03-01,P3,G1,1,1,1,M1', // line 6
      'S2,D2c,2024-03-01,P3,G1,1,1,1,M1', // line 7
      '',
    ].join('\n');
    const { fast, usual, plain } = await bothWays(csv, { entity: 'sales', skipBad: true });
    expect(plain).toBe(true);
    expect(fast).toEqual(usual);
    expect((fast.report as { duplicates: number; errors: { line: number }[] }).errors.map((e) => e.line)).toEqual([5]);
    expect((fast.report as { duplicates: number }).duplicates).toBe(2);
    expect(fast.sales.map((r) => (r as { document: string }).document)).toEqual(['D1b', 'D2c', 'D4']);
  });

  it('imports into a filled table as the usual path does: changed rows updated, new ones added, the same file again changes nothing', async () => {
    const first = writeCsv(`${HEADER}\nS1,D1,2024-01-31,P1,G1,3,100,80,M1\nS2,D2,2024-02-01,P2,G2,1,10,5,M1\n`);
    const second = `${HEADER}\nS1,D1,2024-01-31,P1,G1,3,100,80,M1\nS2,D2,2024-02-01,P2,G2,1,12.5,5,M1\nS3,D3,2024-02-02,P3,G1,2,20,10,\n`;
    const path = writeCsv(second);
    const [a, b] = [await freshDb(), await freshDb()];
    try {
      await importFile(a, first, { entity: 'sales' });
      await importFile(b, first, { entity: 'sales' });
      const fast = await outcome(a, () => importFile(a, path, { entity: 'sales' }));
      const usual = await outcome(b, () => importData(b, [Buffer.from(second)], { entity: 'sales', format: 'csv' }));
      expect(fast).toEqual(usual);
      expect(fast.report).toMatchObject({ inserted: 1, updated: 1, unchanged: 1 });
      // The dirty set of incremental refresh: the same partners marked both ways.
      const marked = (db: Database) => rowsOf(db, 'partner_changes', 'DISTINCT partner_id, due_on', 'partner_id, due_on');
      expect(await marked(a)).toEqual(await marked(b));
      expect((await marked(a)).map((r) => r.partner_id)).toEqual(['P1', 'P2', 'P3']);
      const again = await outcome(a, () => importFile(a, path, { entity: 'sales' }));
      expect(again.report).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
      expect(again.sales).toEqual(fast.sales);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('reads a byte order mark, CRLF line breaks, a semicolon file with comma decimals, Russian headings and a mapping', async () => {
    const russian =
      '\uFEFFКод;Документ;Дата;Контрагент;Номенклатура;Количество;Сумма;Себестоимость;Примечание\r\nS1;D1;2024-01-31;P1;G1;1,5;100,25;;что-то\r\nS2;D2;2024-01-31;P2;G2;2;200;1;\r\nS3;D3;2024-13-01;P2;G2;2;200;1;\r\n';
    const options = { entity: 'sales', skipBad: true, mapping: { Примечание: null } };
    const { fast, usual, plain } = await bothWays(russian, options);
    expect(plain).toBe(true);
    expect(fast).toEqual(usual);
    expect((fast.report as { inserted: number; errors: { line: number }[] }).inserted).toBe(2);
    expect((fast.report as { errors: { line: number }[] }).errors.map((e) => e.line)).toEqual([4]);
    expect(fast.sales.map((r) => String((r as { quantity: unknown }).quantity))).toEqual(['1.5', '2']);
  });

  it('leaves files that are not plain to the usual path, with the same outcome', async () => {
    const cases = [
      `${HEADER}\nS1,D1,2024-01-31,P1,G1,3,100,80,M1\n\nS2,D2,2024-01-31,P1,G1,3,100,80,M1\n`, // a blank line
      `${HEADER}\nS1,ООО "Ромашка",2024-01-31,P1,G1,3,100,80,M1\n`, // a quote inside a field
      `${HEADER}\nS1,D1,2024-01-31,P1,G1,3,100,80,M1,\n`, // a trailing delimiter
      `${HEADER}\nS1,D1,2024-01-31,P1,G1,3\n`, // a short record
      `${HEADER}\r\nS1,D1,2024-01-31,P1,G1,3,100,80,M1\nS2,D2,2024-01-31,P1,G1,3,100,80,M1\r\n`, // mixed line breaks
      `${HEADER}\nS1,"D1,2024-01-31,P1,G1,3,100,80,M1\n`, // an unclosed quote
    ];
    for (const csv of cases) {
      const { fast, usual, plain } = await bothWays(csv, { entity: 'sales', skipBad: true });
      expect(plain, csv).toBe(false);
      expect(fast, csv).toEqual(usual);
    }
    const cp1251 = Buffer.concat([Buffer.from(`${HEADER}\nS1,`), Buffer.from([0xc4, 0xee, 0xea]), Buffer.from(',2024-01-31,P1,G1,3,100,80,M1\n')]);
    const { fast, usual, plain } = await bothWays(cp1251);
    expect(plain).toBe(false);
    expect(fast).toEqual(usual);
    expect(fast.sales.map((r) => (r as { document: string }).document)).toEqual(['Док']);
  });

  it('imports the file as it is when it changes under the import (cut short after the scan): the usual path takes over', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `S${i},D${i},2024-01-31,P1,G1,1,1,1,M1`);
    const path = writeCsv(`${HEADER}\n${rows.join('\n')}\n`);
    const db = await freshDb();
    try {
      const cut = Buffer.byteLength(`${HEADER}\n${rows.slice(0, 500).join('\n')}\n`);
      let done = false;
      const report = await importFile(db, path, {
        entity: 'sales',
        onProgress: (p) => {
          // The scan has read the whole file: cut it, as a copy still being written could be.
          if (!done && p.bytesRead >= p.totalBytes! && p.rows === 0) {
            done = true;
            truncateSync(path, cut);
          }
        },
      });
      expect(done).toBe(true);
      expect(report.rows).toBe(500);
      expect(await rowsOf(db, 'sales', 'COUNT(*) AS n')).toEqual([{ n: 500 }]);
      // Nothing of the attempt is left behind.
      expect(await db.query(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'import_raw%' OR table_name LIKE 'import_staging%'`)).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('reads a tab-delimited file; PostgreSQL (PGlite) reads the same file the usual way, to the same rows', async () => {
    const csv = `${HEADER.replaceAll(',', '\t')}\nS1\t"D1, ""x"""\t2024-01-31\tP1\tG1\t3\t100,5\t\tM1\nS2\tD2\t15.02.2024\tP2\tG2\t1\t2\t3\t\n`;
    const { fast, usual, plain } = await bothWays(csv);
    expect(plain).toBe(true);
    expect(fast).toEqual(usual);
    const path = writeCsv(csv);
    const pg = await freshDb('pglite');
    try {
      expect(await plainCsvFile(pg, path, ENTITIES.sales, { bytes: 0 })).toBeUndefined();
      expect((await importFile(pg, path, { entity: 'sales' })).inserted).toBe(2);
      const rows = await rowsOf(pg, 'sales', 'id, document, CAST(date AS TEXT) AS date, CAST(revenue AS TEXT) AS revenue', 'id');
      expect(rows).toEqual([
        { id: 'S1', document: 'D1, "x"', date: '2024-01-31', revenue: '100.5000' },
        { id: 'S2', document: 'D2', date: '2024-02-15', revenue: '2.0000' },
      ]);
      expect(fast.sales.map((r) => (r as { document: string }).document)).toEqual(['D1, "x"', 'D2']);
    } finally {
      await pg.close();
    }
  });

  it('fails as the usual path does for an unknown column or a missing one', async () => {
    for (const csv of [`${HEADER},colour\nS1,D1,2024-01-31,P1,G1,3,100,80,M1,red\n`, 'id,document\nS1,D1\n']) {
      const { fast, usual } = await bothWays(csv);
      expect(fast.error).toBeDefined();
      expect(fast).toEqual(usual);
    }
    const path = writeCsv('id,document\nS1,D1\n');
    const db = await freshDb();
    try {
      expect(await importFailure(importFile(db, path, { entity: 'sales' }))).toMatchObject({ code: 'IMPORT_MISSING_COLUMNS' });
    } finally {
      await db.close();
    }
  });
});
