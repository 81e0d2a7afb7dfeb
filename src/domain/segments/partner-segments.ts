import { getPartner } from '../partners/partners.repository.js';
import type { Database } from '../../storage/database.js';
import { compositionQuery } from './members.js';
import type { SegmentMethod } from './segment.schema.js';
import { listSegments } from './segments.repository.js';

/** The active partner segments a partner belongs to: stored compositions read, dynamic rules evaluated for it. */
export async function partnerSegments(
  db: Database,
  partnerId: string,
  asOf?: string,
): Promise<{ id: string; name: string; method: SegmentMethod }[]> {
  await getPartner(db, partnerId);
  const result: { id: string; name: string; method: SegmentMethod }[] = [];
  for (const segment of await listSegments(db, { kind: 'partner', archived: false })) {
    const query = await compositionQuery(db, segment, asOf);
    const n = query.params.length;
    const rows = await db.query(`SELECT 1 AS hit FROM (${query.sql}) q WHERE id = $${n + 1} LIMIT 1`, [...query.params, partnerId]);
    if (rows.length) result.push({ id: segment.id, name: segment.name, method: segment.method });
  }
  return result;
}
