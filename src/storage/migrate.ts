import { AppError } from '../errors/app-error.js';
import type { Dialect } from '../sql/dialect.js';
import { sql } from '../sql/sql.js';
import type { Database } from './database.js';
import { MIGRATIONS } from './migrations/index.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements with the same meaning on every engine, written through the dialect. */
  up(dialect: Dialect): string[];
}

/**
 * Brings a database to the newest schema, one migration per transaction. A database made by
 * a newer Segmenta is refused rather than touched.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name ${db.dialect.columnType('text')} NOT NULL, applied_at ${db.dialect.columnType('timestamp')} NOT NULL)`);
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  const applied = new Set(rows.map((r) => r.version));
  const newest = Math.max(0, ...migrations.map((m) => m.version));
  const unknown = [...applied].filter((v) => v > newest);
  if (unknown.length) {
    throw new AppError('DATABASE_TOO_NEW', {
      database: db.description,
      databaseVersion: Math.max(...unknown),
      supportedVersion: newest,
    });
  }
  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    await db.transaction(async (tx) => {
      for (const statement of migration.up(db.dialect)) await tx.run(statement);
      const at = new Date().toISOString().replace('T', ' ').replace('Z', '');
      await tx.run(sql`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, CAST(${at} AS TIMESTAMP))`);
    });
    done.push(migration.version);
  }
  return done;
}
