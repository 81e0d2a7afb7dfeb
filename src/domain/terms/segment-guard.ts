import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import type { Segment, SegmentKind } from '../segments/segment.schema.js';
import { findSegment } from '../segments/segments.repository.js';

/**
 * The one check every sales term makes on a segment it is about to use (SPEC §2, §5):
 * agreements, discounts, price rules, shipment bans and manual-discount limits read stored
 * compositions at order time, so a dynamic segment — computed on read, never stored — is
 * refused, and so are missing, archived and wrong-kind segments.
 */
export interface SegmentUsage {
  /** What wants the segment, for the message: 'discount "Birthday" (condition 2)'. */
  readonly usage: string;
  /** The kind the use needs: partners for agreements and bans, products for product conditions. */
  readonly kind: SegmentKind;
}

export async function requireStoredSegment(db: Queryable, segmentId: string, use: SegmentUsage): Promise<Segment> {
  const segment = await findSegment(db, segmentId);
  if (!segment) throw new AppError('SEGMENT_REFERENCE_MISSING', { id: segmentId, usage: use.usage });
  const about = { id: segment.id, name: segment.name, usage: use.usage };
  if (segment.method === 'dynamic') throw new AppError('SEGMENT_DYNAMIC_NOT_ALLOWED', { ...about, method: segment.method });
  if (segment.archived) throw new AppError('SEGMENT_ARCHIVED_NOT_ALLOWED', about);
  if (segment.kind !== use.kind) throw new AppError('SEGMENT_KIND_NOT_ALLOWED', { ...about, kind: segment.kind, expected: use.kind });
  return segment;
}
