import { scopedMemberIds } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';
import { AppError } from '../../errors/app-error.js';
import type { Database } from '../../storage/database.js';
import { sql, type Sql } from '../../sql/sql.js';
import { compositionQuery } from '../segments/membership-source.js';
import type { Segment, SegmentKind } from '../segments/segment.schema.js';
import { getSegment } from '../segments/segments.repository.js';

/** How reports find a segment and its members. */

export interface SegmentNeeds {
  readonly kind?: SegmentKind;
  /** Reads stored compositions (periodic or manual segments only). */
  readonly stored?: boolean;
}

export async function reportSegment(db: Database, report: string, id: string, needs: SegmentNeeds = {}): Promise<Segment> {
  const segment = await getSegment(db, id);
  if (needs.kind && segment.kind !== needs.kind) throw new AppError('REPORT_SEGMENT_KIND', { report, expected: needs.kind, id, kind: segment.kind });
  if (needs.stored && segment.method === 'dynamic') throw new AppError('REPORT_SEGMENT_NOT_STORED', { report, id });
  return segment;
}

/**
 * A segment's members as a query of ids: a stored segment's current list (or, with
 * `membersAsOf`, its list at the end of that day, from its history); a dynamic segment's rule
 * evaluated on `asOf` (today when absent). Of a partner segment, the members the scope sees.
 */
export const reportMembers = async (db: Database, scope: PartnerScope, segment: Segment, asOf: string | undefined, membersAsOf?: string): Promise<Sql> =>
  scopedMemberIds(scope, segment.kind, sql.embed(await compositionQuery(db, segment, segment.method === 'dynamic' ? asOf : membersAsOf)));

/** The table of a segment kind's members: names are read from it. */
export const memberTable = (kind: SegmentKind): string => (kind === 'product' ? 'products' : 'partners');
