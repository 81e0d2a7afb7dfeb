import type { Dialect } from '../sql/dialect.js';

/**
 * SQL expressions that shape staged numbers into the values of real rows. Each gives the same
 * text, date or decimal on DuckDB and PostgreSQL, so a seed gives identical rows on both.
 */

/** `'P' || lpad('42', 7, '0')` → P0000042. The width must fit the largest number (lpad cuts longer text). */
export const idText = (prefix: string, column: string, width: number): string => `${literal(prefix)} || lpad(CAST(${column} AS VARCHAR), ${width}, '0')`;

/** The staged day number (days since 1970-01-01) as a DATE; NULL stays NULL. */
export const dayDate = (d: Dialect, column: string): string => d.addDays("CAST('1970-01-01' AS DATE)", column);

/** Kopecks (a whole number) as roubles, exactly: DuckDB divides decimals in floating point, so multiply. */
export const kopecks = (column: string): string => `CAST(CAST(${column} AS DECIMAL(18,0)) * 0.01 AS DECIMAL(18,4))`;

/** A code (0, 1, 2…) as the text at that index; codes out of range give NULL. */
export function caseOf(column: string, texts: readonly string[]): string {
  return `CASE ${column} ${texts.map((t, i) => `WHEN ${i} THEN ${literal(t)}`).join(' ')} END`;
}

export const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * A staged integer that stands for "no value" without being NULL. node-api's appender sets a
 * chunk's validity one value at a time (with BigInt arithmetic) once the chunk holds a NULL,
 * which made appending a column with NULLs about four times as costly as one without; the
 * shaping SQL turns this value into NULL (`orNull`). NULL_INT would be NULL already on the way in.
 */
export const ABSENT = -2_147_483_647;

/** The staged integer, or NULL where it is ABSENT. */
export const orNull = (column: string): string => `NULLIF(${column}, ${ABSENT})`;

/** The staged integer is not ABSENT. */
export const present = (column: string): string => `${column} <> ${ABSENT}`;

/** Digits of n, for id widths. */
export const digits = (n: number): number => String(Math.max(1, Math.trunc(n))).length;
