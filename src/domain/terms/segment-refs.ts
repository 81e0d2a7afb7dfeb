import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import type { Segment } from '../segments/segment.schema.js';
import type { SegmentUse } from '../segments/segments.service.js';
import { bumpTermsRevision } from './terms-revision.js';
import type { TermKind } from './term-store.js';
import { sql } from '../../sql/sql.js';

/**
 * Which segments each sales term uses, kept in `term_segment_refs` as the terms are saved, so
 * "where is this segment used" is one indexed query and a used segment cannot be deleted or
 * archived (SPEC §2: a segment in use cannot be deleted).
 */

export async function setSegmentRefs(tx: Queryable, kind: TermKind, termId: string, termName: string, segmentIds: readonly string[]): Promise<void> {
  await clearSegmentRefs(tx, kind, termId);
  for (const segmentId of new Set(segmentIds)) {
    await tx.run(sql`INSERT INTO term_segment_refs (term_kind, term_id, term_name, segment_id) VALUES (${kind}, ${termId}, ${termName}, ${segmentId})`);
  }
}

export async function clearSegmentRefs(tx: Queryable, kind: TermKind, termId: string): Promise<void> {
  await tx.run(sql`DELETE FROM term_segment_refs WHERE term_kind = ${kind} AND term_id = ${termId}`);
}

export async function termsUsingSegment(db: Queryable, segmentId: string): Promise<SegmentUse[]> {
  const rows = await db.query<{ term_kind: string; term_id: string; term_name: string }>(
    sql`SELECT term_kind, term_id, term_name FROM term_segment_refs WHERE segment_id = ${segmentId} ORDER BY term_kind, term_id`,
  );
  return rows.map((r) => ({ kind: r.term_kind, id: r.term_id, name: r.term_name }));
}

export const describeUses = (uses: readonly SegmentUse[]): string => uses.map((u) => `${u.kind} "${u.name}"`).join(', ');

/**
 * Refuses archiving a segment that sales terms read; bumps the terms revision when one of their
 * segments changes. Subscribed to 'segment.changing' in the composition root.
 */
export async function guardSegmentChange(db: Queryable, before: Segment, after: Segment): Promise<void> {
  const uses = await termsUsingSegment(db, before.id);
  if (uses.length === 0) return;
  if (after.archived && !before.archived) {
    throw new AppError('SEGMENT_USED_BY_TERMS', { id: before.id, usedBy: uses, list: describeUses(uses) });
  }
  // Pricing shows segment names from its cached terms: a rename must reach it.
  await bumpTermsRevision(db);
}
