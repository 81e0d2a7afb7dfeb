/**
 * PostgreSQL row-level security under the manager scope (migration 10, docs/security.md "Row-level
 * security on PostgreSQL"): raw queries run through `Database.scoped` see only the scope's
 * partners and their facts, whatever they forget to filter. On PGlite always and on a real
 * PostgreSQL when DATABASE_URL is set; DuckDB has no row-level security (the query layer alone
 * scopes there), so only what `scoped` does on DuckDB is checked for it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerScope } from '../src/domain/access/principal.js';
import { ENTITIES, entityColumns } from '../src/model/entities.js';
import type { Database } from '../src/storage/database.js';
import type { Queryable } from '../src/sql/queryable.js';
import { migrate } from '../src/storage/migrate.js';
import { PGliteDatabase } from '../src/storage/pglite-database.js';
import { PostgresDatabase } from '../src/storage/postgres-database.js';
import { ENGINES } from './engines.js';

const ONLY_A: PartnerScope = { all: false, managerIds: ['mA'] };
const A_AND_B: PartnerScope = { all: false, managerIds: ['mA', 'mB'] };
const NO_MANAGERS: PartnerScope = { all: false, managerIds: [] };
const ALL: PartnerScope = { all: true };

/** Two managers' partners (A: pA1, pA2; B: pB), one partner of no manager, and a fact of each kind for A's and B's. */
async function seed(db: Database): Promise<void> {
  await db.run("INSERT INTO managers (id, name) VALUES ('mA', 'Anna'), ('mB', 'Boris')");
  await db.run("INSERT INTO partners (id, name, manager_id) VALUES ('pA1', 'A one', 'mA'), ('pA2', 'A two', 'mA'), ('pB', 'B', 'mB'), ('pN', 'Nobody', NULL)");
  await db.run("INSERT INTO products (id, name) VALUES ('g1', 'Goods')");
  // A sale of B's partner booked by A: the scope follows the partner's manager.
  await db.run(
    `INSERT INTO sales (id, document, date, partner_id, product_id, quantity, revenue, manager_id) VALUES
       ('sA', 'D1', CAST('2024-01-01' AS DATE), 'pA1', 'g1', 1, 10, 'mA'), ('sB', 'D2', CAST('2024-01-02' AS DATE), 'pB', 'g1', 1, 20, 'mA'),
       ('sN', 'D3', CAST('2024-01-03' AS DATE), 'pN', 'g1', 1, 30, NULL)`,
  );
  await db.run("INSERT INTO settlements (id, partner_id, date, amount) VALUES ('tA', 'pA1', CAST('2024-01-01' AS DATE), 5), ('tB', 'pB', CAST('2024-01-01' AS DATE), 6)");
  await db.run("INSERT INTO interactions (id, partner_id, date, type) VALUES ('iA', 'pA1', CAST('2024-01-01' AS DATE), 'call'), ('iB', 'pB', CAST('2024-01-01' AS DATE), 'call')");
  await db.run("INSERT INTO deals (id, partner_id, amount) VALUES ('dA', 'pA1', 1), ('dB', 'pB', 2)");
  await db.run("INSERT INTO partner_properties (partner_id, name, value_text) VALUES ('pA1', 'tier', 'gold'), ('pB', 'tier', 'gold')");
  await db.run("INSERT INTO partner_scores (partner_id, score, value) VALUES ('pA1', 'rfm', 1), ('pB', 'rfm', 2)");
  await db.run("INSERT INTO segments (id, kind, name, method) VALUES ('vip', 'partner', 'VIP', 'manual'), ('hot', 'product', 'Hot', 'manual')");
  await db.run("INSERT INTO segment_members (segment_id, member_id) VALUES ('vip', 'pA1'), ('vip', 'pB'), ('hot', 'g1')");
  await db.run(
    "INSERT INTO segment_history (segment_id, member_id, event, occurred_at) VALUES ('vip', 'pA1', 'entered', CAST('2024-01-01 00:00:00' AS TIMESTAMP)), ('vip', 'pB', 'entered', CAST('2024-01-01 00:00:00' AS TIMESTAMP))",
  );
}

/** For each table that holds partners or their facts: the raw query for partner `id`. */
const rowsOf = (id: string): Record<string, string> => ({
  partners: `SELECT * FROM partners WHERE id = '${id}'`,
  sales: `SELECT * FROM sales WHERE partner_id = '${id}'`,
  interactions: `SELECT * FROM interactions WHERE partner_id = '${id}'`,
  settlements: `SELECT * FROM settlements WHERE partner_id = '${id}'`,
  deals: `SELECT * FROM deals WHERE partner_id = '${id}'`,
  partner_properties: `SELECT * FROM partner_properties WHERE partner_id = '${id}'`,
  partner_scores: `SELECT * FROM partner_scores WHERE partner_id = '${id}'`,
  segment_members: `SELECT * FROM segment_members WHERE member_id = '${id}'`,
  segment_history: `SELECT * FROM segment_history WHERE member_id = '${id}'`,
});

