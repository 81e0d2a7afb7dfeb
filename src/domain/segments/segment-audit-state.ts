import { ALL_PARTNERS } from '../access/principal.js';
import type { Database } from '../../storage/database.js';
import { segmentSize } from './member-pages.js';
import { getSegment } from './segments.repository.js';

/** A segment as the audit log keeps it (docs/security.md#audit-log): its definition, and the size of a stored composition. */
export async function segmentAuditState(db: Database, id: string): Promise<unknown> {
  const segment = await getSegment(db, id);
  return { ...segment, size: segment.method === 'dynamic' ? null : await segmentSize(db, ALL_PARTNERS, segment) };
}
