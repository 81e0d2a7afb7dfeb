import { randomBytes } from 'node:crypto';
import type { Queryable } from '../sql/queryable.js';
import type { ColumnMap } from './column-map.js';
import type { StagingRow } from './row-builder.js';

/**
 * The tables an import loads the file into before anything touches the real tables:
 * the rows (typed like the target table, plus `_row` and `_line`) and, for entities with
 * additional properties, the property rows. Created inside the import's transaction with
 * unique names (temporary, or on DuckDB uncommitted: see Dialect.stagingTable) and dropped in
 * it, so a failed import leaves nothing behind and two imports never meet.
 */
export class Staging {
  private constructor(
    private readonly db: Queryable,
    /** Rows of the file: the entity's columns, `_row` (order in the file) and maybe `_line`. */
    readonly table: string,
    /** The column holding a staged row's line: `_line` for JSON arrays, else `_row` (the ordinal is the line). */
    readonly lineColumn: '_row' | '_line',
    readonly columns: readonly string[],
    /** Property rows: owner, name, the four value columns, `_row`. */
    readonly propertyTable: string | undefined,
    /** Scratch table of the ids an import changes (see upsert). */
    readonly changesTable: string,
  ) {}

  static async create(db: Queryable, map: ColumnMap, separateLine: boolean): Promise<Staging> {
    const suffix = randomBytes(6).toString('hex');
    const t = (type: Parameters<typeof db.dialect.columnType>[0]) => db.dialect.columnType(type);
    const table = `import_staging_${suffix}`;
    // One column fewer to bulk-load when the ordinal is the line (CSV, JSON Lines).
    const columns = [...map.columns.map((c) => c.column), '_row', ...(separateLine ? ['_line'] : [])];
    const definitions = [...map.columns.map((c) => `${c.column} ${t(c.type)}`), `_row ${t('integer')} NOT NULL`, ...(separateLine ? [`_line ${t('integer')} NOT NULL`] : [])];
    await db.run(`CREATE ${db.dialect.stagingTable} ${table} (${definitions.join(', ')})`);
    let propertyTable: string | undefined;
    if (map.entity.properties) {
      propertyTable = `import_staging_${suffix}_properties`;
      await db.run(
        `CREATE ${db.dialect.stagingTable} ${propertyTable} (owner_id ${t('text')} NOT NULL, name ${t('text')} NOT NULL, value_text ${t('text')}, value_number ${t('decimal')}, value_date ${t('date')}, value_boolean ${t('boolean')}, _row ${t('integer')} NOT NULL)`,
      );
    }
    return new Staging(db, table, separateLine ? '_line' : '_row', columns, propertyTable, `import_changes_${suffix}`);
  }

  static readonly PROPERTY_COLUMNS = ['owner_id', 'name', 'value_text', 'value_number', 'value_date', 'value_boolean', '_row'] as const;

  async append(rows: readonly StagingRow[], propertyRows: readonly StagingRow[]): Promise<void> {
    if (rows.length) await this.db.appendRows(this.table, this.columns, rows);
    if (propertyRows.length && this.propertyTable) await this.db.appendRows(this.propertyTable, Staging.PROPERTY_COLUMNS, propertyRows);
  }

  /**
   * Keeps only the last row of each id (upsert semantics within one file: the last one wins).
   * Returns how many staged rows remain and how many earlier duplicates were dropped.
   */
  async dropSupersededDuplicates(): Promise<{ staged: number; duplicates: number }> {
    const [count] = await this.db.query<{ n: number; d: number }>(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM ${this.table}`);
    const staged = count?.d ?? 0;
    const duplicates = (count?.n ?? 0) - staged;
    if (duplicates > 0) {
      await this.db.run(
        `DELETE FROM ${this.table} USING (SELECT id, MAX(_row) AS keep FROM ${this.table} GROUP BY id HAVING COUNT(*) > 1) d WHERE ${this.table}.id = d.id AND ${this.table}._row < d.keep`,
      );
    }
    return { staged, duplicates };
  }

  /** Drops property rows whose row is no longer staged (superseded duplicates, skipped bad rows). */
  async pruneOrphanProperties(): Promise<void> {
    if (!this.propertyTable) return;
    await this.db.run(`DELETE FROM ${this.propertyTable} WHERE NOT EXISTS (SELECT 1 FROM ${this.table} s WHERE s._row = ${this.propertyTable}._row)`);
  }

  async drop(): Promise<void> {
    for (const table of [this.table, this.propertyTable, this.changesTable]) {
      if (table) await this.db.run(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
