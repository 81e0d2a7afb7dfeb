import type { Queryable } from '../../sql/queryable.js';
import type { Database } from '../../storage/database.js';
import { requireStoredSegment } from './segment-guard.js';
import { column, termTable } from './term-store.js';
import type { ShipmentBan, ShipmentBanInput, ShipmentBanPatch } from './terms.schema.js';
import { termRepository } from './term-repository.js';

/**
 * Shipment bans (SPEC §5): the partners of a stored segment — typically "overdue receivables",
 * a periodic segment over `settlements.overdueReceivable` — may not be shipped to. The order
 * check reads the stored composition; the ban is as current as the segment's last generation.
 */

const bans = termRepository<ShipmentBan>({
  table: termTable<ShipmentBan>('shipment_bans', 'shipmentBan', {
    id: column.text('id'),
    name: column.text('name'),
    segmentId: column.text('segment_id'),
    reason: column.nullableText('reason'),
    active: column.boolean('active'),
    createdAt: column.timestamp('created_at'),
    updatedAt: column.timestamp('updated_at'),
  }),
  idPrefix: 'ban',
  segmentsOf: (ban) => [ban.segmentId],
  async check(db, ban) {
    await requireStoredSegment(db, ban.segmentId, { usage: `shipment ban "${ban.name}"`, kind: 'partner' });
  },
});

export const listShipmentBans = (db: Queryable): Promise<ShipmentBan[]> => bans.list(db);
export const getShipmentBan = (db: Queryable, id: string): Promise<ShipmentBan> => bans.get(db, id);
export const updateShipmentBan = (db: Database, id: string, patch: ShipmentBanPatch): Promise<ShipmentBan> => bans.update(db, id, patch);
export const deleteShipmentBan = (db: Database, id: string): Promise<void> => bans.delete(db, id);

export function createShipmentBan(db: Database, input: ShipmentBanInput): Promise<ShipmentBan> {
  return bans.create(db, input.id, (id, now) => ({ id, name: input.name, segmentId: input.segmentId, reason: input.reason ?? null, active: input.active ?? true, createdAt: now, updatedAt: now }));
}