async function countsOf(q: Queryable, id: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [table, query] of Object.entries(rowsOf(id))) counts[table] = (await q.query(query)).length;
  return counts;
}

const none = Object.fromEntries(Object.keys(rowsOf('')).map((table) => [table, 0]));
const one = Object.fromEntries(Object.keys(rowsOf('')).map((table) => [table, 1]));
const ids = async (q: Queryable, query: string): Promise<string[]> => (await q.query<{ id: string }>(query)).map((r) => r.id);

/** The error code of an AppError, or the SQLSTATE of a database error. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
  return 'no error';
}

describe.each(ENGINES.filter((e) => e.name !== 'duckdb'))('row-level security on $name (DuckDB has none: the query layer scopes there)', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
    await seed(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it("connected as the service, a raw query under manager A's scope for B's partner returns no rows, in every table of partner data", async () => {
    expect(await db.scoped(ONLY_A, (q) => countsOf(q, 'pB'))).toEqual(none);
    expect(await db.scoped(ONLY_A, (q) => countsOf(q, 'pA1'))).toEqual(one);
  });

  it("A's partners and their facts are visible, and only those, with no filter in the query", async () => {
    const seen = await db.scoped(ONLY_A, async (q) => ({
      partners: await ids(q, 'SELECT id FROM partners ORDER BY id'),
      sales: await ids(q, 'SELECT id FROM sales ORDER BY id'),
      settlements: await ids(q, 'SELECT id FROM settlements ORDER BY id'),
      joined: await q.query('SELECT p.id, SUM(s.revenue) AS revenue FROM partners p JOIN sales s ON s.partner_id = p.id GROUP BY p.id ORDER BY p.id'),
      members: await q.query('SELECT segment_id, member_id FROM segment_members ORDER BY segment_id, member_id'),
      history: await q.query('SELECT member_id FROM segment_history'),
    }));
    expect(seen).toEqual({
      partners: ['pA1', 'pA2'],
      sales: ['sA'],
      settlements: ['tA'],
      joined: [{ id: 'pA1', revenue: 10 }],
      // A product segment's members are products: not scoped.
      members: [
        { segment_id: 'hot', member_id: 'g1' },
        { segment_id: 'vip', member_id: 'pA1' },
      ],
      history: [{ member_id: 'pA1' }],
    });
  });

  it('runs as a role that is neither owner, superuser nor BYPASSRLS, on tables with FORCE ROW LEVEL SECURITY', async () => {
    const seen = await db.scoped(ONLY_A, async (q) => ({
      role: await q.query('SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user'),
      owns: await q.query('SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tableowner = current_user'),
    }));
    expect(seen).toEqual({ role: [{ name: 'segmenta_scoped', rolsuper: false, rolbypassrls: false }], owns: [{ n: 0 }] });
    const forced = await db.query<{ relname: string }>(
      "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND relrowsecurity AND relforcerowsecurity ORDER BY relname",
    );
    // And the tasks of issue 22 (migration 20): a task is seen with its partner.
    expect(forced.map((r) => r.relname)).toEqual([...Object.keys(rowsOf('')), 'task_history', 'tasks'].sort());
  });

  it("several managers' ids see each one's partners; a partner of no manager is nobody's", async () => {
    expect(await db.scoped(A_AND_B, (q) => ids(q, 'SELECT id FROM partners ORDER BY id'))).toEqual(['pA1', 'pA2', 'pB']);
    expect(await db.scoped(A_AND_B, (q) => countsOf(q, 'pN'))).toEqual(none);
  });

  it('a manager scope with an empty list sees no partner and no fact, not everything', async () => {
    expect(await db.scoped(NO_MANAGERS, (q) => countsOf(q, 'pA1'))).toEqual(none);
    expect(await db.scoped(NO_MANAGERS, (q) => q.query('SELECT COUNT(*) AS n FROM sales'))).toEqual([{ n: 0 }]);
  });

  it('the service itself, with no scope set (imports, rebuilds), sees every row; so does the all-partners scope', async () => {
    expect(await ids(db, 'SELECT id FROM partners ORDER BY id')).toEqual(['pA1', 'pA2', 'pB', 'pN']);
    expect(await db.scoped(ALL, (q) => ids(q, 'SELECT id FROM sales ORDER BY id'))).toEqual(['sA', 'sB', 'sN']);
    expect(await db.scoped(ALL, (q) => q.query<{ u: string }>('SELECT current_user AS u'))).not.toEqual([{ u: 'segmenta_scoped' }]);
  });

  it('inside the scope nothing can be written, the guard cannot be switched off, and clearing the scope sees nothing', async () => {
    expect(await failure(db.scoped(ONLY_A, (q) => q.run("INSERT INTO partners (id, name, manager_id) VALUES ('x', 'x', 'mA')")))).toBe('42501');
    expect(await failure(db.scoped(ONLY_A, (q) => q.run("UPDATE sales SET revenue = 0 WHERE id = 'sA'")))).toBe('42501');
    expect(await failure(db.scoped(ONLY_A, (q) => q.run('ALTER TABLE partners DISABLE ROW LEVEL SECURITY')))).toBe('42501');
    expect(await failure(db.scoped(ONLY_A, (q) => q.run('DROP POLICY segmenta_manager_scope ON partners')))).toBe('42501');
    const cleared = await db.scoped(ONLY_A, async (q) => {
      await q.query("SELECT set_config('segmenta.manager_ids', '', true)");
      return ids(q, 'SELECT id FROM partners');
    });
    expect(cleared).toEqual([]);
  });

  it('the role and the scope end with the call, also when fn fails or sets them for the whole session', async () => {
    await db.scoped(ONLY_A, async (q) => {
      await q.run('SET ROLE segmenta_scoped');
      await q.query("SELECT set_config('segmenta.manager_ids', '[\"mA\"]', false)");
    });
    expect(await failure(db.scoped(ONLY_A, () => Promise.reject(Object.assign(new Error('fn failed'), { code: 'FN' }))))).toBe('FN');
    expect(await failure(db.scoped(ONLY_A, (q) => q.run('SELECT no_such_column FROM partners')))).toBe('42703');
    // Every pooled connection at once (pg keeps 8), so the ones the scoped calls used are among them.
    let arrived = 0;
    let release: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (release = resolve));
    const seen = await Promise.all(
      Array.from({ length: 8 }, () =>
        db.transaction(async (tx) => {
          const [row] = await tx.query<{ u: string; n: number }>('SELECT current_user AS u, (SELECT COUNT(*) FROM partners) AS n');
          if (++arrived === 8 || engine.name === 'pglite') release();
          await together;
          return row;
        }),
      ),
    );
    for (const row of seen) expect(row).toEqual({ u: expect.not.stringMatching(/^segmenta_scoped$/) as unknown, n: 4 });
  });

  it('inside fn, RESET ROLE returns to the service user: a superuser service bypasses row-level security then, any other sees nothing', async () => {
    const escaped = await db.scoped(ONLY_A, async (q) => {
      await q.run('RESET ROLE');
      return ids(q, 'SELECT id FROM partners ORDER BY id');
    });
    const [service] = await db.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
    // The tests' service is usually the superuser postgres (why the service should not be superuser);
    // one that is not is also checked below.
    expect(escaped).toEqual(service!.rolsuper ? ['pA1', 'pA2', 'pB', 'pN'] : []);
  });
});

describe('Database.scoped on duckdb (no row-level security: the query layer alone scopes a manager there)', () => {
  it('runs fn on the database as it is', async () => {
    const engine = ENGINES.find((e) => e.name === 'duckdb')!;
    const db = await engine.create();
    try {
      await seed(db);
      expect(await db.scoped(ONLY_A, (q) => ids(q, 'SELECT id FROM partners ORDER BY id'))).toEqual(['pA1', 'pA2', 'pB', 'pN']);
    } finally {
      await db.close();
    }
  });
});

/**
 * A service that is neither superuser nor allowed to create roles: FORCE makes the owner
 * subject to the policies, COPY goes through a temporary table, manager reads are refused until
 * an administrator creates the roles (docs/security.md), and undoing the role inside fn still
 * leaves the owner under the scope.
 */
