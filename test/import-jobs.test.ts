/**
 * Imports as background jobs (`POST /api/import/{entity}/jobs`): the job's progress is the share
 * of the file read — seen advancing while the import is held mid-file, not by timing — then the
 * report; row errors carry a code and their values, and their reasons come in the language of
 * `?lang=` (the synchronous import, the preview and the job alike).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../src/sql/queryable.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { buildTestApp, type TestApp } from './support/test-app.js';

/** A database whose `hold`-th bulk append (a batch of staged rows) waits until released. */
function heldAppend(db: Database, hold: number): { db: Database; reached: Promise<void>; release: () => void } {
  let appends = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const wrapTx = (tx: Queryable): Queryable =>
    new Proxy(tx, {
      get(target, property, receiver) {
        if (property === 'appendRows') {
          return async (...args: Parameters<Queryable['appendRows']>) => {
            if (++appends === hold) {
              reach();
              await released;
            }
            return target.appendRows(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  const wrapped = new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'transaction') return <T>(fn: (tx: Queryable) => Promise<T>) => target.transaction((tx) => fn(wrapTx(tx)));
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: wrapped, reached, release };
}

/** Files of received imports this process holds open (Linux: /proc/self/fd links; deleted ones end in " (deleted)"). */
function openReceivedFiles(): string[] {
  const target = (fd: string) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return ''; // closed meanwhile
    }
  };
  return readdirSync('/proc/self/fd')
    .map(target)
    .filter((path) => path.includes('segmenta-import-'));
}

const csv = (rows: number, bad?: number) => `id,name,registeredAt\n${Array.from({ length: rows }, (_, i) => `p${i + 1},Партнёр ${i + 1},${i + 1 === bad ? '31.02.2024' : '01.03.2024'}`).join('\n')}\n`;

describe.each(ENGINES)('import jobs on $name', (engine) => {
  let base: Database;
  let app: TestApp;
  let held: ReturnType<typeof heldAppend>;
  beforeAll(async () => {
    base = await engine.create();
    // The 2nd batch of 10,000 staged rows waits: the import stands in the middle of its file.
    held = heldAppend(base, 2);
    app = await buildTestApp({ db: held.db });
  });
  afterAll(async () => {
    held.release();
    await app.close();
    await base.close();
  });

  const job = async (id: string) => (await app.inject({ method: 'GET', url: `/api/import/jobs/${id}` })).json();

  it("advances the job's progress with the share of the file read, then answers the report", async () => {
    const started = await app.inject({ method: 'POST', url: '/api/import/partners/jobs', headers: { 'content-type': 'text/csv' }, payload: csv(30_000) });
    expect(started.statusCode).toBe(202);
    const body = started.json();
    expect(body).toMatchObject({ type: 'import', subject: 'partners', status: 'running', stages: ['reading', 'writing'] });
    await held.reached;
    const midway = await job(body.id);
    expect(midway).toMatchObject({ status: 'running', stage: 'reading' });
    expect(midway.progress).toBeGreaterThan(0.1);
    expect(midway.progress).toBeLessThan(0.8);
    held.release();
    await expect.poll(async () => (await job(body.id)).status, { timeout: 60_000, interval: 50 }).toBe('succeeded');
    const done = await job(body.id);
    expect(done.progress).toBe(1);
    expect(done.result).toMatchObject({ entity: 'partners', rows: 30_000, inserted: 30_000, errorCount: 0 });
  }, 120_000);

  it('says row errors with a code and values, and in Russian with lang=ru (import, preview and job)', async () => {
    const file = csv(3, 2);
    const english = await app.inject({ method: 'POST', url: '/api/import/partners?skipBad=true', headers: { 'content-type': 'text/csv' }, payload: file.replace(/p(\d)/g, 'q$1') });
    expect(english.json().errors).toEqual([
      { line: 3, column: 'registeredAt', value: '31.02.2024', reason: '"31.02.2024" is not a date (write YYYY-MM-DD or DD.MM.YYYY)', code: 'notDate', params: { value: '"31.02.2024"' } },
    ]);

    const preview = await app.inject({ method: 'POST', url: '/api/import/partners/preview?lang=ru', headers: { 'content-type': 'text/csv' }, payload: file });
    expect(preview.json().report.errors[0]).toMatchObject({ line: 3, code: 'notDate', reason: '"31.02.2024" — не дата (пишите ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)' });

    const refused = await app.inject({ method: 'POST', url: '/api/import/partners?lang=ru', headers: { 'content-type': 'text/csv' }, payload: file });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: 'IMPORT_BAD_ROWS', details: { errors: [{ line: 3, reason: '"31.02.2024" — не дата (пишите ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)' }] } });

    const started = await app.inject({ method: 'POST', url: '/api/import/partners/jobs?lang=ru', headers: { 'content-type': 'text/csv' }, payload: file });
    await expect.poll(async () => (await job(started.json().id)).status, { timeout: 30_000, interval: 50 }).toBe('failed');
    expect((await job(started.json().id)).error).toMatchObject({
      code: 'IMPORT_BAD_ROWS',
      details: { errors: [{ line: 3, code: 'notDate', reason: '"31.02.2024" — не дата (пишите ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)' }] },
    });

    const unknownManager = await app.inject({ method: 'POST', url: '/api/import/partners/preview?lang=ru', headers: { 'content-type': 'text/csv' }, payload: 'id,name,manager\nz1,Зет,m-404\n' });
    expect(unknownManager.json().report.errors[0]).toMatchObject({ code: 'unknownReference', reason: 'нет такого значения в справочнике «менеджеры»: "m-404"' });
  });

  it('closes the received file of a job whose file is refused at its first bytes', async () => {
    // UTF-16 without a byte order mark: refused before the importer reads on.
    const started = await app.inject({ method: 'POST', url: '/api/import/partners/jobs', headers: { 'content-type': 'text/csv' }, payload: Buffer.from(`\u0000i\u0000d${'x'.repeat(300_000)}`) });
    expect(started.statusCode).toBe(202);
    await expect.poll(async () => (await job(started.json().id)).status, { timeout: 30_000, interval: 50 }).toBe('failed');
    expect((await job(started.json().id)).error).toMatchObject({ code: 'IMPORT_BAD_FORMAT' });
    // Its descriptor once stayed open for good (the deleted file's disk space with it): bad uploads ran the server out of files.
    await expect.poll(openReceivedFiles, { timeout: 10_000, interval: 50 }).toEqual([]);
  });
});
