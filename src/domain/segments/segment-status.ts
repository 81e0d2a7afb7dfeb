import type { PartnerScope } from '../access/principal.js';
import type { Database } from '../../storage/database.js';
import { isRebuilding } from './rebuild.js';
import { segmentSize } from './member-pages.js';
import { latestRuns } from './runs.js';
import type { SegmentStatus } from './segment-api.schema.js';
import { nextRun } from '../../scheduling/schedule.js';
import type { Segment } from './segment.schema.js';

/** What the segment list shows per segment: size, last run, next run, status. */
export type { SegmentStatus } from './segment-api.schema.js';

/** The state of each segment; a partner segment's size counts the members the scope sees. */
export async function segmentStatuses(db: Database, scope: PartnerScope, segments: readonly Segment[]): Promise<Map<string, SegmentStatus>> {
  const runs = await latestRuns(db);
  const result = new Map<string, SegmentStatus>();
  for (const segment of segments) {
    const lastRun = runs.get(segment.id) ?? null;
    const stored = segment.method !== 'dynamic';
    // Dynamic sizes cost a full evaluation; the list shows them only for stored segments.
    const size = stored ? await segmentSize(db, scope, segment) : null;
    const next = segment.method === 'periodic' && segment.schedule && !segment.archived ? nextRun(segment.schedule, lastRun ? new Date(lastRun.startedAt) : null) : null;
    const status: SegmentStatus['status'] = segment.archived
      ? 'archived'
      : isRebuilding(segment.id)
        ? 'generating'
        : !stored
          ? 'computed on read'
          : lastRun?.status === 'failed'
            ? 'failed'
            : segment.method === 'periodic' && !lastRun
              ? 'never generated'
              : 'ready';
    result.set(segment.id, { size, lastRun, nextRunAt: next ? next.toISOString() : null, status });
  }
  return result;
}
