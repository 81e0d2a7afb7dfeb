import type { SqlValue } from './queryable.js';

/** A query with its `$1…$n` parameters. */
export interface ParameterizedQuery {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/**
 * A query placed inside another whose own parameters come first: the inner `$n` become
 * `$(n + offset)`. Safe for the texts Segmenta builds, which never hold a literal `$n` (every
 * value is bound).
 *
 * @example
 * embedQuery({ sql: 'SELECT id FROM t WHERE a = $1', params: ['x'] }, 2)
 * // → { sql: 'SELECT id FROM t WHERE a = $3', params: ['x'] }
 */
export function embedQuery(query: ParameterizedQuery, offset: number): ParameterizedQuery {
  if (offset === 0) return query;
  return { sql: query.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`), params: query.params };
}
