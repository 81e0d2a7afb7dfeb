import { markAppendedSales, markEntityRows, marksByPartner } from '../domain/segments/partner-changes.js';
import type { EntityDef } from '../model/entities.js';
import type { Queryable } from '../sql/queryable.js';
import { sql } from '../sql/sql.js';
import type { Staging } from './staging.js';

export interface UpsertCounts {
  readonly inserted: number;
  readonly updated: number;
  /** The table whose `id` column lists the ids written (for changedIds): the changes table, or staging when every staged row was new. */
  readonly changedIn: string;
}

const distinct = (columns: readonly string[], a: string, b: string): string => columns.map((c) => `${a}.${c} IS DISTINCT FROM ${b}.${c}`).join(' OR ');

const PROPERTY_VALUES = ['value_text', 'value_number', 'value_date', 'value_boolean'] as const;
const allNull = (alias: string): string => PROPERTY_VALUES.map((c) => `${alias}.${c} IS NULL`).join(' AND ');

/**
 * Writes the staged rows that are new or changed, and nothing else, so re-importing a file
 * writes nothing. A row is changed when any column the file gives differs (IS DISTINCT FROM,
 * so NULLs compare) or, for entities with additional properties, any property it gives does.
 * Columns the file does not give keep their stored values. Changed rows are updated in place
 * (fact tables have no primary key to upsert on), new rows inserted. The ids written are left
 * in `staging.changesTable` for listeners.
 */
export async function writeChanges(db: Queryable, entity: EntityDef, staging: Staging, columns: readonly string[], stagedRows: number): Promise<UpsertCounts> {
  const s = staging.table;
  const t = entity.table;
  const changes = staging.changesTable;
  // A first load into an empty table writes every staged row: no changes table to build (at
  // 20M sale lines it cost 10-29 CPU s, docs/benchmarks.md).
  const [stored] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${t} LIMIT 1) x`);
  if (Number(stored?.n ?? 0) === 0) return writeFirstLoad(db, entity, staging, columns);
  const differs = columns.length ? ` OR ${distinct(columns, 's', 't')}` : '';
  // Staged ids are unique (duplicates dropped) and so are stored ones (import keeps them so), so
  // the join yields each id once.
  await db.run(
    `CREATE ${db.dialect.stagingTable} ${changes} AS
     SELECT s.id AS id, t.id IS NULL AS is_new, t.id IS NOT NULL AS row_changed
     FROM ${s} s LEFT JOIN ${t} t ON t.id = s.id
     WHERE t.id IS NULL${differs}`,
  );
  if (entity.properties && staging.propertyTable) {
    const { table: props, ownerColumn } = entity.properties;
    await db.run(
      `INSERT INTO ${changes} (id, is_new, row_changed)
       SELECT DISTINCT p.owner_id, FALSE, FALSE
       FROM ${staging.propertyTable} p LEFT JOIN ${props} e ON e.${ownerColumn} = p.owner_id AND e.name = p.name
       WHERE (${distinct(PROPERTY_VALUES, 'p', 'e')}) AND NOT EXISTS (SELECT 1 FROM ${changes} c WHERE c.id = p.owner_id)`,
    );
  }
  const [count] = await db.query<{ changed: number; inserted: number | null }>(`SELECT COUNT(*) AS changed, SUM(CASE WHEN is_new THEN 1 ELSE 0 END) AS inserted FROM ${changes}`);
  const inserted = count?.inserted ?? 0;
  const updated = (count?.changed ?? 0) - inserted;
  // Incremental refresh's dirty set: the rows as they were (a fact may move to another
  // partner, a product to another group) and, below, as they are. A product whose properties
  // alone changed counts too: a dynamic product segment may read them.
  if (updated > 0 && entity.name !== 'partners') await markEntityRows(db, entity.name, sql`SELECT t.* FROM ${sql.raw(t)} t JOIN ${sql.raw(changes)} c ON c.id = t.id AND NOT c.is_new`);
  if (updated > 0 && columns.length) {
    await db.run(
      `UPDATE ${t} SET ${columns.map((c) => `${c} = s.${c}`).join(', ')}
       FROM ${s} s, ${changes} c
       WHERE ${t}.id = s.id AND c.id = s.id AND c.row_changed`,
    );
  }
  // A file of only new rows (a first load) needs no join.
  const newRows = inserted === stagedRows ? `${s} s` : `${s} s JOIN ${changes} c ON c.id = s.id AND c.is_new`;
  if (inserted > 0) {
    const list = ['id', ...columns];
    await db.run(`INSERT INTO ${t} (${list.join(', ')}) SELECT ${list.map((c) => `s.${c}`).join(', ')} FROM ${newRows}`);
  }
  if (entity.properties && staging.propertyTable) await writeProperties(db, entity, staging.propertyTable);
  if (entity.name === 'sales' && db.dialect.keepsMeasureBase) {
    // Appended lines are copied aside and marked as such (measure-base.ts); changed ones are
    // marked as any change, which sends the next pass to the full read.
    if (inserted > 0) {
      const list = ['id', ...columns];
      await db.run(`INSERT INTO sales_appended (${list.join(', ')}) SELECT ${list.map((c) => `s.${c}`).join(', ')} FROM ${newRows}`);
      await markAppendedSales(db, sql`SELECT ${sql.raw(list.map((c) => `s.${c}`).join(', '))} FROM ${sql.raw(newRows)}`);
    }
    if (updated > 0) await markEntityRows(db, entity.name, sql`SELECT t.* FROM ${sql.raw(t)} t JOIN ${sql.raw(changes)} c ON c.id = t.id AND NOT c.is_new`);
  } else if (inserted + updated > 0 && marksByPartner(entity.name)) {
    // A first load marks from staging as it is (entity tables have no column defaults, so a
    // staged row is the row inserted): no join of every new row with the rows just written.
    const written = inserted === stagedRows ? sql`SELECT s.* FROM ${sql.raw(s)} s` : sql`SELECT t.* FROM ${sql.raw(t)} t JOIN ${sql.raw(changes)} c ON c.id = t.id`;
    await markEntityRows(db, entity.name, written);
  }
  return { inserted, updated, changedIn: inserted === stagedRows ? s : changes };
}

/** Into an empty table every staged row (and property) is new: inserted as it is, and marked from staging. */
async function writeFirstLoad(db: Queryable, entity: EntityDef, staging: Staging, columns: readonly string[]): Promise<UpsertCounts> {
  const s = staging.table;
  const [count] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${s}`);
  const inserted = Number(count?.n ?? 0);
  if (inserted > 0) {
    const list = ['id', ...columns];
    await db.run(`INSERT INTO ${entity.table} (${list.join(', ')}) SELECT ${list.join(', ')} FROM ${s}`);
  }
  if (entity.properties && staging.propertyTable) await writeProperties(db, entity, staging.propertyTable);
  if (inserted > 0 && marksByPartner(entity.name)) await markEntityRows(db, entity.name, sql`SELECT s.* FROM ${sql.raw(s)} s`);
  return { inserted, updated: 0, changedIn: s };
}

