/**
 * Import under hostile or careless input (issue 14: defects 1, 2, 7, 9, 10): any encoding,
 * cut-off uploads, parallel imports, cross-site media types, huge and odd values. None may stop
 * the server or answer 5xx; every refusal says what, where and why.
 */
import { connect, type Socket } from 'node:net';
import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './support/test-app.js';
import { TextInput } from '../src/import/text-input.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { clearData, importText, rowsOf } from './import-helpers.js';
import { segmentaCli } from './support/segmenta-cli.js';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

/** Decodes bytes in chunks of `size` (as a slow network hands them over); the text and the encoding found. */
async function decode(buf: Buffer, size = 1 << 16): Promise<{ text: string; encoding: string }> {
  const input = new TextInput('csv');
  let text = '';
  const chunks = (function* () {
    for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
  })();
  for await (const piece of input.decode(chunks)) text += piece;
  return { text, encoding: input.encoding };
}

describe('decoding an imported file', () => {
  const ru = 'id;name\n1;ООО «Ромашка» — Пермь, №5\n';

  it('reads UTF-8 (with or without BOM), UTF-16 with a BOM and Windows-1251, whatever the chunk boundaries', async () => {
    const cp1251 = Buffer.from(
      // iconv-lite is what the decoder uses; the bytes are spelled out to keep the test honest
      [...'id;name\n1;'].map((c) => c.charCodeAt(0)).concat([0xce, 0xce, 0xce, 0x20, 0xab, 0xd0, 0xee, 0xec, 0xe0, 0xf8, 0xea, 0xe0, 0xbb, 0x0a]),
    );
    for (const size of [1, 2, 3, 5, 1 << 16]) {
      expect(await decode(Buffer.from(ru), size)).toEqual({ text: ru, encoding: 'utf-8' });
      expect(await decode(bytes([0xef, 0xbb, 0xbf], ru), size)).toEqual({ text: ru, encoding: 'utf-8' });
      expect(await decode(bytes([0xff, 0xfe], [...Buffer.from(ru, 'utf16le')]), size)).toEqual({ text: ru, encoding: 'utf-16le' });
      expect(await decode(bytes([0xfe, 0xff], [...Buffer.from(ru, 'utf16le').swap16()]), size)).toEqual({ text: ru, encoding: 'utf-16be' });
      expect(await decode(cp1251, size)).toEqual({ text: 'id;name\n1;ООО «Ромашка»\n', encoding: 'windows-1251' });
    }
  });

  it('decides from the first non-ASCII bytes, so a long ASCII head does not hide a Windows-1251 body', async () => {
    const head = 'id;name\n' + 'x1;abc\n'.repeat(200_000);
    expect(await decode(bytes(head, [0x79, 0x3b, 0xcf, 0xe5, 0xf0, 0xec, 0xfc, 0x0a]))).toMatchObject({ encoding: 'windows-1251' });
  });

  it.each([
    ['overlong UTF-8', [0xc0, 0xaf], 'overlong'],
    ['an encoded surrogate', [0xed, 0xa0, 0x80], 'surrogate'],
    ['Latin-1 (abüller)', [0xfc, 0x6c, 0x6c, 0x65, 0x72], 'not UTF-8'],
  ])('refuses %s with its line and column', async (_name, bad, why) => {
    await expect(decode(bytes('id;name\n1;ab', bad, '\n'))).rejects.toMatchObject({
      code: 'IMPORT_BAD_FORMAT',
      message: expect.stringContaining(why),
      details: { line: 2, column: 5 },
    });
  });

  it('refuses a bad byte after a first megabyte of UTF-8 with its line and column, guessing nothing mid-file', async () => {
    const good = 'id;name\n' + 'p;Ромашка\n'.repeat(70_000); // ~1.2 MB
    await expect(decode(bytes(good, 'p;Ром', [0xe0, 0xf8], 'ка\n'))).rejects.toMatchObject({ details: { line: 70_002, column: 6 } });
  });

  it('refuses UTF-16 without a byte order mark', async () => {
    await expect(decode(Buffer.from('id;name\n', 'utf16le'))).rejects.toMatchObject({ message: expect.stringContaining('UTF-16 text without a byte order mark') });
  });
});

