import { z } from 'zod';
import { addDays, isLeapYear } from '../../rules/calendar.js';
import { CUMULATIVE_MEASURES, THRESHOLD_OPS } from './discount-vocabulary.js';
import type { DiscountCondition } from './terms.schema.js';

export type { DiscountCondition };

/**
 * The conditions of a discount or markup (SPEC §5), all of which must hold (AND):
 * - `partnerInSegment`: the partner is in a stored partner segment;
 * - `productInSegment`: the line's product is in a stored product segment (per line);
 * - `cumulative`: the partner's purchases (of a product segment, over the last N months) reach
 *   a threshold — kept current by a periodic segment the discount creates and reads (seed 002);
 * - `birthday`: the partner's birthday falls within N days from the order date;
 * - `orderAmount`: the order's amount before discounts is at least N.
 */

export { CUMULATIVE_MEASURES, THRESHOLD_OPS, type CumulativeMeasure } from './discount-vocabulary.js';

const segmentId = z.string().min(1).max(80);

const cumulativeFields = {
  kind: z.literal('cumulative'),
  measure: z.enum(CUMULATIVE_MEASURES).optional().describe('What is summed; sales.revenue when left out'),
  months: z.number().int().min(1).max(600).nullable().optional().describe('Over the last N months; all time when null or left out'),
  productSegment: segmentId.nullable().optional().describe('Only purchases of products in this product segment'),
  op: z.enum(THRESHOLD_OPS).optional().describe('gte ("from 10,000", the default) or gt ("over 10,000")'),
  threshold: z.number().min(0),
};

export const discountConditionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('partnerInSegment'), segment: segmentId.describe('A periodic or manual partner segment') }),
  z.object({ kind: z.literal('productInSegment'), segment: segmentId.describe('A periodic or manual product segment') }),
  z.object({ ...cumulativeFields, segment: segmentId.optional().describe('Set by the server: the periodic segment that keeps this condition') }),
  z.object({
    kind: z.literal('birthday'),
    withinDays: z.number().int().min(0).max(366).optional().describe('The birthday is within N days from the order date; 0 (today) when left out'),
  }),
  z.object({ kind: z.literal('orderAmount'), min: z.number().min(0).describe('The order amount before discounts is at least this') }),
]);
export type DiscountConditionInput = z.output<typeof discountConditionSchema>;

export type CumulativeCondition = Extract<DiscountCondition, { kind: 'cumulative' }>;
export type CumulativeSpec = Omit<CumulativeCondition, 'segment' | 'kind'>;

export const cumulativeSpec = (input: Extract<DiscountConditionInput, { kind: 'cumulative' }>): CumulativeSpec => ({
  measure: input.measure ?? 'sales.revenue',
  months: input.months ?? null,
  productSegment: input.productSegment ?? null,
  op: input.op ?? 'gte',
  threshold: input.threshold,
});

/** The partner segments a condition list reads (membership of the partner). */
export const partnerSegmentsOf = (conditions: readonly DiscountCondition[]): string[] => conditions.flatMap((c) => (c.kind === 'partnerInSegment' || c.kind === 'cumulative' ? [c.segment] : []));

/** The product segments a condition list reads (membership of each line's product). */
export const productSegmentsOf = (conditions: readonly DiscountCondition[]): string[] => conditions.flatMap((c) => (c.kind === 'productInSegment' ? [c.segment] : []));

/** Every segment the conditions depend on, for the usage list: including a cumulative condition's product segment. */
export const segmentsOf = (conditions: readonly DiscountCondition[]): string[] => [
  ...new Set([...partnerSegmentsOf(conditions), ...productSegmentsOf(conditions), ...conditions.flatMap((c) => (c.kind === 'cumulative' && c.productSegment ? [c.productSegment] : []))]),
];

/**
 * Some day from `date` to `date + withinDays` is the anniversary of `birthDate`; a February 29
 * birthday falls on February 28 in common years — the same meaning as the rule language's
 * `anniversaryWithin`.
 */
export function birthdayWithin(birthDate: string, date: string, withinDays: number): boolean {
  const month = birthDate.slice(5, 7);
  const day = birthDate.slice(8, 10);
  for (let i = 0; i <= withinDays; i++) {
    const d = i === 0 ? date : addDays(date, i);
    const m = d.slice(5, 7);
    const dd = d.slice(8, 10);
    if (m === month && dd === day) return true;
    if (month === '02' && day === '29' && m === '02' && dd === '28' && !isLeapYear(Number(d.slice(0, 4)))) return true;
  }
  return false;
}
