import { sql, type Sql } from '../../sql/sql.js';
import type { SegmentKind } from '../../model/segment-vocabulary.js';
import type { PartnerScope } from './principal.js';

/**
 * The manager scope in SQL (docs/security.md, "Manager scope"): every read that returns
 * partners or their facts restricts its partner ids with these fragments, so the rule is
 * written once. A manager sees the partners whose `partners.manager_id` is one of the scope's
 * manager ids; a partner without a manager is seen by admins and analysts only. For the whole
 * base (`{all: true}`) each fragment is plain `TRUE` (or the query unchanged): no join, no
 * subquery, nothing for the planner to do.
 */

/** True when the scope limits what is seen (a manager's). */
export const isScoped = (scope: PartnerScope): scope is { readonly all: false; readonly managerIds: readonly string[] } => !scope.all;

/**
 * SQL that holds when `managerId` — the `manager_id` column of a partners row the query reads
 * already (`p.manager_id`) — is in the scope. `TRUE` for all; `FALSE` for a manager with no
 * manager ids (who sees nobody).
 */
export function managerInScope(scope: PartnerScope, managerId: Sql): Sql {
  if (!isScoped(scope)) return sql`TRUE`;
  if (scope.managerIds.length === 0) return sql`FALSE`;
  return sql`${managerId} IN (${sql.list(scope.managerIds)})`;
}

/**
 * SQL that holds when the partner id `partnerId` (an expression: `s.partner_id`, `q.id`) is a
 * partner in the scope. `TRUE` for all; otherwise a subquery over `partners` by manager.
 */
export function partnerInScope(scope: PartnerScope, partnerId: Sql): Sql {
  if (!isScoped(scope)) return sql`TRUE`;
  if (scope.managerIds.length === 0) return sql`FALSE`;
  return sql`${partnerId} IN (SELECT scope_p.id FROM partners scope_p WHERE ${managerInScope(scope, sql`scope_p.manager_id`)})`;
}

/**
 * A query of partner ids (column `id`) cut to the scope: the query itself for all, otherwise
 * `SELECT id FROM (query) WHERE id is in the scope`.
 */
export function scopedPartnerIds(scope: PartnerScope, ids: Sql): Sql {
  if (!isScoped(scope)) return ids;
  return sql`SELECT scope_q.id FROM (${ids}) scope_q WHERE ${partnerInScope(scope, sql`scope_q.id`)}`;
}

/**
 * A segment's member ids cut to the scope: partner segments only (products are not partners:
 * a product segment's members are the same for everyone).
 */
export const scopedMemberIds = (scope: PartnerScope, kind: SegmentKind, ids: Sql): Sql => (kind === 'partner' ? scopedPartnerIds(scope, ids) : ids);

/**
 * The same test in memory, for data already read with the partner's manager (the order-facts
 * copy): whether a partner managed by `managerId` is in the scope.
 */
export function managerVisible(scope: PartnerScope, managerId: string | null): boolean {
  if (!isScoped(scope)) return true;
  return managerId !== null && scope.managerIds.includes(managerId);
}
