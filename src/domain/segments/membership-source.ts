import { AppError } from '../../errors/app-error.js';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { compileRule, type CompiledQuery } from '../../sql/compile/compile-rule.js';
import type { SqlValue } from '../../sql/queryable.js';
import { sql, type Sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import { runCustomSql } from './custom-sql.js';
import { historyQuery } from './membership-history.js';
import type { Segment } from './segment.schema.js';

/**
 * Where a segment's members come from, as SQL (or ids): its rule (or custom SQL) for a
 * rebuild, and its current composition for readers — the rule of a dynamic segment, the
 * stored list (or its history as of a date) otherwise.
 */

/** The new members of a rebuild: a query, or ids already computed (custom SQL runs read-only first). */
export type MembersSource = { readonly sql: string; readonly params: readonly SqlValue[] } | { readonly ids: readonly string[] };

/** The SQL selecting a segment's members by its rule (not its stored list) as of a date. */
export async function membersQuery(db: Database, segment: Segment, asOf?: string): Promise<CompiledQuery | { ids: string[] }> {
  if (segment.sql !== null) return { ids: await runCustomSql(db, segment.sql, segment.parameters) };
  if (segment.rule === null || segment.rule === undefined) throw new AppError('SEGMENT_HAS_NO_RULE', { id: segment.id });
  const catalog = await loadRuleCatalog(db);
  return compileRule(segment.rule, {
    dialect: db.dialect,
    catalog,
    kind: segment.kind,
    parameters: segment.parameters,
    segmentId: segment.id,
    ...(asOf ? { asOf } : {}),
  });
}

/** The SQL of a segment's current member ids: its rule for a dynamic segment, its stored list otherwise. */
export async function compositionQuery(db: Database, segment: Segment, asOf?: string): Promise<{ sql: string; params: SqlValue[] }> {
  if (segment.method === 'dynamic') {
    const source = await membersQuery(db, segment, asOf);
    // Custom SQL is refused for dynamic segments on save, so a dynamic source is always a query.
    if ('ids' in source) throw new AppError('CUSTOM_SQL_DYNAMIC', { id: segment.id });
    return { sql: source.sql, params: [...source.params] };
  }
  return numbered(asOf ? historyQuery(segment.id, asOf) : sql`SELECT member_id AS id FROM segment_members WHERE segment_id = ${segment.id}`);
}

/** A statement in the form of a compiled rule (its own `$1…$n`), which readers embed (`sql.embed`) or wrap. */
const numbered = (statement: Sql): { sql: string; params: SqlValue[] } => ({ sql: statement.text, params: [...statement.params] });
