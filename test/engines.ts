/**
 * The engines every conformance suite runs on: DuckDB and PGlite always, and a real
 * PostgreSQL server when DATABASE_URL is set (CI sets it).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../src/storage/database.js';
import { DuckDBDatabase } from '../src/storage/duckdb-database.js';
import { migrate } from '../src/storage/migrate.js';
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

const pglite: Engine = {
  name: 'pglite',
  create: async () => {
    const db = await PGliteDatabase.open();
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

export const ENGINES: readonly Engine[] = postgresUrl ? [duckdb, pglite, postgres] : [duckdb, pglite];
