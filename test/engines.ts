/**
 * The engines every conformance suite runs on: DuckDB and PGlite always, and a real
 * PostgreSQL server when DATABASE_URL is set (CI sets it).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresDialect } from '../src/sql/dialects/postgres.js';
import type { Database } from '../src/storage/database.js';
import { DuckDBDatabase } from '../src/storage/duckdb-database.js';
import { migrate } from '../src/storage/migrate.js';
import { MIGRATIONS } from '../src/storage/migrations/index.js';
import { PGliteDatabase } from '../src/storage/pglite-database.js';
import { PostgresDatabase } from '../src/storage/postgres-database.js';

export type EngineName = 'duckdb' | 'pglite' | 'postgres';

export interface Engine {
  readonly name: EngineName;
  /** A new, empty, migrated database, dropped by the returned database's close(). */
  create(): Promise<Database>;
}

const duckdb: Engine = {
  name: 'duckdb',
  create: async () => {
    const db = await DuckDBDatabase.open(':memory:');
    await migrate(db);
    return db;
  },
};

/**
 * A freshly migrated PGlite's data directory, which new PGlite test databases start from: initdb
 * and the migrations cost about 2.5 s of CPU per database, a copy 0.8 s. It is built once and
 * kept in the temporary directory for every test process, under a key made of PGlite's version,
 * migrate.ts and every migration's statements, so a changed migration makes a new one.
 */
async function pgliteTemplate(): Promise<Blob> {
  const version = (JSON.parse(readFileSync('node_modules/@electric-sql/pglite/package.json', 'utf8')) as { version: string }).version;
  const migrations = MIGRATIONS.map((m) => [m.version, m.name, m.up(postgresDialect)]);
  const key = createHash('sha256')
    .update(JSON.stringify([version, readFileSync('src/storage/migrate.ts', 'utf8'), migrations]))
    .digest('hex')
    .slice(0, 16);
  const file = join(tmpdir(), `segmenta-test-pglite-${key}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const db = await PGliteDatabase.open();
  try {
    await migrate(db);
    const dump = await db.dump();
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
    return dump;
  } finally {
    await db.close();
  }
}
let template: Promise<Blob> | undefined;

const pglite: Engine = {
  name: 'pglite',
  create: async () => {
    const db = await PGliteDatabase.open(undefined, { from: await (template ??= pgliteTemplate()) });
    // Nothing to do (the copy is migrated); run all the same, so a database behind is never handed out.
    await migrate(db);
    return db;
  },
};

const postgresUrl = process.env.DATABASE_URL;

const postgres: Engine = {
  name: 'postgres',
  create: async () => {
    const url = postgresUrl!;
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const db = await PostgresDatabase.connect(url, { schema });
    await migrate(db);
    const close = db.close.bind(db);
    // Each test database is a schema of its own, dropped when closed.
    return Object.assign(db, {
      close: async () => {
        await close();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      },
    });
  },
};

/**
 * DuckDB, and PostgreSQL: PGlite where no server runs (`npm test` on a fresh machine), the real
 * server when DATABASE_URL names one (CI). PGlite only ever stands in for PostgreSQL — no product
 * code opens it — so running it beside a real server checked the same SQL twice and cost CI a
 * third of its database-bound time. Its adapter keeps tests of its own through PGLITE.
 */
export const ENGINES: readonly Engine[] = postgresUrl ? [duckdb, postgres] : [duckdb, pglite];

/** PGlite itself, for the tests of its adapter (run with or without a server). */
export const PGLITE: Engine = pglite;