interface NonSuperuserSetup {
  /** Opens the database as the service user (the schema is created and owned by it). */
  openService(): Promise<Database>;
  /** Runs statements as a superuser, with the service database closed. */
  admin(statements: readonly string[]): Promise<void>;
  /** The service user's name. */
  readonly service: string;
  cleanup(): Promise<void>;
}

/** What docs/security.md tells a PostgreSQL administrator to run. */
const adminStatements = (service: string): string[] => [
  'DO $$ BEGIN CREATE ROLE segmenta_scoped NOLOGIN NOINHERIT; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$',
  'DO $$ BEGIN CREATE ROLE segmenta_scoped_gate NOLOGIN NOINHERIT; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$',
  'GRANT segmenta_scoped TO segmenta_scoped_gate',
  `GRANT segmenta_scoped_gate TO ${service}`,
];

function pgliteSetup(): NonSuperuserSetup {
  const dir = mkdtempSync(join(tmpdir(), 'segmenta-rls-'));
  const service = 'segmenta_service';
  let created = false;
  const admin = async (statements: readonly string[]): Promise<void> => {
    const db = await PGliteDatabase.open(dir);
    try {
      for (const statement of statements) await db.run(statement);
    } finally {
      await db.close();
    }
  };
  return {
    service,
    admin,
    async openService() {
      if (!created) {
        // Tables in the public schema, which the service may create in but does not own.
        // PGlite reads appended rows from its /dev/blob as a server file.
        await admin([`CREATE ROLE ${service} LOGIN`, `GRANT CREATE ON SCHEMA public TO ${service}`, `GRANT pg_read_server_files TO ${service}`]);
        created = true;
      }
      return PGliteDatabase.open(dir, { username: service });
    },
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresSetup(url: string): NonSuperuserSetup {
  const suffix = randomBytes(6).toString('hex');
  const service = `segmenta_service_${suffix}`;
  const password = randomBytes(18).toString('hex');
  const schema = `test_rls_${suffix}`;
  let created = false;
  const admin = async (statements: readonly string[]): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const serviceUrl = new URL(url);
  serviceUrl.username = service;
  serviceUrl.password = password;
  return {
    service,
    admin,
    async openService() {
      if (!created) {
        await admin([
          `CREATE ROLE ${service} LOGIN PASSWORD '${password}'`,
          `CREATE SCHEMA ${schema} AUTHORIZATION ${service}`,
          // PostgresDatabase.connect runs CREATE SCHEMA IF NOT EXISTS, which asks for it.
          `DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO ${service}', current_database()); END $$`,
        ]);
        created = true;
      }
      return PostgresDatabase.connect(serviceUrl.toString(), { schema });
    },
    async cleanup() {
      if (!created) return;
      await admin([`DROP SCHEMA IF EXISTS ${schema} CASCADE`, `DROP OWNED BY ${service}`, `DROP ROLE ${service}`]);
    },
  };
}

const nonSuperuserSetups: { name: string; make: () => NonSuperuserSetup }[] = [
  { name: 'pglite', make: pgliteSetup },
  ...(process.env.DATABASE_URL ? [{ name: 'postgres', make: () => postgresSetup(process.env.DATABASE_URL!) }] : []),
];

describe.each(nonSuperuserSetups)('row-level security on $name, the service neither superuser nor allowed to create roles', ({ make }) => {
  const setup = make();
  let db: Database | null = null;
  const open = async (): Promise<Database> => {
    await db?.close();
    db = await setup.openService();
    return db;
  };
  const close = async (): Promise<void> => {
    await db?.close();
    db = null;
  };
  afterAll(async () => {
    await close();
    await setup.cleanup();
  });

  it('migrates, and loads and changes partner data, in bulk too, though FORCE puts the owner under the policies', async () => {
    const service = await open();
    await migrate(service);
    expect(await service.query("SELECT row_security_active('partners') AS active, current_user AS u")).toEqual([{ active: true, u: setup.service }]);
    await seed(service);
    // COPY FROM is refused under row-level security: appends go through a temporary table.
    const partnerColumns = entityColumns(ENTITIES.partners).map((c) => c.column);
    await service.appendRows('partners', partnerColumns, [partnerColumns.map((c) => ({ id: 'pX', name: 'X', manager_id: 'mA' })[c] ?? null)]);
    await service.appendRows('sales', ['id', 'document', 'date', 'partner_id', 'product_id', 'quantity', 'revenue'], [['sX', 'D9', '2024-02-01', 'pX', 'g1', '2', '40']]);
    await service.transaction((tx) => tx.appendRows('partner_scores', ['partner_id', 'score', 'value'], [['pX', 'rfm', '9']]));
    await service.run('CREATE TABLE columns_probe (n INTEGER, x DOUBLE PRECISION, t TEXT)');
    await service.run('ALTER TABLE columns_probe ENABLE ROW LEVEL SECURITY');
    await service.run('ALTER TABLE columns_probe FORCE ROW LEVEL SECURITY');
    await service.run('CREATE POLICY all_rows ON columns_probe USING (true) WITH CHECK (true)');
    await service.appendColumns('columns_probe', ['n', 'x', 't'], [Int32Array.from([1, 2]), Float64Array.from([0.5, 1.5]), ['a', null]], 2);
    expect(await service.query('SELECT n, x, t FROM columns_probe ORDER BY n')).toEqual([
      { n: 1, x: 0.5, t: 'a' },
      { n: 2, x: 1.5, t: null },
    ]);
    expect(await ids(service, 'SELECT id FROM partners ORDER BY id')).toEqual(['pA1', 'pA2', 'pB', 'pN', 'pX']);
    expect(await service.query("SELECT s.revenue, p.manager_id FROM sales s JOIN partners p ON p.id = s.partner_id WHERE s.id = 'sX'")).toEqual([{ revenue: 40, manager_id: 'mA' }]);
    await service.transaction(async (tx) => {
      await tx.run("UPDATE sales SET revenue = revenue + 1 WHERE id = 'sB'");
      await tx.run("DELETE FROM deals WHERE id = 'dB'");
      await tx.run("INSERT INTO partner_scores (partner_id, score, value) VALUES ('pB', 'rfm', 3) ON CONFLICT (partner_id, score) DO UPDATE SET value = excluded.value");
      for (const table of ['sales', 'partner_scores', 'partners']) await tx.run(`DELETE FROM ${table} WHERE ${table === 'partners' ? 'id' : 'partner_id'} = 'pX'`);
    });
    expect(await service.query("SELECT revenue FROM sales WHERE id = 'sB'")).toEqual([{ revenue: 21 }]);
    expect(await service.query("SELECT value FROM partner_scores WHERE partner_id = 'pB'")).toEqual([{ value: 3 }]);
    expect(await service.query("SELECT COUNT(*) AS n FROM deals WHERE id = 'dB'")).toEqual([{ n: 0 }]);
    // No COPY staging table stays behind.
    expect(await service.query("SELECT COUNT(*) AS n FROM pg_class WHERE relname LIKE 'segmenta_copy_%'")).toEqual([{ n: 0 }]);
  });

  it('refuses a manager read with PARTNER_SCOPE_UNAVAILABLE while the role is missing or not granted', async () => {
    const service = await open();
    expect(await failure(service.scoped(ONLY_A, (q) => q.query('SELECT id FROM partners')))).toBe('PARTNER_SCOPE_UNAVAILABLE');
    // The all-partners scope needs no role.
    expect(await service.scoped(ALL, (q) => ids(q, 'SELECT id FROM partners ORDER BY id'))).toEqual(['pA1', 'pA2', 'pB', 'pN']);
  });

  it("once an administrator created the roles and the service ran segmenta_enable_manager_scope(), B's partner is hidden from A", async () => {
    await close();
    await setup.admin(adminStatements(setup.service));
    const service = await open();
    expect(await service.query('SELECT segmenta_enable_manager_scope() AS enabled')).toEqual([{ enabled: true }]);
    expect(await service.scoped(ONLY_A, (q) => countsOf(q, 'pB'))).toEqual(none);
    expect(await service.scoped(ONLY_A, (q) => ids(q, 'SELECT id FROM partners ORDER BY id'))).toEqual(['pA1', 'pA2']);
    expect(await service.scoped(NO_MANAGERS, (q) => ids(q, 'SELECT id FROM partners'))).toEqual([]);
    expect(await ids(service, 'SELECT id FROM partners ORDER BY id')).toEqual(['pA1', 'pA2', 'pB', 'pN']);
  });

  it("the owner's own queries are planned without the scope's per-row sub-query (parallel scans stay possible)", async () => {
    const service = db!;
    const plan = async (q: Queryable): Promise<string> => (await q.query<{ 'QUERY PLAN': string }>('EXPLAIN SELECT SUM(revenue) FROM sales')).map((r) => r['QUERY PLAN']).join('\n');
    expect(await plan(service)).not.toMatch(/SubPlan/);
    expect(await service.scoped(ONLY_A, plan)).toMatch(/SubPlan/);
  });

  it('inside fn, going back to the service user (the owner), who with the scope still set sees nothing (fails closed)', async () => {
    const service = db!;
    const escaped = await service.scoped(ONLY_A, async (q) => {
      // RESET ROLE on PostgreSQL; PGlite's session user is always postgres, so name the role.
      await q.run(`SET ROLE ${setup.service}`);
      return { user: await q.query('SELECT current_user AS u'), partners: await countsOf(q, 'pB'), mine: await countsOf(q, 'pA1') };
    });
    expect(escaped).toEqual({ user: [{ u: setup.service }], partners: none, mine: none });
  });
});
