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
}

/** Shared defaults; each dialect overrides only what differs. */
export const baseDialect = {
  placeholder: (n: number): string => `$${n}`,
  castDate: (sql: string): string => `CAST(${sql} AS DATE)`,
};

/** Whether secondary B-tree indexes pay off (PostgreSQL) or only slow bulk loads (DuckDB, which prunes by zone maps). */
export const usesSecondaryIndexes = (dialect: Dialect): boolean => dialect.name === 'postgres';