describe.each(ENGINES)('import hardening on $name', (engine) => {
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
  beforeEach(() => clearData(db));

  const post = (url: string, contentType: string | undefined, payload: string | Buffer) =>
    app.inject({ method: 'POST', url, headers: contentType === undefined ? {} : { 'content-type': contentType }, payload });

  it('imports a Windows-1251 CSV (1C) and says so; a declared charset is used as given', async () => {
    const res = await post('/api/import/partners', 'text/csv', bytes('id,name\nX,', [0xce, 0xce, 0xce], '\n'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ inserted: 1, encoding: 'windows-1251' });
    const declared = await post('/api/import/partners', 'text/csv; charset=windows-1251', bytes('id,name\nY,', [0xc0, 0xef, 0xf0, 0xe5, 0xeb, 0xfc], '\n'));
    expect(declared.json()).toMatchObject({ inserted: 1, encoding: 'windows-1251' });
    expect(await rowsOf(db, 'partners', 'id, name')).toEqual([
      { id: 'X', name: 'ООО' },
      { id: 'Y', name: 'Апрель' },
    ]);
  });

  it('refuses overlong UTF-8, surrogates and an unknown charset with 4xx, importing nothing', async () => {
    const overlong = await post('/api/import/partners', 'text/csv', bytes('id,name\nX,a', [0xc0, 0xaf], '\n'));
    expect(overlong.statusCode).toBe(400);
    expect(overlong.json().error).toMatchObject({ code: 'IMPORT_BAD_FORMAT', details: { line: 2, column: 4 } });
    const surrogate = await post('/api/import/partners', 'application/x-ndjson', bytes('{"id":"X","name":"', [0xed, 0xa0, 0x80], '"}\n'));
    expect(surrogate.statusCode).toBe(400);
    const charset = await post('/api/import/partners', 'text/csv; charset=koi8-r', 'id,name\nX,a\n');
    expect(charset.statusCode).toBe(415);
    expect(charset.json().error.code).toBe('IMPORT_UNSUPPORTED_MEDIA_TYPE');
    expect(await rowsOf(db, 'partners')).toEqual([]);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['no Content-Type', undefined],
  ])('refuses %s (a browser sends it cross-site unasked) with 415, even with format=csv', async (_name, type) => {
    const res = await post('/api/import/partners?format=csv', type, 'id,name\nX,evil\n');
    expect(res.statusCode).toBe(415);
    expect(res.json().error).toMatchObject({ code: 'IMPORT_UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('text/csv') });
    expect(await rowsOf(db, 'partners')).toEqual([]);
  });

  it('refuses ids over 200 characters, text over 10,000 and NUL characters as row errors with line and column', async () => {
    const csv = `id,name,email\n${'i'.repeat(100_000)},a,\nok,${'n'.repeat(5_000_000)},\nnul,a\u0000b,\nfine,Ромашка,x@y.ru\n`;
    const res = await post('/api/import/partners', 'text/csv', csv);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.errors).toEqual([
      { line: 2, column: 'id', value: expect.any(String), reason: 'the value is 100,000 characters long; an id may have at most 200', code: 'tooLong', params: { length: 100_000, max: 200 } },
      {
        line: 3,
        column: 'name',
        value: expect.any(String),
        reason: 'the value is 5,000,000 characters long; text may have at most 10,000',
        code: 'tooLong',
        params: { length: 5_000_000, max: 10_000 },
      },
      { line: 4, column: 'name', value: 'a\u0000b', reason: expect.stringContaining('NUL character') },
    ]);
    const props = await post('/api/import/partners', 'application/x-ndjson', '{"id":"p","name":"a","properties":{"note":"x\\u0000"}}\n');
    expect(props.json().error.details.errors).toEqual([expect.objectContaining({ line: 1, column: 'properties.note', reason: expect.stringContaining('NUL character') })]);
    expect(await rowsOf(db, 'partners')).toEqual([]);
  });

  it('takes a JSON whole number as text (1C codes) but refuses a boolean or a fraction where text belongs', async () => {
    const bad = await post('/api/import/partners', 'application/json', '[{"id":123,"name":true},\n{"id":1.5,"name":"x"}]');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.details.errors).toEqual([
      { line: 1, element: 0, column: 'name', value: 'true', reason: 'true is not text; write it in quotes if it is meant as text', code: 'notText', params: { value: 'true' } },
      { line: 2, element: 1, column: 'id', value: '1.5', reason: expect.stringContaining('write it in quotes'), code: 'notText', params: { value: '1.5' } },
    ]);
    const good = await post('/api/import/partners', 'application/json', '[{"id":123,"name":"Ромашка"}]');
    expect(good.json()).toMatchObject({ inserted: 1 });
    expect(await rowsOf(db, 'partners', 'id, name')).toEqual([{ id: '123', name: 'Ромашка' }]);
  });

  it('refuses rows nested thousands deep as row errors, not a stack overflow', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const lines = await post('/api/import/partners', 'application/x-ndjson', `{"id":"a","name":"x","roles":${deep}}\n${deep}\n`);
    expect(lines.statusCode).toBe(422);
    expect(lines.json().error.details.errors).toEqual([
      expect.objectContaining({ line: 1, column: null, reason: expect.stringContaining('nested more than 8 levels deep') }),
      expect.objectContaining({ line: 2, column: null, reason: expect.stringContaining('nested more than 8 levels deep') }),
    ]);
    const array = await post('/api/import/partners', 'application/json', `[{"id":"a","name":"x","properties":{"p":${deep}}}]`);
    expect(array.statusCode).toBe(422);
    const csv = await post('/api/import/partners', 'text/csv', `id;name;properties\na;x;"{""p"":${deep}}"\n`);
    expect(csv.statusCode).toBe(422);
  });

  it('checks managers and partner types as it checks groups: an unknown one is a bad row', async () => {
    await importText(db, 'id,name\nm1,Иванова\n', { entity: 'managers' });
    await importText(db, 'id,name\nt1,Опт\n', { entity: 'partnerTypes' });
    const res = await post('/api/import/partners', 'text/csv', 'id,name,manager,type,group\np1,a,m1,t1,\np2,b,m9,t9,g9\n');
    expect(res.statusCode).toBe(422);
    expect(res.json().error.details.errors.map((e: { line: number; column: string; reason: string }) => [e.line, e.column, e.reason])).toEqual([
      [3, 'group', 'unknown partner group "g9"'],
      [3, 'manager', 'unknown manager "m9"'],
      [3, 'type', 'unknown partner type "t9"'],
    ]);
    const known = await post('/api/import/partners', 'text/csv', 'id,name,manager,type\np1,a,m1,t1\n');
    expect(known.json()).toMatchObject({ inserted: 1 });
    await importText(db, 'id,name\ng1,x\n', { entity: 'products' });
    const sales = await post('/api/import/sales', 'text/csv', 'id,document,date,partner,product,quantity,revenue,manager\ns1,D1,2024-01-01,p1,g1,1,1,m9\n');
    expect(sales.statusCode).toBe(422);
    expect(sales.json().error.details.errors).toEqual([expect.objectContaining({ column: 'manager', reason: 'unknown manager "m9"' })]);
  });

  it('answers parallel imports of one entity without a 5xx, and the data is right', async () => {
    const csv = (n: number) => `id,name\n${Array.from({ length: 300 }, (_, i) => `p${i},name ${n}`).join('\n')}\n`;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, n) => post('/api/import/partners', 'text/csv', csv(n))));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(6).fill(200));
    expect(answers.map((a) => a.json().inserted).sort()).toEqual([0, 0, 0, 0, 0, 300]);
    const names = new Set((await rowsOf(db, 'partners', 'name')).map((r) => r.name));
    expect(names.size).toBe(1);
    expect(await rowsOf(db, 'partners', 'COUNT(*) AS n')).toEqual([{ n: 300 }]);
  });
});

