import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import type { Database } from '../../storage/database.js';
import { requireStoredSegment } from './segment-guard.js';
import { column, termIdSchema, termTable } from './term-store.js';
import { termRepository } from './term-repository.js';
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

export const AGREEMENTS_TABLE = termTable<Agreement>('agreements', 'agreement', {
  id: column.text('id'),
  name: column.text('name'),
  description: column.nullableText('description'),
  segmentId: column.nullableText('segment_id'),
  priceType: column.nullableText('price_type'),
  discountPercent: column.decimal('discount_percent'),
  campaignId: column.nullableText('campaign_id'),
  validFrom: column.nullableDate('valid_from'),
  validTo: column.nullableDate('valid_to'),
  active: column.boolean('active'),
  createdAt: column.timestamp('created_at'),
  updatedAt: column.timestamp('updated_at'),
});

const agreements = termRepository<Agreement>({
  table: AGREEMENTS_TABLE,
  idPrefix: 'agreement',
  segmentsOf: (a) => (a.segmentId === null ? [] : [a.segmentId]),
  async check(db, agreement) {
    const usage = `agreement "${agreement.name}"`;
    if (agreement.segmentId !== null) await requireStoredSegment(db, agreement.segmentId, { usage, kind: 'partner' });
    const problem = await checkValidity(db, agreement, usage);
    if (problem) throw new AppError('TERM_INVALID', { entity: 'agreement', summary: problem, path: 'validTo' });
  },
});

export const listAgreements = (db: Queryable): Promise<Agreement[]> => agreements.list(db);
export const getAgreement = (db: Queryable, id: string): Promise<Agreement> => agreements.get(db, id);
export const updateAgreement = (db: Database, id: string, patch: AgreementPatch): Promise<Agreement> => agreements.update(db, id, patch);
export const deleteAgreement = (db: Database, id: string): Promise<void> => agreements.delete(db, id);

export function createAgreement(db: Database, input: AgreementInput): Promise<Agreement> {
  return agreements.create(db, input.id, (id, now) => ({
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
  }));
}
