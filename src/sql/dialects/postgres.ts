import type { FieldType } from '../../model/entities.js';
import { baseDialect, type Dialect } from '../dialect.js';

const types: Record<FieldType, string> = {
  text: 'TEXT',
  decimal: 'NUMERIC(18,4)',
  integer: 'INTEGER',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

export const postgresDialect: Dialect = {
  ...baseDialect,
  name: 'postgres',
  columnType: (type) => types[type],
  cast: (sql, type) => `CAST(${sql} AS ${types[type]})`,
  addDays: (date, days) => `(${date} + CAST(${days} AS INTEGER))`,
  daysBetween: (from, to) => `(${to} - ${from})`,
  // EXTRACT gives numeric on PostgreSQL 14+; an integer keeps comparisons plain.
  monthDay: (date) => `CAST(EXTRACT(MONTH FROM ${date}) * 100 + EXTRACT(DAY FROM ${date}) AS INTEGER)`,
  // Autovacuum never analyzes temporary tables; without statistics joins on them plan badly.
  temporaryTableAs: (name, select) => [`CREATE TEMPORARY TABLE ${name} AS ${select}`, `ANALYZE ${name}`],
  unpivot: (table, key, columns) =>
    `SELECT u.${key} AS key, v.name, v.value FROM ${table} u CROSS JOIN LATERAL (VALUES ${columns.map((c) => `('${c}', u.${c})`).join(', ')}) v(name, value)`,
  analyze: (table) => [`ANALYZE ${table}`],
  // bigint; SUM gives numeric.
  hash64: (text) => `hashtextextended(${text}, 0)`,
};
