import type { Queryable } from '../../sql/queryable.js';
import type { Database } from '../../storage/database.js';
import { requireStoredSegment } from './segment-guard.js';
import { column, termTable } from './term-store.js';
import type { ManualDiscountLimit, ManualDiscountLimitInput, ManualDiscountLimitPatch } from './terms.schema.js';
import { termRepository } from './term-repository.js';

/**
 * Limits of manual discount per segment (SPEC §5): the largest percent a manager may give by
 * hand to the partners of a stored segment. Which limit applies to a partner:
 * the largest limit among the segments the partner is in; if none, the default limit (one
 * without a segment) if there is one; otherwise manual discounts are not limited.
 */

const limits = termRepository<ManualDiscountLimit>({
  table: termTable<ManualDiscountLimit>('manual_discount_limits', 'manualDiscountLimit', {
    id: column.text('id'),
    name: column.text('name'),
    segmentId: column.nullableText('segment_id'),
    maxPercent: column.decimal('max_percent'),
    createdAt: column.timestamp('created_at'),
    updatedAt: column.timestamp('updated_at'),
  }),
  idPrefix: 'limit',
  segmentsOf: (limit) => (limit.segmentId === null ? [] : [limit.segmentId]),
  async check(db, limit) {
    if (limit.segmentId !== null) await requireStoredSegment(db, limit.segmentId, { usage: `manual discount limit "${limit.name}"`, kind: 'partner' });
  },
});

export const listManualDiscountLimits = (db: Queryable): Promise<ManualDiscountLimit[]> => limits.list(db);
export const getManualDiscountLimit = (db: Queryable, id: string): Promise<ManualDiscountLimit> => limits.get(db, id);
export const updateManualDiscountLimit = (db: Database, id: string, patch: ManualDiscountLimitPatch): Promise<ManualDiscountLimit> => limits.update(db, id, patch);
export const deleteManualDiscountLimit = (db: Database, id: string): Promise<void> => limits.delete(db, id);

export function createManualDiscountLimit(db: Database, input: ManualDiscountLimitInput): Promise<ManualDiscountLimit> {
  return limits.create(db, input.id, (id, now) => ({ id, name: input.name, segmentId: input.segmentId ?? null, maxPercent: input.maxPercent, createdAt: now, updatedAt: now }));
}

/** The limit that applies to a partner in these segments (see the module comment), or null when unlimited. */
export function limitFor(limits: readonly ManualDiscountLimit[], partnerSegments: ReadonlySet<string>): ManualDiscountLimit | null {
  const bySegment = limits.filter((l) => l.segmentId !== null && partnerSegments.has(l.segmentId)).sort((a, b) => b.maxPercent - a.maxPercent || (a.id < b.id ? -1 : 1));
  if (bySegment[0]) return bySegment[0];
  return limits.filter((l) => l.segmentId === null).sort((a, b) => b.maxPercent - a.maxPercent || (a.id < b.id ? -1 : 1))[0] ?? null;
}
