import { AppError } from '../../../errors/app-error.js';

/**
 * The reason given when the database refuses custom SQL while running it. Engine messages can
 * carry data (a conversion error quotes the value it could not convert, and a query can make
 * any value the one that fails), so they are never passed on: the reason is the error's class,
 * plus what comes from the query's own text (a position, a name the query wrote).
 */

const PG_CLASSES: Readonly<Record<string, string>> = {
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '25': 'invalid transaction state',
  '53': 'insufficient resources',
  '54': 'program limit exceeded',
};

/** A CUSTOM_SQL_FAILED error for an engine error; `sql` is the admin's query, `offset` where it starts in what ran. */
export function customSqlFailure(error: unknown, sql: string, offset: number): AppError {
  return new AppError('CUSTOM_SQL_FAILED', { reason: reasonFor(error, sql, offset) });
}

function reasonFor(error: unknown, sql: string, offset: number): string {
  const message = error instanceof Error ? error.message : '';
  // A name the message quotes is passed on only when the query itself wrote it.
  const quoted = /"([^"]{1,100})"/.exec(message)?.[1];
  const named = quoted !== undefined && sql.toLowerCase().includes(quoted.toLowerCase()) ? ` ("${quoted}")` : '';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    if (code === '42601') {
      const position = Number((error as { position?: unknown }).position) - offset;
      return `syntax error${Number.isInteger(position) && position > 0 ? ` at position ${position}` : ''}`;
    }
    if (code === '42501') return "the query reads something outside Segmenta's data (permission denied)";
    if (code.startsWith('42')) return `the query names a column, table or function that does not exist or does not fit${named} (SQLSTATE ${code})`;
    if (code === '25006') return 'the query tried to write';
    return `the query failed at run time: ${PG_CLASSES[code.slice(0, 2)] ?? 'error'} (SQLSTATE ${code})`;
  }
  // DuckDB: "<Class> Error: …".
  const cls = /^([A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*){0,3}) Error:/.exec(message)?.[1];
  if (cls === 'Parser') return 'syntax error';
  if (cls === 'Binder' || cls === 'Catalog') return `the query names a column, table or function that does not exist or does not fit${named} (${cls.toLowerCase()} error)`;
  return `the query failed at run time: ${cls ? `${cls.toLowerCase()} error` : 'error'}`;
}
