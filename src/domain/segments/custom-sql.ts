import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../../errors/app-error.js';
import type { SqlValue } from '../../sql/queryable.js';
import { sql as statement } from '../../sql/sql.js';
import { QueryTimeoutError, SandboxUnavailableError, type Database } from '../../storage/database.js';
import { sandboxProblems, type Json } from './custom-sql/check.js';
import { customSqlFailure } from './custom-sql/failure.js';
import { customSqlAllowed } from './custom-sql/policy.js';

export { withCustomSqlAllowed, customSqlAllowed } from './custom-sql/policy.js';
export { READABLE_TABLES } from './custom-sql/allow-list.js';

/**
 * Custom SQL segments (SPEC §3, admins only): one SELECT returning ids, with named parameters
 * (`:name`), checked before it runs and run read-only with a time limit (docs/security.md,
 * "Custom SQL sandbox").
 *
 * The check parses the query with DuckDB's parser (also when the data is on PostgreSQL: the
 * grammars agree on SELECTs) and resolves every name by scope against allow-lists
 * (custom-sql/allow-list.ts): Segmenta's tables and the query's own CTEs, a few table
 * functions that make numbers, functions that compute from their arguments only. On
 * PostgreSQL it also runs as a role that can read only those tables (migration 8).
 */

export const CUSTOM_SQL_TIMEOUT_MS = Number(process.env.SEGMENTA_CUSTOM_SQL_TIMEOUT_MS ?? 30_000);

/** Replaces `:name` parameters (not `::` casts, not inside quotes) with `$n`. */
export function bindNamedParameters(sql: string, values: Readonly<Record<string, unknown>>): { sql: string; params: SqlValue[]; names: string[] } {
  const names: string[] = [];
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === ':' && sql[i + 1] === ':') {
      out += '::';
      i += 2;
      continue;
    }
    const m = ch === ':' ? /^:([A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(i)) : null;
    if (m) {
      const name = m[1]!;
      let index = names.indexOf(name);
      if (index === -1) index = names.push(name) - 1;
      out += `$${index + 1}`;
      i += m[0].length;
      continue;
    }
    out += ch;
    i++;
  }
  const missing = names.filter((n) => !(n in values));
  if (missing.length) throw invalid(`no value for parameter ${missing.map((n) => `:${n}`).join(', ')} in the segment's parameters`);
  const params = names.map((n) => {
    const v = values[n];
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    throw invalid(`parameter :${n} must be a string, number, boolean or null`);
  });
  return { sql: out, params, names };
}

const invalid = (reason: string) => new AppError('CUSTOM_SQL_INVALID', { reason });

let parser: Promise<DuckDBConnection> | null = null;
const parserConnection = (): Promise<DuckDBConnection> => {
  parser ??= DuckDBInstance.create(':memory:').then((instance) => instance.connect());
  return parser;
};

/** Statements DuckDB's parser makes of the text, or the reason it cannot. */
async function parse(sql: string): Promise<Json[]> {
  const connection = await parserConnection();
  const query = statement`SELECT json_serialize_sql(CAST(${sql} AS VARCHAR)) AS tree`;
  const reader = await connection.runAndReadAll(query.text, [...query.params]);
  const tree = JSON.parse(String(reader.getRows()[0]?.[0])) as { error: boolean; error_message?: string; statements?: Json[] };
  if (tree.error) throw invalid(tree.error_message?.includes('Only SELECT') ? 'only a SELECT is allowed' : (tree.error_message ?? 'cannot be parsed'));
  return tree.statements ?? [];
}

/** Checks a custom SQL query (parameters already bound as $n); throws CUSTOM_SQL_INVALID naming what is not allowed. */
export async function checkCustomSql(sql: string): Promise<void> {
  if (sql.length > 20_000) throw invalid('the query is longer than 20,000 characters');
  const statements = await parse(sql);
  if (statements.length !== 1) throw invalid('exactly one SELECT statement is allowed');
  const problems = sandboxProblems(statements[0]!);
  if (problems.length) throw invalid(problems.join('; '));
}

/**
 * The query that runs: the admin's inside a wrapper that keeps the distinct ids. The line
 * break lets the query end in a `-- comment`.
 */
function wrapped(db: Database, sql: string): { sql: string; offset: number } {
  const head = `SELECT DISTINCT CAST(q.id AS ${db.dialect.columnType('text')}) AS id FROM (`;
  return { sql: `${head}${sql}\n) q WHERE q.id IS NOT NULL`, offset: head.length };
}

/**
 * Runs a segment's custom SQL read-only with the time limit; returns the distinct ids.
 * Refused (CUSTOM_SQL_FORBIDDEN) where custom SQL is switched off; what the database says
 * about a failing query is reduced to its class (custom-sql/failure.ts).
 */
export async function runCustomSql(db: Database, sql: string, parameters: Readonly<Record<string, unknown>>, timeoutMs = CUSTOM_SQL_TIMEOUT_MS): Promise<string[]> {
  if (!customSqlAllowed()) throw new AppError('CUSTOM_SQL_FORBIDDEN');
  const bound = bindNamedParameters(sql, parameters);
  await checkCustomSql(bound.sql);
  const query = wrapped(db, bound.sql);
  // What runs is checked too, as one statement: the wrapper must not change what the query means.
  const statements = await parse(query.sql);
  if (statements.length !== 1 || sandboxProblems(statements[0]!).length) throw invalid('the query does not stand alone as one SELECT');
  try {
    const rows = await db.queryReadOnly<{ id: string }>(query.sql, bound.params, timeoutMs);
    return rows.map((r) => r.id);
  } catch (error) {
    if (error instanceof QueryTimeoutError) throw new AppError('CUSTOM_SQL_TIMEOUT', { timeoutMs });
    if (error instanceof SandboxUnavailableError) throw new AppError('CUSTOM_SQL_SANDBOX_MISSING', { role: error.role });
    if (error instanceof AppError) throw error;
    throw customSqlFailure(error, bound.sql, query.offset);
  }
}
