import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import { runCustomSql } from '../src/domain/segments/custom-sql.js';
import { AppError } from '../src/errors/app-error.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';

/** The error code a custom SQL run is refused with. */
async function refusal(db: Database, sql: string, parameters: Record<string, unknown> = {}, timeoutMs = 5_000): Promise<string> {
  try {
    await runCustomSql(db, sql, parameters, timeoutMs);
  } catch (error) {
    if (error instanceof AppError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'ran';
}

describe.each(ENGINES)('custom SQL segments on $name', (engine) => {
  let db: Database;
  let admin: FastifyInstance;
  let user: FastifyInstance;

  beforeAll(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
    admin = await buildTestApp({ db, allowCustomSql: true });
    user = await buildTestApp({ db });
  });
  afterAll(async () => {
    await admin.close();
    await user.close();
    await db.close();
  });

  const bigBuyers = {
    id: 'big-buyers',
    name: 'Крупные покупатели (SQL)',
    method: 'periodic',
    sql: 'SELECT partner_id AS id FROM sales GROUP BY partner_id HAVING SUM(revenue) >= :threshold',
    parameters: { threshold: 10000 },
  };

  it('is refused for a user who is not an administrator', async () => {
    const res = await user.inject({ method: 'POST', url: '/api/segments', payload: bigBuyers });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CUSTOM_SQL_FORBIDDEN');
  });

  it('generates a periodic segment from a SELECT with named parameters', async () => {
    const created = await admin.inject({ method: 'POST', url: '/api/segments', payload: bigBuyers });
    expect(created.statusCode, created.body).toBe(201);
    const refreshed = await admin.inject({ method: 'POST', url: '/api/segments/big-buyers/refresh', payload: {} });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    const members = (await admin.inject({ method: 'GET', url: '/api/segments/big-buyers/members' })).json();
    // p1: 15000 + 3000; p3: 30000 − 3000; p2 bought for 4000 only.
    expect(members.items.map((p: { id: string }) => p.id).sort()).toEqual(['p1', 'p3']);
  });

  it('must be periodic or manual', async () => {
    const res = await admin.inject({ method: 'POST', url: '/api/segments', payload: { ...bigBuyers, id: 'dyn-sql', method: 'dynamic' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('CUSTOM_SQL_DYNAMIC');
  });

  it('refuses a query that writes, with a clear reason and nothing changed', async () => {
    for (const sql of ['DELETE FROM partners', "UPDATE partners SET name = 'x'", 'DROP TABLE sales', "INSERT INTO segments (id) VALUES ('x')"]) {
      expect(await refusal(db, sql)).toMatch(/^CUSTOM_SQL_INVALID: .*only a SELECT is allowed/);
    }
    const res = await admin.inject({ method: 'POST', url: '/api/segments', payload: { ...bigBuyers, id: 'writer', sql: 'DELETE FROM partners RETURNING id' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'CUSTOM_SQL_INVALID' });
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    expect((await db.query('SELECT COUNT(*) AS n FROM partners'))[0]).toEqual({ n: 5 });
  });

  it('refuses a query that reads files, settings or tables outside Segmenta', async () => {
    expect(await refusal(db, "SELECT * FROM read_csv('/etc/passwd')")).toMatch(/^CUSTOM_SQL_INVALID: .*read_csv/);
    expect(await refusal(db, "SELECT pg_read_file('/etc/passwd') AS id")).toMatch(/^CUSTOM_SQL_INVALID: .*pg_read_file/);
    expect(await refusal(db, "SELECT getenv('HOME') AS id")).toMatch(/^CUSTOM_SQL_INVALID: .*getenv/);
    expect(await refusal(db, "SELECT * FROM '/etc/passwd'")).toMatch(/^CUSTOM_SQL_INVALID: .*not one of Segmenta's tables/);
    expect(await refusal(db, 'SELECT usename AS id FROM pg_catalog.pg_user')).toMatch(/^CUSTOM_SQL_INVALID: .*not one of Segmenta's tables/);
    expect(await refusal(db, 'SELECT id FROM partners; SELECT id FROM products')).toMatch(/^CUSTOM_SQL_INVALID: .*exactly one SELECT/);
  });

  // PGlite runs PostgreSQL single-threaded in WebAssembly with no timer signal, so
  // statement_timeout never fires there; PGlite is a test engine only, and the limit is
  // checked on DuckDB and the real PostgreSQL server.
  if (engine.name !== 'pglite')
    it('stops a query that runs too long and reports the limit', async () => {
      // A cross join of three large series takes far longer than the 300 ms allowed.
      const slow =
        'SELECT CAST(a.x + b.x + c.x AS VARCHAR) AS id FROM generate_series(1, 3000) a(x), generate_series(1, 3000) b(x), generate_series(1, 3000) c(x) WHERE CAST(a.x AS BIGINT) * b.x * c.x = -1';
      const started = Date.now();
      expect(await refusal(db, slow, {}, 300)).toMatch(/^CUSTOM_SQL_TIMEOUT: .*300 ms/);
      expect(Date.now() - started).toBeLessThan(30_000);
      // The database is still usable afterwards.
      expect((await db.query('SELECT COUNT(*) AS n FROM sales'))[0]).toEqual({ n: 5 });
    });

  it('names a parameter that has no value', async () => {
    expect(await refusal(db, 'SELECT id FROM partners WHERE region_id = :region')).toMatch(/^CUSTOM_SQL_INVALID: .*:region/);
  });
});
