import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import { rebuildInOrder } from '../segments/batch-refresh.js';
import type { Segment } from '../segments/segment.schema.js';
import { dropUnusedCumulativeSegments } from './cumulative-cleanup.js';
import { ensureCumulativeSegment, type SegmentNameLanguage } from './cumulative-segments.js';
import { cumulativeSpec, segmentsOf, type DiscountConditionInput } from './discount-conditions.js';
import { requireStoredSegment } from './segment-guard.js';
import { bumpTermsRevision } from './terms-revision.js';
import { column, newTermId, refuseExisting, stamp, termTable } from './term-store.js';
import type { CombineMode } from './combination.js';
import type { Discount, DiscountCondition, DiscountInput, DiscountPatch } from './terms.schema.js';
import { termRepository } from './term-repository.js';
import { checkValidity } from './validity.js';
import type { SegmentService } from '../segments/segments.service.js';
import { sql } from '../../sql/sql.js';

/**
 * Discounts and markups (SPEC §5): a percent (negative: a markup), conditions that must all hold,
 * validity (own dates and/or a marketing campaign's period) and how it combines with others.
 */

export const DISCOUNTS_TABLE = termTable<Discount>('discounts', 'discount', {
  id: column.text('id'),
  name: column.text('name'),
  description: column.nullableText('description'),
  percent: column.decimal('percent'),
  conditions: column.json<DiscountCondition[]>('conditions', []),
  combine: column.oneOf<CombineMode>('combine'),
  priority: column.integer('priority'),
  campaignId: column.nullableText('campaign_id'),
  validFrom: column.nullableDate('valid_from'),
  validTo: column.nullableDate('valid_to'),
  active: column.boolean('active'),
  tableId: column.nullableText('table_id'),
  createdAt: column.timestamp('created_at'),
  updatedAt: column.timestamp('updated_at'),
});

/** Creating and changing a discount resolves its conditions first (below); storage is the shared one. */
const discounts = termRepository<Discount>({ table: DISCOUNTS_TABLE, idPrefix: 'discount', segmentsOf: (d) => segmentsOf(d.conditions) });

export async function listDiscounts(db: Queryable, filter: { tableId?: string; segmentId?: string } = {}): Promise<Discount[]> {
  if (filter.segmentId) {
    const found = await discounts.list(db, sql`id IN (SELECT term_id FROM term_segment_refs WHERE term_kind = 'discount' AND segment_id = ${filter.segmentId})`);
    return found.filter((d) => !filter.tableId || d.tableId === filter.tableId);
  }
  if (filter.tableId) return discounts.list(db, sql`table_id = ${filter.tableId}`);
  return discounts.list(db);
}

export const getDiscount = (db: Queryable, id: string): Promise<Discount> => discounts.get(db, id);

export interface ResolveOptions {
  /** For messages: 'discount "Birthday"'. */
  readonly usage: string;
  readonly language: SegmentNameLanguage;
}

/**
 * Conditions as given → conditions as stored: every segment checked by the shared guard (no
 * dynamic, archived, missing or wrong-kind segment), a cumulative condition bound to its
 * periodic segment (created when missing). Returns the segments it created.
 */
export async function resolveConditions(
  segments: SegmentService,
  inputs: readonly DiscountConditionInput[],
  options: ResolveOptions,
): Promise<{ conditions: DiscountCondition[]; createdSegments: Segment[] }> {
  const { db } = segments;
  const conditions: DiscountCondition[] = [];
  const createdSegments: Segment[] = [];
  for (const [i, input] of inputs.entries()) {
    const usage = `${options.usage} (condition ${i + 1}, ${input.kind})`;
    switch (input.kind) {
      case 'partnerInSegment':
        await requireStoredSegment(db, input.segment, { usage, kind: 'partner' });
        conditions.push({ kind: 'partnerInSegment', segment: input.segment });
        break;
      case 'productInSegment':
        await requireStoredSegment(db, input.segment, { usage, kind: 'product' });
        conditions.push({ kind: 'productInSegment', segment: input.segment });
        break;
      case 'cumulative': {
        const spec = cumulativeSpec(input);
        const { segment, created } = await ensureCumulativeSegment(segments, spec, { usage, language: options.language });
        if (created) createdSegments.push(segment);
        conditions.push({ kind: 'cumulative', ...spec, segment: segment.id });
        break;
      }
      case 'birthday':
        conditions.push({ kind: 'birthday', withinDays: input.withinDays ?? 0 });
        break;
      case 'orderAmount':
        conditions.push({ kind: 'orderAmount', min: input.min });
        break;
    }
  }
  return { conditions, createdSegments };
}

/** Writes a discount (new or changed) with its segment references; call inside a transaction. */
export const writeDiscount = (tx: Queryable, discount: Discount, isNew: boolean): Promise<void> => discounts.write(tx, discount, isNew);