/** Answers from a real listening server, over a raw socket: what a client cut off would do. */
describe.each(ENGINES)('a listening server on $name survives bad uploads', (engine) => {
  let db: Database;
  let app: TestApp;
  let port: number;
  // What would stop a server process: vitest keeps its worker alive, so the test counts them.
  const uncaught: unknown[] = [];
  const noteUncaught = (error: unknown) => uncaught.push(error);
  beforeAll(async () => {
    process.on('uncaughtException', noteUncaught);
    db = await engine.create();
    app = await buildTestApp({ db });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    process.off('uncaughtException', noteUncaught);
    await app.close();
    await db.close();
  });

  const open = () =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
      socket.on('error', reject);
    });

  /** Sends raw bytes and reads the answer until the server closes or answers completely. */
  async function raw(request: Buffer): Promise<string> {
    const socket = await open();
    return new Promise((resolve) => {
      let answer = '';
      socket.on('data', (d) => {
        answer += d.toString('latin1');
        if (/\r\n\r\n[\s\S]*\}$/.test(answer)) socket.end();
      });
      socket.on('close', () => resolve(answer));
      socket.on('error', () => resolve(answer));
      socket.write(request);
    });
  }

  const health = async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).status;

  it('answers a Windows-1251 and a broken body over the network, and keeps answering', async () => {
    const body = bytes('id,name\nX,', [0xce, 0xce, 0xce], '\n');
    const head = `POST /api/import/partners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${app.testKey}\r\nContent-Type: text/csv\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    expect(await raw(bytes(head, [...body]))).toMatch(/^HTTP\/1\.1 200[\s\S]*"encoding":"windows-1251"/);
    const broken = bytes('id,name\nZ,a', [0xc0, 0xaf], '\n');
    const head2 = `POST /api/import/partners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${app.testKey}\r\nContent-Type: text/csv\r\nContent-Length: ${broken.length}\r\nConnection: close\r\n\r\n`;
    expect(await raw(bytes(head2, [...broken]))).toMatch(/^HTTP\/1\.1 400[\s\S]*IMPORT_BAD_FORMAT/);
    expect(await health()).toBe(200);
    expect(uncaught).toEqual([]);
  });

  it('survives uploads cut off at once and midway, leaving nothing half-written', async () => {
    await clearData(db);
    const midway = `id,name\n${Array.from({ length: 20_000 }, (_, i) => `c${i},cut ${i}`).join('\n')}\n`;
    // Cut at once (while the import still waits for its transaction) five times, then midway.
    for (const [sent, wait] of [...Array.from({ length: 5 }, () => ['id,na', 0] as const), [midway, 150] as const]) {
      const socket = await open();
      socket.on('error', () => undefined);
      socket.write(`POST /api/import/partners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${app.testKey}\r\nContent-Type: text/csv\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n${sent}`);
      if (wait) await new Promise((r) => setTimeout(r, wait));
      socket.destroy();
      await new Promise((r) => setTimeout(r, 100));
      expect(await health()).toBe(200);
    }
    expect(uncaught).toEqual([]);
    // The import's turn is held until its rollback: the next one runs after it and finds nothing of it.
    const after = await fetch(`http://127.0.0.1:${port}/api/import/partners`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${app.testKey}` },
      body: 'id,name\nok,fine\n',
    });
    expect(after.status).toBe(200);
    expect(await rowsOf(db, 'partners', 'id')).toEqual([{ id: 'ok' }]);
  });

  it('answers an XLSX cut short, survives one cut off midway, and imports the next file of the entity', async () => {
    const book = new ExcelJS.Workbook();
    for (const name of ['Первый', 'Второй']) {
      const sheet = book.addWorksheet(name);
      sheet.addRow(['id', 'name']);
      for (let i = 0; i < 5000; i++) sheet.addRow([`${name}-${i}`, `Партнёр ${i}`]);
    }
    const workbook = Buffer.from(await book.xlsx.writeBuffer());
    const xlsx = (body: Buffer) =>
      fetch(`http://127.0.0.1:${port}/api/import/partners?format=xlsx`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${app.testKey}` }, body });
    // exceljs's unzipper waited for ever on these, holding the import's turn: every later import of partners hung.
    for (const cut of [1000, Math.floor(workbook.length / 2)]) {
      const short = await xlsx(workbook.subarray(0, cut));
      expect(short.status).toBe(400);
      expect(((await short.json()) as { error: unknown }).error).toMatchObject({ code: 'IMPORT_BAD_FORMAT', message: expect.stringContaining('cut short') });
    }
    const socket = await open();
    socket.on('error', () => undefined);
    socket.write(
      `POST /api/import/partners?format=xlsx HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${app.testKey}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${workbook.length}\r\n\r\n`,
    );
    socket.write(workbook.subarray(0, 1000));
    await new Promise((r) => setTimeout(r, 150));
    socket.destroy();
    const whole = await xlsx(workbook);
    expect(whole.status).toBe(200);
    expect(((await whole.json()) as { inserted: number }).inserted).toBe(5000);
    expect(await health()).toBe(200);
    expect(uncaught).toEqual([]);
  });
});

describe('segmenta import of a bad file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segmenta-import-hardening-'));
  const segmenta = segmentaCli(join(dir, 'cli.duckdb'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a clear message for bytes that are not text, never a stack trace', async () => {
    writeFileSync(join(dir, 'bad.csv'), bytes('id,name\nX,a', [0xc0, 0xaf], '\n'));
    const bad = await segmenta('import', 'partners', join(dir, 'bad.csv'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Error IMPORT_BAD_FORMAT: The file cannot be read as CSV: it is not UTF-8 text: at line 2, column 4');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
