import { z } from 'zod';
import type { Database, Queryable, Row } from '../../storage/database.js';
import { requireStoredSegment } from './segment-guard.js';
import { clearSegmentRefs, installTermsGuards, setSegmentRefs } from './segment-refs.js';
import { bumpTermsRevision } from './terms-revision.js';
import {
  bool,
  deleteRow,
  getRow,
  insertRow,
  newTermId,
  nullableText,
  refuseExisting,
  selectRows,
  stamp,
  termIdSchema,
  text,
  updateRow,
  type TableSpec,
} from './term-store.js';

/**
 * Shipment bans (SPEC §5): the partners of a stored segment — typically "overdue receivables",
 * a periodic segment over `settlements.overdueReceivable` — may not be shipped to. The order
 * check reads the stored composition; the ban is as current as the segment's last generation.
 */

export const shipmentBanInputSchema = z.object({
  id: termIdSchema.optional(),
  name: z.string().trim().min(1).max(200),
  segmentId: z.string().min(1).describe('The partner segment (periodic or manual) whose partners may not be shipped to'),
  reason: z.string().max(1000).nullable().optional().describe('Shown with the refusal, e.g. "overdue receivables"'),
  active: z.boolean().optional(),
});
export type ShipmentBanInput = z.output<typeof shipmentBanInputSchema>;

export const shipmentBanPatchSchema = shipmentBanInputSchema.omit({ id: true }).partial();
export type ShipmentBanPatch = z.output<typeof shipmentBanPatchSchema>;

export interface ShipmentBan {
  readonly id: string;
  readonly name: string;
  readonly segmentId: string;
  readonly reason: string | null;
  readonly active: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const shipmentBanSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    segmentId: z.string(),
    reason: z.string().nullable(),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ShipmentBan' });

const SPEC: TableSpec = {
  table: 'shipment_bans',
  kind: 'shipmentBan',
  columns: { id: 'text', name: 'text', segment_id: 'text', reason: 'text', active: 'boolean', created_at: 'timestamp', updated_at: 'timestamp' },
};

const fromRow = (row: Row): ShipmentBan => ({
  id: text(row, 'id'),
  name: text(row, 'name'),
  segmentId: text(row, 'segment_id'),
  reason: nullableText(row, 'reason'),
  active: bool(row, 'active'),
  createdAt: text(row, 'created_at'),
  updatedAt: text(row, 'updated_at'),
});

const toRow = (b: ShipmentBan) => ({
  id: b.id,
  name: b.name,
  segment_id: b.segmentId,
  reason: b.reason,
  active: b.active,
  created_at: b.createdAt.replace('T', ' ').replace('Z', ''),
  updated_at: b.updatedAt.replace('T', ' ').replace('Z', ''),
});

export async function listShipmentBans(db: Queryable): Promise<ShipmentBan[]> {
  return (await selectRows(db, SPEC)).map(fromRow);
}

export async function getShipmentBan(db: Queryable, id: string): Promise<ShipmentBan> {
  return fromRow(await getRow(db, SPEC, id));
}

async function write(db: Database, ban: ShipmentBan, isNew: boolean): Promise<ShipmentBan> {
  await requireStoredSegment(db, ban.segmentId, { usage: `shipment ban "${ban.name}"`, kind: 'partner' });
  await db.transaction(async (tx) => {
    if (isNew) await insertRow(tx, SPEC, toRow(ban));
    else await updateRow(tx, SPEC, ban.id, toRow(ban));
    await setSegmentRefs(tx, 'shipmentBan', ban.id, ban.name, [ban.segmentId]);
    await bumpTermsRevision(tx);
  });
  return getShipmentBan(db, ban.id);
}

export async function createShipmentBan(db: Database, input: ShipmentBanInput): Promise<ShipmentBan> {
  installTermsGuards();
  const id = input.id ?? newTermId('ban');
  await refuseExisting(db, SPEC, id);
  const now = stamp();
  return write(db, { id, name: input.name, segmentId: input.segmentId, reason: input.reason ?? null, active: input.active ?? true, createdAt: now, updatedAt: now }, true);
}

export async function updateShipmentBan(db: Database, id: string, patch: ShipmentBanPatch): Promise<ShipmentBan> {
  installTermsGuards();
  const current = await getShipmentBan(db, id);
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<ShipmentBan>;
  return write(db, { ...current, ...defined, updatedAt: stamp() }, false);
}

export async function deleteShipmentBan(db: Database, id: string): Promise<void> {
  await getShipmentBan(db, id);
  await db.transaction(async (tx) => {
    await deleteRow(tx, SPEC, id);
    await clearSegmentRefs(tx, 'shipmentBan', id);
    await bumpTermsRevision(tx);
  });
}
