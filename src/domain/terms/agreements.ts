import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
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
  num,
  refuseExisting,
  selectRows,
  stamp,
  termIdSchema,
  text,
  updateRow,
  type TableSpec,
} from './term-store.js';
import { checkValidity, validityFields } from './validity.js';

/**
 * Agreements — standard sales terms (1C's "типовые соглашения с клиентами"): who they are
 * open to (a stored partner segment, never a dynamic one; or everyone), a price type, a
 * discount, validity. An order that names an agreement gets its discount as a `max` candidate.
 */

export const agreementInputSchema = z.object({
  id: termIdSchema.optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(4000).optional(),
  segmentId: z.string().nullable().optional().describe('The partner segment it is open to (periodic or manual); null: every partner'),
  priceType: z.string().max(200).nullable().optional().describe('The price type of the agreement (e.g. "wholesale")'),
  discountPercent: z.number().min(-1000).max(100).optional().describe('Discount (negative: markup) for orders under this agreement; 0 by default'),
  active: z.boolean().optional(),
  ...validityFields,
});
export type AgreementInput = z.output<typeof agreementInputSchema>;

export const agreementPatchSchema = agreementInputSchema.omit({ id: true }).partial();
export type AgreementPatch = z.output<typeof agreementPatchSchema>;

export interface Agreement {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly segmentId: string | null;
  readonly priceType: string | null;
  readonly discountPercent: number;
  readonly campaignId: string | null;
  readonly validFrom: string | null;
  readonly validTo: string | null;
  readonly active: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const agreementSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    segmentId: z.string().nullable(),
    priceType: z.string().nullable(),
    discountPercent: z.number(),
    campaignId: z.string().nullable(),
    validFrom: z.string().nullable(),
    validTo: z.string().nullable(),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Agreement' });

export const AGREEMENTS: TableSpec = {
  table: 'agreements',
  kind: 'agreement',
  columns: {
    id: 'text',
    name: 'text',
    description: 'text',
    segment_id: 'text',
    price_type: 'text',
    discount_percent: 'decimal',
    campaign_id: 'text',
    valid_from: 'date',
    valid_to: 'date',
    active: 'boolean',
    created_at: 'timestamp',
    updated_at: 'timestamp',
  },
};

export const agreementFromRow = (row: Row): Agreement => ({
  id: text(row, 'id'),
  name: text(row, 'name'),
  description: nullableText(row, 'description'),
  segmentId: nullableText(row, 'segment_id'),
  priceType: nullableText(row, 'price_type'),
  discountPercent: num(row, 'discount_percent'),
  campaignId: nullableText(row, 'campaign_id'),
  validFrom: nullableText(row, 'valid_from'),
  validTo: nullableText(row, 'valid_to'),
  active: bool(row, 'active'),
  createdAt: text(row, 'created_at'),
  updatedAt: text(row, 'updated_at'),
});

const toRow = (a: Agreement) => ({
  id: a.id,
  name: a.name,
  description: a.description,
  segment_id: a.segmentId,
  price_type: a.priceType,
  discount_percent: a.discountPercent,
  campaign_id: a.campaignId,
  valid_from: a.validFrom,
  valid_to: a.validTo,
  active: a.active,
  created_at: a.createdAt.replace('T', ' ').replace('Z', ''),
  updated_at: a.updatedAt.replace('T', ' ').replace('Z', ''),
});

export async function listAgreements(db: Queryable): Promise<Agreement[]> {
  return (await selectRows(db, AGREEMENTS)).map(agreementFromRow);
}

export async function getAgreement(db: Queryable, id: string): Promise<Agreement> {
  return agreementFromRow(await getRow(db, AGREEMENTS, id));
}

async function check(db: Queryable, agreement: Agreement): Promise<void> {
  const usage = `agreement "${agreement.name}"`;
  if (agreement.segmentId !== null) await requireStoredSegment(db, agreement.segmentId, { usage, kind: 'partner' });
  const problem = await checkValidity(db, agreement, usage);
  if (problem) throw new AppError('TERM_INVALID', { entity: 'agreement', summary: problem, path: 'validTo' });
}

async function write(db: Database, agreement: Agreement, isNew: boolean): Promise<Agreement> {
  await db.transaction(async (tx) => {
    if (isNew) await insertRow(tx, AGREEMENTS, toRow(agreement));
    else await updateRow(tx, AGREEMENTS, agreement.id, toRow(agreement));
    await setSegmentRefs(tx, 'agreement', agreement.id, agreement.name, agreement.segmentId === null ? [] : [agreement.segmentId]);
    await bumpTermsRevision(tx);
  });
  return getAgreement(db, agreement.id);
}

export async function createAgreement(db: Database, input: AgreementInput): Promise<Agreement> {
  installTermsGuards();
  const id = input.id ?? newTermId('agreement');
  await refuseExisting(db, AGREEMENTS, id);
  const now = stamp();
  const agreement: Agreement = {
    id,
    name: input.name,
    description: input.description ?? null,
    segmentId: input.segmentId ?? null,
    priceType: input.priceType ?? null,
    discountPercent: input.discountPercent ?? 0,
    campaignId: input.campaignId ?? null,
    validFrom: input.validFrom ?? null,
    validTo: input.validTo ?? null,
    active: input.active ?? true,
    createdAt: now,
    updatedAt: now,
  };
  await check(db, agreement);
  return write(db, agreement, true);
}

export async function updateAgreement(db: Database, id: string, patch: AgreementPatch): Promise<Agreement> {
  installTermsGuards();
  const current = await getAgreement(db, id);
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<Agreement>;
  const next: Agreement = { ...current, ...defined, updatedAt: stamp() };
  await check(db, next);
  return write(db, next, false);
}

export async function deleteAgreement(db: Database, id: string): Promise<void> {
  await getAgreement(db, id);
  await db.transaction(async (tx) => {
    await deleteRow(tx, AGREEMENTS, id);
    await clearSegmentRefs(tx, 'agreement', id);
    await bumpTermsRevision(tx);
  });
}
