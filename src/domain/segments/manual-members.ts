import { isScoped, managerInScope } from '../access/partner-scope-sql.js';
import { ALL_PARTNERS, type PartnerScope } from '../access/principal.js';
import { AppError } from '../../errors/app-error.js';
import { inChunks } from '../../sql/in-chunks.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import { addToComposition, removeFromComposition, replaceComposition, writingCompositions, type CompositionListener } from './compositions.js';
import { segmentSize } from './member-pages.js';
import { membersQuery } from './membership-source.js';
import type { Segment } from './segment.schema.js';
import { sqlTimestamp } from './segments.repository.js';

/** Manual segments: members added and removed by hand, or filled once by the segment's rule. */

function requireManual(segment: Segment): void {
  if (segment.method !== 'manual') throw new AppError('SEGMENT_NOT_MANUAL', { id: segment.id, method: segment.method });
}

/** The ids of `ids` that exist (and, of partners, that the scope sees), read 1,000 at a time. */
async function visibleMembers(tx: Queryable, segment: Segment, ids: readonly string[], scope: PartnerScope): Promise<Set<string>> {
  const table = sql.raw(segment.kind === 'product' ? 'products' : 'partners');
  const inScope = segment.kind === 'partner' ? managerInScope(scope, sql`manager_id`) : sql`TRUE`;
  const unique = [...new Set(ids)];
  const found = new Set<string>();
  await inChunks(unique, 1000, async (chunk) => {
    for (const r of await tx.query<{ id: string }>(sql`SELECT id FROM ${table} WHERE id IN (${sql.list(chunk)}) AND ${inScope}`)) found.add(r.id);
  });
  return found;
}

/** Refuses ids that do not exist, or that are partners outside the scope (as if they did not exist). */
async function checkMembersExist(tx: Queryable, segment: Segment, ids: readonly string[], scope: PartnerScope): Promise<void> {
  const found = await visibleMembers(tx, segment, ids, scope);
  const missing = [...new Set(ids)].filter((id) => !found.has(id));
  if (missing.length) throw new AppError('ENTITY_NOT_FOUND', { entity: segment.kind, id: missing.slice(0, 20).join(', '), missing });
}

/**
 * Adds members to a manual segment; ids already there are left as they are. Returns how many
 * were added. A partner outside `scope` is refused as one that does not exist.
 */
export async function addMembers(db: Database, segment: Segment, ids: readonly string[], onChange?: CompositionListener, scope: PartnerScope = ALL_PARTNERS): Promise<number> {
  requireManual(segment);
  return writingCompositions(db, [segment.id], () =>
    db.transaction(async (tx) => {
      await checkMembersExist(tx, segment, ids, scope);
      return (await addToComposition(tx, segment.id, ids, sqlTimestamp(), onChange)).length;
    }),
  );
}

/**
 * Removes members from a manual segment. Returns how many were removed. Ids of partners outside
 * `scope` are left alone, as ids that are not members are.
 */
export async function removeMembers(db: Database, segment: Segment, ids: readonly string[], onChange?: CompositionListener, scope: PartnerScope = ALL_PARTNERS): Promise<number> {
  requireManual(segment);
  return writingCompositions(db, [segment.id], () =>
    db.transaction(async (tx) => {
      const visible = segment.kind === 'partner' && isScoped(scope) ? [...(await visibleMembers(tx, segment, ids, scope))] : ids;
      return (await removeFromComposition(tx, segment.id, visible, sqlTimestamp(), onChange)).length;
    }),
  );
}

/** "Fill by rule" of a manual segment: adds the matching members, or replaces the composition with them. */
export async function fillByRule(
  db: Database,
  segment: Segment,
  options: { replace: boolean; asOf?: string; onChange?: CompositionListener },
): Promise<{ added: number; removed: number; size: number }> {
  requireManual(segment);
  if (segment.rule === null && segment.sql === null) throw new AppError('SEGMENT_HAS_NO_RULE', { id: segment.id });
  const source = await membersQuery(db, segment, options.asOf);
  if (options.replace) {
    const result = await replaceComposition(db, segment.id, source, { runId: null, started: new Date(), ...(options.onChange ? { onChange: options.onChange } : {}) });
    return { added: result.entered, removed: result.left, size: result.size };
  }
  const ids = 'ids' in source ? [...source.ids] : (await db.query<{ id: string }>(`SELECT DISTINCT id FROM (${source.sql}) q`, source.params)).map((r) => r.id);
  const added = await addMembers(db, segment, ids, options.onChange);
  return { added, removed: 0, size: await segmentSize(db, ALL_PARTNERS, segment) };
}
