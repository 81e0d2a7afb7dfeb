/**
 * The demo's load pipeline on DuckDB loads batches on two connections at once, yet the
 * batches must land in the table in the order they were made (a seed gives the same tables
 * row for row), and a failed batch must leave none of the batches after it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoadPipeline, StagedTable } from '../src/demo/staged-table.js';
import type { Database, Session } from '../src/storage/database.js';
import { DuckDBDatabase } from '../src/storage/duckdb-database.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('demo load pipeline with two connections (DuckDB)', () => {
  let db: Database;
  beforeEach(async () => {
    db = await DuckDBDatabase.open(':memory:');
    await db.run('CREATE TABLE loaded (batch INTEGER, n INTEGER)');
  });
  afterEach(async () => db.close());

  /** Loads `batches` batches of 1000 rows; batch `slow` takes longer than the ones after it, batch `failing` fails. */
  async function load(lanes: readonly Session[], batches: number, slow: number, failing = -1): Promise<void> {
    const pipeline = new LoadPipeline(lanes);
    const table = new StagedTable(
      db,
      'staged_test',
      [
        ['batch', 'int'],
        ['n', 'int'],
      ],
      (staged) => [`INSERT INTO loaded SELECT batch, n FROM ${staged}`],
    );
    for (let b = 0; b < batches; b++) {
      const n = Int32Array.from({ length: 1000 }, (_, i) => i);
      const batch = new Int32Array(1000).fill(b);
      await pipeline.submit(async (lane) => {
        if (b === slow) await sleep(300);
        await table.load([batch, n], 1000, lane);
        if (b === failing) throw new Error('batch failed');
      });
    }
    await pipeline.drain();
  }

  it('lands every batch in submission order, even when an earlier one finishes last', async () => {
    await db.session((a) => db.session((b) => load([a, b], 6, 2)));
    const rows = await db.query<{ batch: number; n: number }>('SELECT batch, n FROM loaded ORDER BY rowid');
    expect(rows).toHaveLength(6000);
    expect(rows.map((r) => Number(r.batch) * 1000 + Number(r.n))).toEqual(Array.from({ length: 6000 }, (_, i) => i));
  });

  it('commits none of the batches after a failed one', async () => {
    await expect(db.session((a) => db.session((b) => load([a, b], 6, 1, 2)))).rejects.toThrow('batch failed');
    const rows = await db.query<{ batch: number }>('SELECT DISTINCT batch FROM loaded ORDER BY batch');
    expect(rows.map((r) => Number(r.batch))).toEqual([0, 1]);
  });
});
