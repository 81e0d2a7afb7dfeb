import type { FieldType } from '../model/entities.js';

/**
 * Everything that differs between the SQL of DuckDB and of PostgreSQL lives behind this
 * interface; the rest of the code writes one SQL text. Keep the overrides small.
 */
export interface Dialect {
  readonly name: 'duckdb' | 'postgres';
  /** Column type for a model field type. */
  columnType(type: FieldType): string;
  /** Positional placeholder for parameter number n (1-based). Both engines take `$n`. */
  placeholder(n: number): string;
  /** An expression adding `days` (an SQL integer expression) to a DATE expression, giving a DATE. */
  addDays(dateSql: string, daysSql: string): string;
  /** Whole days from `fromSql` to `toSql` (both DATE expressions), an integer. */
  daysBetween(fromSql: string, toSql: string): string;
  /** Cast a parameter or expression to DATE. */
  castDate(sql: string): string;
  /** Cast a parameter or expression to the column type of a model field type. */
  cast(sql: string, type: FieldType): string;
  /** month × 100 + day of a DATE expression, an integer (March 7 → 307): anniversaries. */
  monthDay(dateSql: string): string;
  /**
   * Lower-case a text expression for case-insensitive matching (contains, beginsWith, like).
   * Both engines fold Cyrillic as well as Latin (PostgreSQL needs a UTF-8 LC_CTYPE, the default).
   */
  lower(textSql: string): string;
  /** `text LIKE pattern`, with `\` escaping the next character of the pattern. */
  like(textSql: string, patternSql: string): string;
  /**
   * Statements that fill a temporary table (private to the session) from a SELECT, ready to
   * be read by further queries (PostgreSQL does not gather statistics of temporary tables itself).
   */
  temporaryTableAs(name: string, selectSql: string): string[];
  /**
   * One row per row of `table` and listed boolean column that is TRUE there: `key` (the key
   * column) and `label` (the column's label, an SQL expression such as a bound parameter,
   * given with it). Columns are generated names (`h0`…), never user text.
   */
  trueColumns(table: string, keyColumn: string, columns: readonly { readonly column: string; readonly label: string }[]): string;
  /**
   * Statements that bring the planner statistics of tables up to date after a large change
   * (no table: the whole database).
   */
  analyze(...tables: string[]): string[];
  /** Statements that fold what a bulk load wrote ahead into the database file. */
  checkpoint(): string[];
  /** Whether secondary B-tree indexes pay off (PostgreSQL) or only slow bulk loads (DuckDB, which prunes by zone maps). */
  readonly usesSecondaryIndexes: boolean;
  /**
   * Whether a bulk load of millions of rows (the demo company) runs as one transaction.
   * PostgreSQL: yes — all or nothing, and temporary staging tables live in its session.
   * DuckDB: no — a transaction holds every staged row in memory until it commits and then
   * rewrites the load at commit (about twice the time); such loads commit batch by batch and
   * clean up after themselves if they fail.
   */
  readonly bulkLoadsInOneTransaction: boolean;
  /**
   * What an import's staging tables are made as, `CREATE <this> name …`. PostgreSQL: a
   * TEMPORARY TABLE, its session's own. DuckDB: a plain TABLE, which no other connection sees
   * before the import's transaction commits, and the import drops it before then: DuckDB writes
   * its full row groups to the file compressed as they fill, where a temporary table keeps
   * every staged row in memory uncompressed (1.4 GB at 10M sale lines).
   */
  readonly stagingTable: 'TEMPORARY TABLE' | 'TABLE';
  /** A 64-bit hash of a text expression, whose SUM over millions of rows does not overflow. */
  hash64(textSql: string): string;
  /** A 64-bit hash of a row of columns of any type (NULLs and their places count), summable. */
  hashRow(columnsSql: readonly string[]): string;
  /**
   * Whether the tables every refresh rewrites (memberships, history, scores, runs) may carry
   * indexes and key constraints. PostgreSQL's B-trees are crash-safe; DuckDB's ART indexes are
   * what a write-ahead log failed to replay after a kill (docs/storage.md), so on DuckDB those
   * tables have none and the writers keep their keys unique.
   */
  readonly indexesOnRewrittenTables: boolean;
  /**
   * Whether a full batch keeps its measures for incremental passes to move by the appended sale
   * lines only (src/domain/segments/measure-base.ts). DuckDB: its pass would otherwise decode
   * every sale line to read the changed partners' ones. PostgreSQL reads them by index: no.
   */
  readonly keepsMeasureBase: boolean;
  /**
   * A statement taking a lock on the text key `$1` until the transaction ends, or null where the
   * process serialises such writers itself (DuckDB: one process owns the file).
   */
  readonly transactionLock: string | null;
  /**
   * What ends a SELECT that claims queue rows inside a transaction so that other processes
   * skip the rows it locked (PostgreSQL `FOR UPDATE SKIP LOCKED`), or '' where one process owns
   * the database and serialises its claims itself (DuckDB).
   */
  readonly skipLocked: string;
  /**
   * A column naming a row's place in its table, stable within a transaction that does not
   * delete from it (DuckDB `rowid`), or null. Rows read once can then be deleted by it: a
   * DELETE matching them by their key would scan and hash every row again.
   */
  readonly rowId: string | null;
  /**
   * A table expression reading the records of a CSV file on this machine as text columns
   * c0…c(n-1), exactly as written (no header, no type guessing, quotes RFC 4180 style, a
   * record of the wrong width an error), or null where the engine cannot read the caller's
   * files (a PostgreSQL server reads its own disk). Used by import's fast path (csv-file-load.ts).
   */
  readonly csvFileScan: ((path: string, options: { readonly delimiter: string; readonly columns: number; readonly skipLines: number }) => string) | null;
  /**
   * SQL condition: the non-null value `valueSql` is no `id` of `table`,
   * as an import checks each staged reference. DuckDB: `NOT IN`, a hash join built on the
   * referenced table; its correlated `NOT EXISTS` builds the hash table from every staged row
   * instead (5 s against 0.4 s for 2M sale lines, docs/benchmarks.md). PostgreSQL: `NOT EXISTS`,
   * a hash anti-join; its `NOT IN` over ids that do not fit work_mem probes row by row.
   */
  absentId(valueSql: string, table: string): string;
  /**
   * How point reads of several tables in one statement (read-parts.ts) carry a row: as one JSON
   * array of its columns (`row`: the expression; `value`: one element back as the column's own
   * statement gives it), or null for typed slots shared by the parts. DuckDB plans a statement
   * with a parameter again at every execution, and each projected expression costs (a typed
   * slot per column of every part, NULLs included, was over half of that statement's CPU;
   * issue 20, docs/benchmarks.md "One partner, session 14").
   * PostgreSQL plans a prepared statement once and keeps the typed slots.
   */
  readonly rowAsJson: { row(columnsSql: readonly string[]): string; value(type: FieldType, value: unknown): string | number | boolean | null } | null;
  /**
   * The sum of `valueSql` over the rows of a group where `conditionSql` holds, a filtered
   * aggregate of a fact scan. Where no row of the group passes, DuckDB's form gives 0 and
   * PostgreSQL's NULL: callers read every such sum through COALESCE(…, 0) (FactScans.leftSide).
   * DuckDB: `SUM(CASE WHEN … THEN … ELSE 0 END)`, 20–35 % less CPU than `SUM(…) FILTER (WHERE …)`
   * (docs/benchmarks.md, "Incremental pass, session 14"); `ELSE NULL` was 35 % dearer.
   */
  filteredSum(valueSql: string, conditionSql: string): string;
  /**
   * An integer standing one-to-one for a member id, kept beside it in `segment_members.member_key`
   * (migration 26), or null where the engine finds memberships by its index (PostgreSQL). DuckDB:
   * an id of 1–8 bytes without a NUL, its bytes read as one unsigned 64-bit number (the first
   * byte is never 0, so ids of different lengths never meet); other ids have none (NULL). A
   * partial swap joins the changed partners by it: integers instead of hashing 10.8M id strings
   * (docs/benchmarks.md, "Incremental pass, session 14").
   */
  readonly memberKey: { readonly type: string; of(idSql: string): string } | null;
}

/** Shared defaults; each dialect overrides only what differs. */
export const baseDialect = {
  placeholder: (n: number): string => `$${n}`,
  castDate: (sql: string): string => `CAST(${sql} AS DATE)`,
  lower: (sql: string): string => `lower(${sql})`,
  like: (text: string, pattern: string): string => `${text} LIKE ${pattern} ESCAPE '\\'`,
  filteredSum: (value: string, condition: string): string => `SUM(${value}) FILTER (WHERE ${condition})`,
};
