import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import { READABLE_TABLES, runCustomSql, withCustomSqlAllowed } from '../src/domain/segments/custom-sql.js';
import { SegmentScheduler } from '../src/domain/segments/scheduler.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import { AppError } from '../src/errors/app-error.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';

/**
 * The custom SQL sandbox (docs/security.md) as an attacker meets it: every way out that was
 * found open (issue 14, defect 3) and the ones an attacker would try next are refused, the
 * error text carries no data, and a server with custom SQL switched off runs none.
 */

/** What a custom SQL run gives: its ids, or the refusal's code and message. */
async function outcome(db: Database, sql: string, parameters: Record<string, unknown> = {}): Promise<string> {
  try {
    return `ran: ${(await runCustomSql(db, sql, parameters, 10_000)).sort().join(',')}`;
  } catch (error) {
    if (error instanceof AppError) return `${error.code}: ${error.message}`;
    throw error;
  }
}

const SECRET = 'TOPSECRET-42';

describe.each(ENGINES)('custom SQL sandbox on $name', (engine) => {
  let db: Database;
  let admin: FastifyInstance;
  let user: FastifyInstance;
  let dir: string;
  let file: string;
  const pg = engine.name !== 'duckdb';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'segmenta-sandbox-'));
    file = join(dir, 'secret.csv');
    writeFileSync(file, `id,x\n${SECRET},1\n`);
    db = await engine.create();
    await loadSmallCompany(db);
    // A failed run whose error holds the secret: segment_runs is not Segmenta's data to read.
    await db.run(`INSERT INTO segment_runs (segment_id, trigger, started_at, status, error) VALUES ('x', 'api', CAST('2025-01-01 00:00:00' AS TIMESTAMP), 'failed', '${SECRET}')`);
    admin = await buildTestApp({ db, allowCustomSql: true });
    user = await buildTestApp({ db });
  });
  afterAll(async () => {
    await admin.close();
    await user.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The CTE-shadowing trick: a CTE named like `target` in one subquery, the real `target` read in another. */
  const shadowing = (target: string, column: string) =>
    `SELECT CAST(x AS VARCHAR) AS id FROM (WITH ${target} AS (SELECT 1 AS x) SELECT x FROM ${target}) s UNION ALL SELECT CAST(${column} AS VARCHAR) FROM ${target}`;

  it('refuses the CTE-shadowing trick that read a file, the catalog, the bookkeeping and the server (failed before the fix)', async () => {
    const attempts = [
      // The query: the file's content came back in the cast error.
      `SELECT x AS id FROM (WITH "${file}" AS (SELECT 1 AS x) SELECT x FROM "${file}") s UNION ALL SELECT CAST(id || '=' || x AS INTEGER) FROM '${file}'`,
      shadowing(`"${file}"`, 'id'),
      shadowing('duckdb_tables', 'table_name'),
      shadowing('segment_runs', 'error'),
      shadowing('pg_authid', 'rolname'),
      shadowing('pg_hba_file_rules', 'address'),
      shadowing('pg_settings', 'setting'),
    ];
    for (const sql of attempts) {
      const result = await outcome(db, sql);
      expect(result, sql).toMatch(/^CUSTOM_SQL_INVALID: .*is not one of Segmenta's tables/);
      expect(result).not.toContain(SECRET);
    }
  });

  it('resolves CTE names by scope: forward, outside, recursive and mixed-case references are refused', async () => {
    const attempts = [
      // b is not visible in a (non-recursive WITH): the engine would read a real b.
      'WITH a AS (SELECT id FROM b), b AS (SELECT id FROM partners) SELECT id FROM a',
      // A recursive CTE sees itself in its recursive half only, and nothing from outside.
      `WITH RECURSIVE r AS (SELECT 1 AS x UNION ALL SELECT r.x + 1 FROM r, '${file}' f WHERE r.x < 2) SELECT CAST(x AS VARCHAR) AS id FROM r`,
      'WITH RECURSIVE r AS (SELECT id FROM r UNION ALL SELECT id FROM partners) SELECT id FROM r',
      // A CTE defined in a subquery is not visible beside it.
      'SELECT id FROM (WITH segment_runs AS (SELECT id FROM partners) SELECT id FROM partners) s WHERE id IN (SELECT error FROM segment_runs)',
      // On PostgreSQL a quoted "Segment_runs" would not match segment_runs.
      'WITH "Segment_runs" AS (SELECT id FROM partners) SELECT error AS id FROM segment_runs',
    ];
    for (const sql of attempts) {
      const result = await outcome(db, sql);
      expect(result, sql).toMatch(/^CUSTOM_SQL_INVALID: /);
      expect(result).not.toContain(SECRET);
    }
  });

  it('refuses qualified names, quoted paths, comments and lateral reads', async () => {
    const attempts = [
      'SELECT id FROM main.partners',
      'SELECT id FROM "memory".main.partners',
      'SELECT id FROM public.partners',
      'SELECT rolname AS id FROM pg_catalog.pg_authid',
      'SELECT table_name AS id FROM information_schema.tables',
      `SELECT id FROM "${file}"`,
      `FROM '${file}'`,
      `SELECT id FROM partners /* harmless? */ UNION SELECT id FROM '${file}' -- done`,
      `SELECT p.id FROM partners p, LATERAL (SELECT * FROM read_csv('${file}')) f`,
      `SELECT p.id FROM partners p CROSS JOIN LATERAL read_text('${file}') f`,
      'SELECT id FROM duckdb_tables',
      'SELECT id FROM segments',
      'SELECT CAST(id AS VARCHAR) AS id FROM segment_runs',
    ];
    for (const sql of attempts) {
      const result = await outcome(db, sql);
      expect(result, sql).toMatch(/^CUSTOM_SQL_INVALID: /);
      expect(result).not.toContain(SECRET);
    }
  });

  it('refuses functions, table functions and casts off the allow-list', async () => {
    const attempts: [string, RegExp][] = [
      ["SELECT table_to_xml('segment_runs', true, false, '') AS id", /table_to_xml/],
      ["SELECT database_to_xml(true, false, '') AS id", /database_to_xml/],
      ["SELECT query_to_xml('SELECT 1', true, false, '') AS id", /query_to_xml/],
      ['SELECT CAST(pg_try_advisory_lock(4242) AS VARCHAR) AS id', /pg_try_advisory_lock/],
      ["SELECT set_config('role', 'postgres', true) AS id", /set_config/],
      ["SELECT current_setting('data_directory') AS id", /current_setting/],
      ["SELECT pg_read_file('/etc/hostname') AS id", /pg_read_file/],
      ["SELECT read_text('/etc/hostname') AS id", /read_text/],
      ['SELECT error(name) AS id FROM partners', /error/],
      ["SELECT getvariable('x') AS id", /getvariable/],
      ['SELECT version() AS id', /version/],
      ["SELECT CAST(nextval('s') AS VARCHAR) AS id", /nextval/],
      ['SELECT pg_catalog.lower(id) AS id FROM partners', /lower/],
      ["SELECT * FROM query('SELECT error AS id FROM segment_runs')", /table function query/],
      [`SELECT * FROM read_csv('${file}')`, /table function read_csv/],
      ["SELECT * FROM glob('/etc/*')", /table function glob/],
      ['SELECT * FROM duckdb_settings()', /table function duckdb_settings/],
      ["SELECT * FROM pg_ls_dir('.')", /table function pg_ls_dir/],
      ["SELECT CAST(CAST('pg_authid' AS regclass) AS VARCHAR) AS id", /cast to regclass/],
      ['SELECT CAST(CAST(name AS xml) AS VARCHAR) AS id FROM partners', /cast to xml/],
      ['SELECT name COLLATE "C" AS id FROM partners', /COLLATE/],
      ['SELECT id FROM partners p, LATERAL (SELECT list_transform([1], x -> x + 1)) t', /list_transform|lambda/],
    ];
    for (const [sql, reason] of attempts) {
      const result = await outcome(db, sql);
      expect(result, sql).toMatch(/^CUSTOM_SQL_INVALID: /);
      expect(result, sql).toMatch(reason);
    }
  });

  it('refuses every statement but one SELECT', async () => {
    const attempts = [
      `COPY partners TO '${join(dir, 'out.csv')}'`,
      `ATTACH '${join(dir, 'other.db')}' AS other`,
      'PRAGMA database_list',
      "SET search_path = 'information_schema'",
      'SELECT id FROM partners; SELECT id FROM products',
      'SELECT id FROM partners; DROP TABLE sales',
      'SELECT * INTO stolen FROM partners',
      'DESCRIBE partners',
      'SUMMARIZE partners',
      'SHOW TABLES',
      'PIVOT sales ON partner_id USING sum(revenue)',
      'LOAD httpfs',
    ];
    for (const sql of attempts) expect(await outcome(db, sql), sql).toMatch(/^CUSTOM_SQL_INVALID: /);
    expect((await db.query('SELECT COUNT(*) AS n FROM sales'))[0]).toEqual({ n: 5 });
  });

  it('still runs the custom SQL the docs and tests use: parameters, CTEs, windows, recursion, joins, dates', async () => {
    const legit: [string, Record<string, unknown>, string][] = [
      ['SELECT partner_id AS id FROM sales GROUP BY partner_id HAVING SUM(revenue) >= :threshold', { threshold: 10000 }, 'p1,p3'],
      [
        `WITH totals AS (SELECT partner_id, SUM(revenue) AS revenue FROM sales GROUP BY partner_id),
              ranked AS (SELECT partner_id, ROW_NUMBER() OVER (ORDER BY revenue DESC) AS n FROM totals)
         SELECT partner_id AS id FROM ranked WHERE n <= 2`,
        {},
        'p1,p3',
      ],
      [
        `WITH RECURSIVE up AS (SELECT id, parent_id FROM regions WHERE id = 'perm-d'
                               UNION ALL SELECT r.id, r.parent_id FROM regions r JOIN up ON r.id = up.parent_id)
         SELECT p.id FROM partners p WHERE p.region_id IN (SELECT id FROM up) AND NOT p.deleted`,
        {},
        'p1,p2,p5',
      ],
      [
        `SELECT p.id FROM partners p JOIN regions_closure c ON c.descendant_id = p.region_id
         WHERE c.ancestor_id = :region AND EXISTS (SELECT 1 FROM sales s WHERE s.partner_id = p.id AND s.date >= DATE '2025-01-01')`,
        { region: 'perm' },
        'p1,p2',
      ],
      [
        `SELECT CASE WHEN lower(legal_form) = 'person' THEN id END AS id FROM partners
         WHERE COALESCE(birth_date, DATE '1900-01-01') > CAST('1979-01-01' AS DATE) AND EXTRACT(month FROM birth_date) = 6`,
        {},
        'p2',
      ],
      ['SELECT member_id AS id FROM segment_members WHERE segment_id = :s UNION SELECT id FROM partners WHERE length(name) >= 20 -- a comment at the end', { s: 'none' }, 'p2'],
      ['SELECT id FROM partners p, LATERAL (SELECT SUM(revenue) AS r FROM sales s WHERE s.partner_id = p.id) t WHERE t.r < 5000', {}, 'p2'],
      ["SELECT 'p' || CAST(x AS VARCHAR) AS id FROM generate_series(1, 2) g(x)", {}, 'p1,p2'],
    ];
    for (const [sql, parameters, ids] of legit) expect(await outcome(db, sql, parameters), sql).toBe(`ran: ${ids}`);
  });

  it('never answers with the engine text of a failing query: it names the class, and the run keeps no data', async () => {
    const result = await outcome(db, 'SELECT CAST(name AS INTEGER) AS id FROM partners');
    expect(result).toMatch(/^CUSTOM_SQL_FAILED: .*the query failed at run time: (conversion error|data exception)/);
    for (const name of ['Пермь', 'Иванов', 'Москва', 'Поставщик', 'Петров']) expect(result).not.toContain(name);
    // A syntax error keeps where it is: that comes from the admin's own text.
    expect(await outcome(db, 'SELECT id FROM partners WHERE')).toMatch(/^CUSTOM_SQL_INVALID: .*syntax error/);

    const segment = { id: 'leaky', name: 'leaky', method: 'periodic', sql: "SELECT CAST(name || '!' AS INTEGER) AS id FROM partners", parameters: {} };
    expect((await admin.inject({ method: 'POST', url: '/api/segments', payload: segment })).statusCode).toBe(201);
    const refreshed = await admin.inject({ method: 'POST', url: '/api/segments/leaky/refresh', payload: {} });
    expect(refreshed.statusCode).toBe(422);
    expect(refreshed.json().error.code).toBe('CUSTOM_SQL_FAILED');
    const runs = await admin.inject({ method: 'GET', url: '/api/segments/leaky/runs' });
    const body = `${refreshed.body}${runs.body}`;
    expect(runs.body).toMatch(/failed at run time/);
    for (const name of ['Пермь', 'Иванов', 'Москва', 'Поставщик', 'Петров', dir]) expect(body).not.toContain(name);
  });

  it('runs no saved custom SQL where custom SQL is switched off: refresh, job, batch and schedule are refused and recorded (failed before the fix)', async () => {
    const segment = { id: 'sql-saved', name: 'saved', method: 'periodic', sql: 'SELECT partner_id AS id FROM sales', parameters: {}, schedule: '0 3 * * *' };
    expect((await admin.inject({ method: 'POST', url: '/api/segments', payload: segment })).statusCode).toBe(201);

    const direct = await user.inject({ method: 'POST', url: '/api/segments/sql-saved/refresh', payload: {} });
    expect(direct.statusCode, direct.body).toBe(403);
    expect(direct.json().error.code).toBe('CUSTOM_SQL_FORBIDDEN');

    const batch = await user.inject({ method: 'POST', url: '/api/segments/refresh', payload: { ids: ['sql-saved'] } });
    expect(JSON.stringify(batch.json())).toMatch(/CUSTOM_SQL_FORBIDDEN|administrators/);

    const started = await user.inject({ method: 'POST', url: '/api/segments/sql-saved/refresh', payload: { async: true } });
    expect(started.statusCode).toBe(202);
    let job = started.json();
    for (let i = 0; i < 100 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await user.inject({ method: 'GET', url: `/api/jobs/${job.id}` })).json();
    }
    expect(JSON.stringify(job)).toMatch(/CUSTOM_SQL_FORBIDDEN/);

    // The scheduler of a server without custom SQL: the firing is recorded as a failed run saying why.
    const scheduler = new SegmentScheduler(db);
    const saved = await getSegment(db, 'sql-saved');
    await withCustomSqlAllowed(false, () => scheduler.fire(saved, new Date('2030-01-01T03:00:00Z')));
    const runs = (await user.inject({ method: 'GET', url: '/api/segments/sql-saved/runs' })).json();
    const items = (runs.items ?? runs) as { trigger: string; status: string; error: string | null }[];
    expect(items.some((r) => r.trigger === 'schedule' && r.status === 'failed' && /SEGMENTA_ALLOW_CUSTOM_SQL/.test(r.error ?? ''))).toBe(true);
    expect(items.every((r) => r.status === 'failed')).toBe(true);
    expect((await db.query("SELECT COUNT(*) AS n FROM segment_members WHERE segment_id = 'sql-saved'"))[0]).toEqual({ n: 0 });

    // The administrator's server (and the CLI) still generate it.
    const ok = await admin.inject({ method: 'POST', url: '/api/segments/sql-saved/refresh', payload: {} });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().size).toBe(3);
  });

  if (pg) {
    it('runs as a role that reads Segmenta’s data tables and nothing else, and leaves no lock on the connection', async () => {
      // Every table of the allow-list is readable by the role (migration 8 agrees with it)…
      for (const table of READABLE_TABLES) await expect(db.queryReadOnly(`SELECT COUNT(*) AS n FROM ${table}`, [], 5_000), table).resolves.toHaveLength(1);
      // …and what the checker would refuse is denied by privilege too, should a query get past it.
      for (const sql of [
        'SELECT error FROM segment_runs',
        'SELECT sql FROM segments',
        'SELECT rolname FROM pg_authid',
        "SELECT pg_read_file('/etc/hostname')",
        "SELECT current_setting('data_directory')",
      ]) {
        await expect(db.queryReadOnly(sql, [], 5_000), sql).rejects.toMatchObject({ code: '42501' });
      }
      // A session-level advisory lock taken inside does not outlive the read-only transaction.
      await db.queryReadOnly('SELECT pg_try_advisory_lock(4242) AS locked', [], 5_000);
      expect((await db.query("SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory'"))[0]).toEqual({ n: 0 });
    });
  }
});
