import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import type { Database } from '../../storage/database.js';
import { requirePriceType } from './price-types.js';
import { requireStoredSegment } from './segment-guard.js';
import { column, termTable } from './term-store.js';
import type { Agreement, AgreementInput, AgreementPatch } from './terms.schema.js';
import { termRepository } from './term-repository.js';
import { checkValidity } from './validity.js';

/**
 * Agreements — standard sales terms (1C's "типовые соглашения с клиентами"): who they are
 * open to (a stored partner segment, never a dynamic one; or everyone), a price type (one that
 * exists), a discount, a priority, validity. An order is priced under the agreement it names or,
 * naming none, the one chosen for the partner (agreement-choice.ts): its price type prices lines
 * without a price, its discount takes part as a `max` candidate.
 */

export const AGREEMENTS_TABLE = termTable<Agreement>('agreements', 'agreement', {
  id: column.text('id'),
  name: column.text('name'),
  description: column.nullableText('description'),
  segmentId: column.nullableText('segment_id'),
  priceType: column.nullableText('price_type'),
  discountPercent: column.decimal('discount_percent'),
  priority: column.integer('priority'),
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
    if (agreement.priceType !== null) await requirePriceType(db, agreement.priceType, usage);
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
    priority: input.priority ?? 0,
    campaignId: input.campaignId ?? null,
    validFrom: input.validFrom ?? null,
    validTo: input.validTo ?? null,
    active: input.active ?? true,
    createdAt: now,
    updatedAt: now,
  }));
}