/** Applies staged property values: all-null removes the property, a new value updates or inserts it. */
async function writeProperties(db: Queryable, entity: EntityDef, staged: string): Promise<void> {
  const { table: props, ownerColumn } = entity.properties!;
  const sameKey = (alias: string) => `${alias}.owner_id = ${props}.${ownerColumn} AND ${alias}.name = ${props}.name`;
  await db.run(`DELETE FROM ${props} WHERE EXISTS (SELECT 1 FROM ${staged} p WHERE ${sameKey('p')} AND ${allNull('p')})`);
  await db.run(
    `UPDATE ${props} SET ${PROPERTY_VALUES.map((c) => `${c} = p.${c}`).join(', ')}
     FROM ${staged} p
     WHERE ${sameKey('p')} AND NOT (${allNull('p')}) AND (${PROPERTY_VALUES.map((c) => `p.${c} IS DISTINCT FROM ${props}.${c}`).join(' OR ')})`,
  );
  await db.run(
    `INSERT INTO ${props} (${ownerColumn}, name, ${PROPERTY_VALUES.join(', ')})
     SELECT p.owner_id, p.name, ${PROPERTY_VALUES.map((c) => `p.${c}`).join(', ')}
     FROM ${staged} p
     WHERE NOT (${allNull('p')}) AND NOT EXISTS (SELECT 1 FROM ${props} e WHERE e.${ownerColumn} = p.owner_id AND e.name = p.name)`,
  );
}

/**
 * Changed ids, a chunk at a time in id order, for listeners. Numbered once in id order and read
 * by number: paging by `id > last ORDER BY id LIMIT n` sorted the whole table again for every
 * page (2,000 pages at 20M ids). DuckDB skips to a page by the numbers' zone maps (the table is
 * written in their order), PostgreSQL by an index on them.
 */
export async function* changedIds(db: Queryable, changedIn: string, chunk: number): AsyncGenerator<string[]> {
  const numbered = `${changedIn}_numbered`;
  await db.run(`CREATE ${db.dialect.stagingTable} ${numbered} AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM ${changedIn} ORDER BY n`);
  if (db.dialect.usesSecondaryIndexes) {
    await db.run(`CREATE INDEX ON ${numbered} (n)`);
    for (const statement of db.dialect.analyze(numbered)) await db.run(statement);
  }
  try {
    for (let from = 0; ; from += chunk) {
      const rows = await db.query<{ id: string }>(`SELECT id FROM ${numbered} WHERE n > ${from} AND n <= ${from + chunk} ORDER BY n`);
      if (rows.length > 0) yield rows.map((r) => r.id);
      if (rows.length < chunk) return;
    }
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${numbered}`);
  }
}
