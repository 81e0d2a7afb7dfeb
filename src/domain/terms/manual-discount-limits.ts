import { z } from 'zod';
import type { Database, Queryable, Row } from '../../storage/database.js';
import { requireStoredSegment } from './segment-guard.js';
import { clearSegmentRefs, installTermsGuards, setSegmentRefs } from './segment-refs.js';
import { bumpTermsRevision } from './terms-revision.js';
import {
  deleteRow,
  getRow,
  insertRow,
  newTermId,
  nullableText,
  num,
  refuseExisting,
  selectRows,
  stamp,
  termIdSchema,
  text,
  updateRow,
  type TableSpec,
} from './term-store.js';

/**
 * Limits of manual discount per segment (SPEC §5): the largest percent a manager may give by
 * hand to the partners of a stored segment. Which limit applies to a partner:
 * the largest limit among the segments the partner is in; if none, the default limit (one
 * without a segment) if there is one; otherwise manual discounts are not limited.
 */

export const manualDiscountLimitInputSchema = z.object({
  id: termIdSchema.optional(),
  name: z.string().trim().min(1).max(200),
  segmentId: z.string().min(1).nullable().optional().describe('The partner segment (periodic or manual); null: the default for partners in no limited segment'),
  maxPercent: z.number().min(0).max(100).describe('The largest manual discount allowed, percent'),
});
export type ManualDiscountLimitInput = z.output<typeof manualDiscountLimitInputSchema>;

export const manualDiscountLimitPatchSchema = manualDiscountLimitInputSchema.omit({ id: true }).partial();
export type ManualDiscountLimitPatch = z.output<typeof manualDiscountLimitPatchSchema>;

export interface ManualDiscountLimit {
  readonly id: string;
  readonly name: string;
  readonly segmentId: string | null;
  readonly maxPercent: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const manualDiscountLimitSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    segmentId: z.string().nullable(),
    maxPercent: z.number(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ManualDiscountLimit' });

const SPEC: TableSpec = {
  table: 'manual_discount_limits',
  kind: 'manualDiscountLimit',
  columns: { id: 'text', name: 'text', segment_id: 'text', max_percent: 'decimal', created_at: 'timestamp', updated_at: 'timestamp' },
};

const fromRow = (row: Row): ManualDiscountLimit => ({
  id: text(row, 'id'),
  name: text(row, 'name'),
  segmentId: nullableText(row, 'segment_id'),
  maxPercent: num(row, 'max_percent'),
  createdAt: text(row, 'created_at'),
  updatedAt: text(row, 'updated_at'),
});

const toRow = (l: ManualDiscountLimit) => ({
  id: l.id,
  name: l.name,
  segment_id: l.segmentId,
  max_percent: l.maxPercent,
  created_at: l.createdAt.replace('T', ' ').replace('Z', ''),
  updated_at: l.updatedAt.replace('T', ' ').replace('Z', ''),
});

export async function listManualDiscountLimits(db: Queryable): Promise<ManualDiscountLimit[]> {
  return (await selectRows(db, SPEC)).map(fromRow);
}

export async function getManualDiscountLimit(db: Queryable, id: string): Promise<ManualDiscountLimit> {
  return fromRow(await getRow(db, SPEC, id));
}

async function write(db: Database, limit: ManualDiscountLimit, isNew: boolean): Promise<ManualDiscountLimit> {
  if (limit.segmentId !== null) await requireStoredSegment(db, limit.segmentId, { usage: `manual discount limit "${limit.name}"`, kind: 'partner' });
  await db.transaction(async (tx) => {
    if (isNew) await insertRow(tx, SPEC, toRow(limit));
    else await updateRow(tx, SPEC, limit.id, toRow(limit));
    await setSegmentRefs(tx, 'manualDiscountLimit', limit.id, limit.name, limit.segmentId === null ? [] : [limit.segmentId]);
    await bumpTermsRevision(tx);
  });
  return getManualDiscountLimit(db, limit.id);
}

export async function createManualDiscountLimit(db: Database, input: ManualDiscountLimitInput): Promise<ManualDiscountLimit> {
  installTermsGuards();
  const id = input.id ?? newTermId('limit');
  await refuseExisting(db, SPEC, id);
  const now = stamp();
  return write(db, { id, name: input.name, segmentId: input.segmentId ?? null, maxPercent: input.maxPercent, createdAt: now, updatedAt: now }, true);
}

export async function updateManualDiscountLimit(db: Database, id: string, patch: ManualDiscountLimitPatch): Promise<ManualDiscountLimit> {
  installTermsGuards();
  const current = await getManualDiscountLimit(db, id);
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<ManualDiscountLimit>;
  return write(db, { ...current, ...defined, updatedAt: stamp() }, false);
}

export async function deleteManualDiscountLimit(db: Database, id: string): Promise<void> {
  await getManualDiscountLimit(db, id);
  await db.transaction(async (tx) => {
    await deleteRow(tx, SPEC, id);
    await clearSegmentRefs(tx, 'manualDiscountLimit', id);
    await bumpTermsRevision(tx);
  });
}

/** The limit that applies to a partner in these segments (see the module comment), or null when unlimited. */
export function limitFor(limits: readonly ManualDiscountLimit[], partnerSegments: ReadonlySet<string>): ManualDiscountLimit | null {
  const bySegment = limits
    .filter((l) => l.segmentId !== null && partnerSegments.has(l.segmentId))
    .sort((a, b) => b.maxPercent - a.maxPercent || (a.id < b.id ? -1 : 1));
  if (bySegment[0]) return bySegment[0];
  return limits.filter((l) => l.segmentId === null).sort((a, b) => b.maxPercent - a.maxPercent || (a.id < b.id ? -1 : 1))[0] ?? null;
}