export const removeDiscount = (tx: Queryable, id: string): Promise<void> => discounts.erase(tx, id);

export interface SaveDiscountOptions {
  /** Generate the cumulative segments created for it at once (default), so it works on the next order. */
  readonly generate?: boolean;
  readonly language?: SegmentNameLanguage;
}

export interface SavedDiscount {
  readonly discount: Discount;
  /** Periodic segments created for its cumulative conditions. */
  readonly createdSegments: readonly Segment[];
  /** Cumulative segments deleted because nothing uses them any more. */
  readonly droppedSegments: readonly string[];
}

async function refuseBadValidity(
  db: Queryable,
  input: { campaignId?: string | null | undefined; validFrom?: string | null | undefined; validTo?: string | null | undefined },
  usage: string,
): Promise<void> {
  const problem = await checkValidity(db, { campaignId: input.campaignId ?? null, validFrom: input.validFrom ?? null, validTo: input.validTo ?? null }, usage);
  if (problem) throw new AppError('TERM_INVALID', { entity: 'discount', summary: problem, path: 'validTo' });
}

export async function createDiscount(segments: SegmentService, input: DiscountInput, options: SaveDiscountOptions = {}): Promise<SavedDiscount> {
  const { db } = segments;
  const id = input.id ?? newTermId('discount');
  await refuseExisting(db, DISCOUNTS_TABLE.spec, id);
  const usage = `discount "${input.name}"`;
  await refuseBadValidity(db, input, usage);
  const { conditions, createdSegments } = await resolveConditions(segments, input.conditions ?? [], { usage, language: options.language ?? 'ru' });
  const now = stamp();
  const discount: Discount = {
    id,
    name: input.name,
    description: input.description ?? null,
    percent: input.percent,
    conditions,
    combine: input.combine ?? 'max',
    priority: input.priority ?? 0,
    campaignId: input.campaignId ?? null,
    validFrom: input.validFrom ?? null,
    validTo: input.validTo ?? null,
    active: input.active ?? true,
    tableId: null,
    createdAt: now,
    updatedAt: now,
  };
  await db.transaction(async (tx) => {
    await writeDiscount(tx, discount, true);
    await bumpTermsRevision(tx);
  });
  if (options.generate !== false && createdSegments.length)
    await rebuildInOrder(
      db,
      createdSegments.map((s) => s.id),
      'api',
    );
  return { discount: await getDiscount(db, id), createdSegments, droppedSegments: [] };
}

export async function updateDiscount(segments: SegmentService, id: string, patch: DiscountPatch, options: SaveDiscountOptions = {}): Promise<SavedDiscount> {
  const { db } = segments;
  const current = await getDiscount(db, id);
  const name = patch.name ?? current.name;
  const usage = `discount "${name}"`;
  const validity = {
    campaignId: patch.campaignId !== undefined ? patch.campaignId : current.campaignId,
    validFrom: patch.validFrom !== undefined ? patch.validFrom : current.validFrom,
    validTo: patch.validTo !== undefined ? patch.validTo : current.validTo,
  };
  await refuseBadValidity(db, validity, usage);
  let conditions = current.conditions;
  let createdSegments: Segment[] = [];
  if (patch.conditions !== undefined) {
    ({ conditions, createdSegments } = await resolveConditions(segments, patch.conditions, { usage, language: options.language ?? 'ru' }));
  }
  const next: Discount = {
    ...current,
    name,
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.percent !== undefined ? { percent: patch.percent } : {}),
    ...(patch.combine !== undefined ? { combine: patch.combine } : {}),
    ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
    ...validity,
    conditions,
    updatedAt: stamp(),
  };
  await db.transaction(async (tx) => {
    await writeDiscount(tx, next, false);
    await bumpTermsRevision(tx);
  });
  if (options.generate !== false && createdSegments.length)
    await rebuildInOrder(
      db,
      createdSegments.map((s) => s.id),
      'api',
    );
  const droppedSegments = await dropUnusedCumulativeSegments(segments, cumulativeSegmentsOf(current.conditions));
  return { discount: await getDiscount(db, id), createdSegments, droppedSegments };
}

export const cumulativeSegmentsOf = (conditions: readonly DiscountCondition[]): string[] => conditions.flatMap((c) => (c.kind === 'cumulative' ? [c.segment] : []));

/** Deletes a discount; the cumulative segments made for it go too when nothing else uses them. */
export async function deleteDiscount(segments: SegmentService, id: string): Promise<{ droppedSegments: string[] }> {
  const { db } = segments;
  const current = await getDiscount(db, id);
  await db.transaction(async (tx) => {
    await removeDiscount(tx, id);
    await bumpTermsRevision(tx);
  });
  return { droppedSegments: await dropUnusedCumulativeSegments(segments, cumulativeSegmentsOf(current.conditions)) };
}
