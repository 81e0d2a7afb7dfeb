import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NULL_INT } from '../src/sql/queryable.js';
import type { Database } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import { ENGINES, PGLITE } from './engines.js';

// The storage contract on every adapter, PGlite's included when a real server replaces it elsewhere.
describe.each([...new Set([...ENGINES, PGLITE])])('storage on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(async () => {
    await db.close();
  });

  it('applies migrations once and records them', async () => {
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows[0]).toEqual({ version: 1, name: 'data model' });
  });

  it('returns values in the shared shape on every engine', async () => {
    await db.appendRows(
      'sales',
      ['id', 'document', 'date', 'partner_id', 'product_id', 'quantity', 'revenue', 'cost', 'manager_id'],
      [
        ['s1', 'D1', '2024-02-29', 'p1', 'g1', '2.5', '1000.10', '700', null],
        ['s2', 'D"2', '2024-03-01', 'p1', 'g1', '-1', '-400', '-280', ''],
      ],
    );
    const rows = await db.query('SELECT id, document, date, quantity, revenue, cost, manager_id, revenue - cost AS profit FROM sales ORDER BY id');
    expect(rows).toEqual([
      { id: 's1', document: 'D1', date: '2024-02-29', quantity: 2.5, revenue: 1000.1, cost: 700, manager_id: null, profit: 300.1 },
      { id: 's2', document: 'D"2', date: '2024-03-01', quantity: -1, revenue: -400, cost: -280, manager_id: '', profit: -120 },
    ]);
    const [sum] = await db.query('SELECT SUM(revenue) AS total, COUNT(*) AS n FROM sales WHERE date >= $1', ['2024-01-01']);
    expect(sum).toEqual({ total: 600.1, n: 2 });
  });

  it('appends columnar batches: integers, doubles and texts, with NULLs, larger than one chunk', async () => {
    await db.run('CREATE TABLE columns_probe (n INTEGER, x DOUBLE PRECISION, t VARCHAR)');
    const length = 5000;
    const n = Int32Array.from({ length }, (_, i) => (i === 7 ? NULL_INT : i - 2));
    const x = Float64Array.from({ length }, (_, i) => (i === 8 ? Number.NaN : i * 100 + 0.25));
    const t = Array.from({ length }, (_, i) => (i === 9 ? null : i === 10 ? '' : `Ромашка, "${i}"`));
    await db.transaction((tx) => tx.appendColumns('columns_probe', ['n', 'x', 't'], [n, x, t], length));
    const [stats] = await db.query('SELECT COUNT(*) AS rows, COUNT(n) AS n, COUNT(x) AS x, COUNT(t) AS t, SUM(n) AS total FROM columns_probe');
    // Sum of i − 2 over i = 0…4999 without i = 7: 4999·5000/2 − 2·5000 − 5.
    expect(stats).toEqual({ rows: 5000, n: 4999, x: 4999, t: 4999, total: 12_497_500 - 10_000 - 5 });
    const rows = await db.query('SELECT n, x, t FROM columns_probe WHERE x IS NULL OR t IS NULL OR t = $1 OR n = $2 ORDER BY x NULLS FIRST', ['', 4997]);
    expect(rows).toEqual([
      { n: 6, x: null, t: 'Ромашка, "8"' },
      { n: 7, x: 900.25, t: null },
      { n: 8, x: 1000.25, t: '' },
      { n: 4997, x: 499_900.25, t: 'Ромашка, "4999"' },
    ]);
    await db.run('DROP TABLE columns_probe');
  });

  it('counts the statements that may write, where this process alone writes (not on a PostgreSQL server)', async () => {
    const counter = db.localWrites;
    if (engine.name === 'postgres') {
      expect(counter).toBeNull();
      return;
    }
    expect(counter).not.toBeNull();
    const count = () => counter!.value;
    const before = count();
    await db.query('SELECT COUNT(*) AS n FROM partners');
    await db.query('SELECT id FROM partners WHERE id = $1', ['nobody']);
    expect(count()).toBe(before);
    await db.run("UPDATE partners SET name = 'x' WHERE id = 'nobody'");
    expect(count()).toBeGreaterThan(before);
    // A write inside a transaction counts again when it commits; so does a session's.
    const inTransaction = count();
    await db.transaction((tx) => tx.run("UPDATE partners SET name = 'x' WHERE id = 'nobody'"));
    expect(count()).toBeGreaterThanOrEqual(inTransaction + 2);
    const inSession = count();
    await db.session((session) => session.transaction((tx) => tx.query("DELETE FROM partners WHERE id = 'nobody' RETURNING id")));
    expect(count()).toBeGreaterThanOrEqual(inSession + 2);
    const appended = count();
    await db.appendRows('segment_schedule_claims', ['segment_id', 'slot', 'claimed_by'], [['s', '2024-01-01 00:00:00', 'me']]);
    expect(count()).toBeGreaterThan(appended);
  });

  it('answers a repeated query with parameters from the current tables (DuckDB keeps it prepared)', async () => {
    await db.run('CREATE TABLE prepared_probe (a INTEGER)');
    await db.run('INSERT INTO prepared_probe VALUES (1), (2)');
    const probe = () => db.query('SELECT * FROM prepared_probe WHERE a >= $1 ORDER BY a', [2]);
    expect(await probe()).toEqual([{ a: 2 }]);
    await db.transaction((tx) => tx.run('INSERT INTO prepared_probe VALUES (3)'));
    expect(await probe()).toEqual([{ a: 2 }, { a: 3 }]);
    await db.run('DROP TABLE prepared_probe');
    await db.run('CREATE TABLE prepared_probe (a INTEGER, b TEXT)');
    await db.run("INSERT INTO prepared_probe VALUES (5, 'five')");
    expect(await probe()).toEqual([{ a: 5, b: 'five' }]);
    await db.run('DROP TABLE prepared_probe');
    await expect(probe()).rejects.toThrow(/prepared_probe/);
  });

  it('rolls a failed transaction back whole', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO regions (id, name) VALUES ('r1', 'Perm')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query('SELECT id FROM regions')).toEqual([]);
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO regions (id, name) VALUES ($1, $2)', ['r1', 'Пермь']);
    });
    expect(await db.query('SELECT id, name FROM regions')).toEqual([{ id: 'r1', name: 'Пермь' }]);
  });

  it("keeps a session's temporary tables across its statements and transactions, and drops them after", async () => {
    const seen = await db.session(async (session) => {
      await session.run(`CREATE TEMPORARY TABLE session_ids (id ${db.dialect.columnType('text')})`);
      await session.run("INSERT INTO session_ids (id) VALUES ('a'), ('b')");
      await expect(
        session.transaction(async (tx) => {
          await tx.run("INSERT INTO session_ids (id) VALUES ('lost')");
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await session.transaction(async (tx) => {
        await tx.run("INSERT INTO regions (id, name) SELECT 'from-' || id, id FROM session_ids");
      });
      return session.query<{ id: string }>('SELECT id FROM session_ids ORDER BY id');
    });
    expect(seen.map((r) => r.id)).toEqual(['a', 'b']);
    expect(await db.query("SELECT id FROM regions WHERE id LIKE 'from-%' ORDER BY id")).toEqual([{ id: 'from-a' }, { id: 'from-b' }]);
    // A later session (maybe the same pooled connection) starts without them.
    await db.session(async (session) => {
      await expect(session.query('SELECT id FROM session_ids')).rejects.toThrow();
    });
  });

  it('indexes every fact table by partner, recreating a missing index (migration 6)', async () => {
    const indexed = async () =>
      (
        await db.query<{ t: string }>(
          db.dialect.name === 'postgres'
            ? "SELECT tablename AS t FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE '%\\_partner\\_idx' ORDER BY tablename"
            : "SELECT table_name AS t FROM duckdb_indexes() WHERE index_name LIKE '%\\_partner\\_idx' ESCAPE '\\' ORDER BY table_name",
        )
      ).map((r) => r.t);
    expect(await indexed()).toEqual(['deals', 'interactions', 'sales', 'settlements']);
    await db.run('DROP INDEX sales_partner_idx');
    await db.run('DELETE FROM schema_migrations WHERE version = 6');
    expect(await migrate(db)).toEqual([6]);
    expect(await indexed()).toEqual(['deals', 'interactions', 'sales', 'settlements']);
  });
});
