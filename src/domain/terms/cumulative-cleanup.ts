import { findSegment } from '../segments/segments.repository.js';
import type { SegmentService } from '../segments/segments.service.js';

/**
 * The periodic segments created for cumulative conditions belong to the terms that asked for
 * them: when the last discount using one is deleted (or a table no longer has the cell), the
 * segment is deleted too, unless something else — another rule, a term — uses it.
 */
export async function dropUnusedCumulativeSegments(segments: SegmentService, segmentIds: readonly string[]): Promise<string[]> {
  const { db } = segments;
  const dropped: string[] = [];
  for (const id of new Set(segmentIds)) {
    if (!id.startsWith('cum-')) continue;
    if (!(await findSegment(db, id))) continue;
    if ((await segments.uses(id)).length) continue;
    dropped.push(id);
  }
  // One transaction for all: a table's 30 segments cost one delete per table, not 30.
  await segments.deleteMany(dropped);
  return dropped;
}
