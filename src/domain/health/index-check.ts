import type { Database } from '../../storage/database.js';
import { DuckDBDatabase } from '../../storage/duckdb-database.js';

/**
 * Secondary indexes that miss rows, on DuckDB. Before Segmenta checkpointed a replayed log on
 * open, DuckDB 1.5's checkpoint on close could write a secondary index without the rows the log
 * had added (duckdb/duckdb#23788): lookups by partner then miss lines that a scan finds. The
 * check compares, for the keys of the rows written last and a sample of the others, what a
 * lookup through the index counts with what a scan counts; a rebuild drops and creates the index
 * again from its own definition. PostgreSQL's indexes are crash-safe: nothing to check there.
 */

export interface StaleIndex {
  readonly table: string;
  readonly index: string;
  /** Keys checked, and how many of them the index answered with fewer rows than a scan. */
  readonly keysChecked: number;
  readonly keysMissingRows: number;
}

interface SecondaryIndex {
  readonly table: string;
  readonly index: string;
  readonly column: string;
  readonly sql: string;
}

/** Keys of the rows written last (where a replayed log puts them) and a random sample. */
const RECENT_ROWS = 20_000;
const RECENT_KEYS = 400;
const SAMPLED_KEYS = 200;

/** Single-column secondary indexes (every one Segmenta creates on DuckDB is). */
async function secondaryIndexes(db: Database): Promise<SecondaryIndex[]> {
  const rows = await db.query<{ table_name: string; index_name: string; expressions: string; sql: string }>(
    "SELECT table_name, index_name, expressions, sql FROM duckdb_indexes() WHERE NOT is_primary AND NOT is_unique AND schema_name = 'main' ORDER BY table_name, index_name",
  );
  return rows.flatMap((r) => {
    const column = /^\[([a-z_][a-z0-9_]*)\]$/.exec(r.expressions)?.[1];
    return column ? [{ table: r.table_name, index: r.index_name, column, sql: r.sql }] : [];
  });
}

async function missingRows(db: Database, index: SecondaryIndex): Promise<StaleIndex> {
  const { table, column } = index;
  const scanned = await db.query<{ key: string; n: number }>(
    `WITH recent AS (SELECT DISTINCT ${column} AS key FROM (SELECT ${column} FROM ${table} ORDER BY rowid DESC LIMIT ${RECENT_ROWS}) r WHERE ${column} IS NOT NULL LIMIT ${RECENT_KEYS}),
          sampled AS (SELECT ${column} AS key FROM ${table} WHERE ${column} IS NOT NULL USING SAMPLE ${SAMPLED_KEYS} ROWS),
          keys AS (SELECT key FROM recent UNION SELECT key FROM sampled)
     SELECT CAST(${column} AS VARCHAR) AS key, CAST(count(*) AS INTEGER) AS n FROM ${table} WHERE ${column} IN (SELECT key FROM keys) GROUP BY ${column}`,
  );
  let keysMissingRows = 0;
  for (const { key, n } of scanned) {
    // An equality on one key is answered through the index (a key with too many rows is
    // scanned instead, and then agrees: not a false alarm).
    const [found] = await db.query<{ n: number }>(`SELECT CAST(count(*) AS INTEGER) AS n FROM ${table} WHERE ${column} = $1`, [key]);
    if (Number(found?.n ?? 0) < Number(n)) keysMissingRows++;
  }
  return { table, index: index.index, keysChecked: scanned.length, keysMissingRows };
}

/** The secondary indexes of a DuckDB file that miss rows (none on PostgreSQL). */
export async function staleIndexes(db: Database): Promise<StaleIndex[]> {
  if (!(db instanceof DuckDBDatabase)) return [];
  const stale: StaleIndex[] = [];
  for (const index of await secondaryIndexes(db)) {
    const checked = await missingRows(db, index);
    if (checked.keysMissingRows > 0) stale.push(checked);
  }
  return stale;
}

/** Drops and creates these indexes again, from their own definitions, in one transaction. */
export async function rebuildIndexes(db: Database, stale: readonly StaleIndex[]): Promise<void> {
  if (!stale.length) return;
  const definitions = new Map((await secondaryIndexes(db)).map((i) => [i.index, i.sql]));
  await db.transaction(async (tx) => {
    for (const { index } of stale) {
      const sql = definitions.get(index);
      if (!sql) continue;
      await tx.run(`DROP INDEX ${index}`);
      await tx.run(sql);
    }
  });
}
