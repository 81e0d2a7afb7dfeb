import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importData } from '../src/import/importer.js';
import { IMPORTED_IDS_CHUNK, type ImportListener } from '../src/import/import-listeners.js';
import type { ImportProgress } from '../src/import/import-report.js';
import type { Queryable } from '../src/sql/queryable.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { importText, PARTNERS_CSV, PRODUCTS_CSV } from './import-helpers.js';

const LINES = 200_000;
const LINES_PER_CHUNK = 5_000;

/** A sales CSV made as it is read, a chunk at a time: the file never exists whole. */
function salesFile(stats: { producedBytes: number; revenueCents: number }): AsyncGenerator<Buffer> {
  return (async function* () {
    const header = Buffer.from('id;document;date;partner;product;quantity;revenue;cost\n');
    stats.producedBytes += header.length;
    yield header;
    for (let start = 0; start < LINES; start += LINES_PER_CHUNK) {
      const lines: string[] = [];
      for (let i = start; i < start + LINES_PER_CHUNK; i++) {
        const price = 10_000 + (i % 997) * 13;
        const cents = i % 50 === 0 ? -price : price; // every 50th line a return
        stats.revenueCents += cents;
        const day = String((i % 28) + 1).padStart(2, '0');
        lines.push(`s${i};D${Math.floor(i / 4)};${day}.03.2024;p${(i % 2) + 1};g${(i % 2) + 1};${cents < 0 ? -1 : 1};${(cents / 100).toFixed(2).replace('.', ',')};`);
      }
      const chunk = Buffer.from(`${lines.join('\n')}\n`);
      stats.producedBytes += chunk.length;
      yield chunk;
    }
  })();
}

/**
 * The database as the importer sees it, counting the rows it bulk-loads into staging: how far
 * the parser runs ahead of staging is what the import holds in memory, whatever the file's size.
 */
function countingStagedRows(db: Database, counter: { staged: number }): Database {
  const counted = (tx: Queryable): Queryable =>
    new Proxy(tx, {
      get(target, key) {
        if (key === 'appendRows') {
          return (table: string, columns: readonly string[], rows: readonly (readonly (string | null)[])[]) => {
            if (!table.endsWith('_properties')) counter.staged += rows.length;
            return target.appendRows(table, columns, rows);
          };
        }
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  return new Proxy(db, {
    get(target, key) {
      if (key === 'transaction') return <T>(fn: (tx: Queryable) => Promise<T>) => target.transaction((tx) => fn(counted(tx)));
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe.each(ENGINES)('streaming import on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
    await importText(db, PARTNERS_CSV, { entity: 'partners' });
    await importText(db, PRODUCTS_CSV, { entity: 'products' });
  });
  afterAll(async () => db.close());

  it(`imports ${LINES.toLocaleString('en')} sale lines read a chunk at a time; count and sum match`, async () => {
    const stats = { producedBytes: 0, revenueCents: 0 };
    const progress: ImportProgress[] = [];
    let largestLead = 0;
    const chunks: number[] = [];
    const seen = new Set<string>();
    const onImported: ImportListener = (_tx, event) => {
      chunks.push(event.changedIds.length);
      for (const id of event.changedIds) seen.add(id);
    };
    const report = await importData(db, salesFile(stats), {
      entity: 'sales',
      format: 'csv',
      onImported,
      onProgress: (p) => {
        progress.push(p);
        largestLead = Math.max(largestLead, stats.producedBytes - p.bytesRead);
      },
    });
    expect(report).toMatchObject({ rows: LINES, inserted: LINES, skipped: 0, errorCount: 0 });
    const [totals] = await db.query<{ n: number; revenue: number; returns: number }>(
      'SELECT COUNT(*) AS n, SUM(revenue) AS revenue, SUM(CASE WHEN quantity < 0 THEN 1 ELSE 0 END) AS returns FROM sales',
    );
    expect(totals!.n).toBe(LINES);
    expect(Math.round(totals!.revenue * 100)).toBe(stats.revenueCents);
    expect(totals!.returns).toBe(LINES / 50);
    // Read as produced: the reader never ran more than a few chunks ahead of the parser.
    expect(stats.producedBytes).toBeGreaterThan(8_000_000);
    expect(largestLead).toBeLessThan(1_000_000);
    expect(progress.length).toBeGreaterThan(20);
    expect(progress.at(-1)).toMatchObject({ rows: LINES, bytesRead: stats.producedBytes });
    // Listeners get every new id once, in chunks.
    expect(seen.size).toBe(LINES);
    expect(chunks.length).toBe(LINES / IMPORTED_IDS_CHUNK);
    expect(Math.max(...chunks)).toBe(IMPORTED_IDS_CHUNK);
  });
  it('holds at most a few batches of rows between the parser and staging, however long the file', async () => {
    const batchSize = 1_000;
    const lines = 60_000;
    const counter = { staged: 0 };
    let produced = 0;
    let largestHeld = 0;
    async function* file(): AsyncGenerator<string> {
      yield 'id;document;date;partner;product;quantity;revenue\n';
      for (let start = 0; start < lines; start += 250) {
        // Checked as the importer asks for more: rows given to it and not yet staged.
        largestHeld = Math.max(largestHeld, produced - counter.staged);
        const chunk: string[] = [];
        for (let i = start; i < start + 250; i++) chunk.push(`h${i};H${i >> 3};05.03.2024;p${(i % 2) + 1};g1;1;1 234,56\n`);
        produced += chunk.length;
        yield chunk.join('');
      }
    }
    const report = await importData(countingStagedRows(db, counter), file(), { entity: 'sales', format: 'csv', batchSize });
    expect(report).toMatchObject({ rows: lines, inserted: lines, errorCount: 0 });
    expect(counter.staged).toBe(lines);
    // One batch being built, one being appended, and what one parse of the read-ahead holds.
    expect(largestHeld).toBeLessThanOrEqual(4 * batchSize);
  });
});
