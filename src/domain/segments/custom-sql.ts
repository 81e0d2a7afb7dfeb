import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../../errors/app-error.js';
import { ENTITIES, ENTITY_NAMES } from '../../model/entities.js';
import { QueryTimeoutError, type Database, type SqlValue } from '../../storage/database.js';

/**
 * Custom SQL segments (SPEC §3, admins only): one SELECT returning ids, with named parameters
 * (`:name`), checked before it runs and run read-only with a time limit.
 *
 * The check parses the query with DuckDB's parser (also when the data is on PostgreSQL: the
 * grammars agree on SELECTs) and walks the tree: one SELECT, tables only from our schema or
 * the query's own CTEs, no table functions but series, and none of the functions that read
 * files, the environment or the network, or change state.
 */

export const CUSTOM_SQL_TIMEOUT_MS = Number(process.env.SEGMENTA_CUSTOM_SQL_TIMEOUT_MS ?? 30_000);

const READABLE_TABLES = new Set<string>([
  ...ENTITY_NAMES.map((n) => ENTITIES[n].table),
  ...ENTITY_NAMES.filter((n) => ENTITIES[n].hierarchy).map((n) => `${ENTITIES[n].table}_closure`),
  'partner_properties',
  'product_properties',
  'property_definitions',
  'segments',
  'segment_members',
  'segment_history',
  'partner_scores',
]);

const ALLOWED_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest']);

const FORBIDDEN_FUNCTION = new RegExp(
  '^(read_|glob|sniff_|parquet_|iceberg_|delta_|getenv|query|query_table|duckdb_|pragma_|current_setting|set_config|' +
    'pg_read|pg_ls|pg_stat_file|pg_file|lo_|dblink|pg_sleep|pg_terminate|pg_cancel|pg_reload|pg_rotate|pg_advisory|' +
    'nextval|setval|currval|txid_|pg_notify|copy|http|httpfs|load|install|export|import|system|shell)',
  'i',
);

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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Checks a custom SQL query (parameters already bound as $n); throws CUSTOM_SQL_INVALID naming what is not allowed. */
export async function checkCustomSql(sql: string): Promise<void> {
  if (sql.length > 20_000) throw invalid('the query is longer than 20,000 characters');
  const connection = await parserConnection();
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql(CAST($1 AS VARCHAR)) AS tree', [sql]);
  const tree = JSON.parse(String(reader.getRows()[0]?.[0])) as { error: boolean; error_message?: string; statements?: Json[] };
  if (tree.error) throw invalid(tree.error_message?.includes('Only SELECT') ? 'only a SELECT is allowed' : (tree.error_message ?? 'cannot be parsed'));
  if (!tree.statements || tree.statements.length !== 1) throw invalid('exactly one SELECT statement is allowed');
  const cteNames = new Set<string>();
  const problems: string[] = [];
  const walk = (node: Json): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const cteMap = node.cte_map as { map?: { key: string }[] } | undefined;
    for (const entry of cteMap?.map ?? []) cteNames.add(String(entry.key).toLowerCase());
    if (node.type === 'BASE_TABLE') {
      const table = String(node.table_name).toLowerCase();
      const schema = String(node.schema_name ?? '').toLowerCase();
      const qualified = schema !== '' && schema !== 'main' && schema !== 'public';
      if (qualified || String(node.catalog_name ?? '') !== '' || (!READABLE_TABLES.has(table) && !cteNames.has(table))) {
        problems.push(`table "${node.table_name}" is not one of Segmenta's tables`);
      }
    }
    if (node.type === 'TABLE_FUNCTION') {
      const fn = node.function as { function_name?: string } | null;
      const name = String(fn?.function_name ?? '').toLowerCase();
      if (!ALLOWED_TABLE_FUNCTIONS.has(name)) problems.push(`table function ${name}() is not allowed`);
    }
    if (node.class === 'FUNCTION' && typeof node.function_name === 'string' && FORBIDDEN_FUNCTION.test(node.function_name)) {
      problems.push(`function ${node.function_name}() is not allowed`);
    }
    for (const value of Object.values(node)) walk(value);
  };
  // CTE names are collected on the way down; a second pass sees them all.
  walk(tree.statements);
  problems.length = 0;
  walk(tree.statements);
  if (problems.length) throw invalid([...new Set(problems)].join('; '));
}

/** Runs a segment's custom SQL read-only with the time limit; returns the distinct ids. */
export async function runCustomSql(db: Database, sql: string, parameters: Readonly<Record<string, unknown>>, timeoutMs = CUSTOM_SQL_TIMEOUT_MS): Promise<string[]> {
  const bound = bindNamedParameters(sql, parameters);
  await checkCustomSql(bound.sql);
  try {
    // The newline ends a trailing `-- comment`, which would otherwise swallow the closing paren.
    const rows = await db.queryReadOnly<{ id: string }>(`SELECT DISTINCT CAST(q.id AS ${db.dialect.columnType('text')}) AS id FROM (${bound.sql}
) q WHERE q.id IS NOT NULL`, bound.params, timeoutMs);
    return rows.map((r) => r.id);
  } catch (error) {
    if (error instanceof QueryTimeoutError) throw new AppError('CUSTOM_SQL_TIMEOUT', { timeoutMs });
    if (error instanceof AppError) throw error;
    throw new AppError('CUSTOM_SQL_FAILED', { reason: error instanceof Error ? error.message : String(error) });
  }
}
