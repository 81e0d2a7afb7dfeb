import { z } from 'zod';
import { COMBINE_MODES } from './combination.js';
import { priceSourceSchema, priceTypeBriefSchema } from './prices.schema.js';
import { isoDateSchema } from './terms.schema.js';

/** An order as pricing and the shipment check take it, and the answers they give. */

/**
 * Bounds that keep a line's amount exact to the kopeck in a double (below 2^53 / 100 ≈ 9·10^13):
 * 1e308 once overflowed to Infinity and the line was priced 0.
 */
export const ORDER_LIMITS = { quantity: 1_000_000_000, price: 1_000_000_000_000, amount: 10_000_000_000_000 } as const;

export const orderLineSchema = z
  .object({
    productId: z.string().min(1).max(200),
    quantity: z.number().positive().max(ORDER_LIMITS.quantity),
    price: z.number().min(0).max(ORDER_LIMITS.price).optional().describe("Price of one unit before discounts (a manual price); left out: the price of the order's price type on the order date"),
  })
  .refine((line) => line.price === undefined || line.quantity * line.price <= ORDER_LIMITS.amount, {
    message: `quantity × price is over ${ORDER_LIMITS.amount.toLocaleString('en')}`,
    path: ['price'],
  });

const orderFields = {
  partnerId: z.string().min(1),
  date: isoDateSchema.optional().describe('The order date (validity, campaigns, birthdays); today when left out'),
  agreementId: z
    .string()
    .min(1)
    .optional()
    .describe('An agreement open to the partner (its price type prices lines without a price; its discount takes part as a max discount); left out: the one chosen by priority'),
  manualDiscount: z.number().min(0).max(100).optional().describe('A manual discount, percent, added to every line; checked against the limit'),
};

export const orderSchema = z.object({ ...orderFields, lines: z.array(orderLineSchema).min(1).max(10_000) });
export type Order = z.output<typeof orderSchema>;

export const orderCheckSchema = z.object({ ...orderFields, lines: z.array(orderLineSchema).max(10_000).optional() });
export type OrderCheckRequest = z.output<typeof orderCheckSchema>;

const appliedRuleSchema = z.object({
  discountId: z.string().describe('The discount (or agreement) id'),
  source: z.enum(['discount', 'agreement']),
  name: z.string(),
  percent: z.number(),
  combine: z.enum(COMBINE_MODES),
  priority: z.number(),
  segmentId: z.string().nullable().describe('The partner segment behind it (first partner-segment or cumulative condition)'),
  segmentName: z.string().nullable(),
  productSegmentId: z.string().nullable().describe('The product segment behind it, for product conditions'),
  campaignId: z.string().nullable(),
  tableId: z.string().nullable(),
});
export type AppliedRule = z.output<typeof appliedRuleSchema>;

export const pricedLineSchema = z.object({
  line: z.number().int().describe('1-based position in the order'),
  productId: z.string(),
  quantity: z.number(),
  price: z.number().describe('The unit price used'),
  priceSource: z.enum(['manual', 'priceType']).describe("manual: the order gave it; priceType: taken from the order's price type"),
  priceType: priceTypeBriefSchema.nullable().describe('The price type it was taken from (null for a manual price)'),
  priceRow: priceSourceSchema.nullable().describe('The prices-history row used (a derived type: the row of the type it is computed from)'),
  amount: z.number().describe('quantity × price, rounded to 0.01'),
  automaticPercent: z.number().describe('From the discounts and the agreement, combined'),
  manualPercent: z.number(),
  discountPercent: z.number().describe('automatic + manual, at most 100'),
  discountAmount: z.number(),
  amountAfterDiscount: z.number(),
  rule: appliedRuleSchema.nullable().describe('The rule that gave the line its discount (the main one when several apply)'),
  applied: z.array(appliedRuleSchema).describe('Every rule that makes the percent: the main one, then those added (sum)'),
  overridden: z.array(z.object({ discountId: z.string(), name: z.string(), percent: z.number(), combine: z.enum(COMBINE_MODES) })).describe('Rules that applied but lost'),
});
export type PricedLine = z.output<typeof pricedLineSchema>;

export const manualDiscountStateSchema = z.object({
  requested: z.number(),
  limit: z.number().nullable().describe('The limit for this partner; null: not limited'),
  limitId: z.string().nullable(),
  limitName: z.string().nullable(),
  segmentId: z.string().nullable().describe('The segment the limit comes from; null for the default limit'),
  allowed: z.boolean(),
});
export type ManualDiscountState = z.output<typeof manualDiscountStateSchema>;

export const orderPriceSchema = z
  .object({
    partnerId: z.string(),
    date: z.string(),
    agreement: z
      .object({
        id: z.string(),
        name: z.string(),
        priceType: z.string().nullable(),
        discountPercent: z.number(),
        chosen: z.enum(['named', 'automatic']).describe('named: the order named it; automatic: chosen by the rules (priority, segment, id)'),
      })
      .nullable(),
    priceType: priceTypeBriefSchema
      .extend({ source: z.enum(['agreement', 'default']) })
      .nullable()
      .describe("The order's price type: the agreement's, else the default one; null: none"),
    lines: z.array(pricedLineSchema),
    totals: z.object({
      amount: z.number(),
      discountAmount: z.number(),
      amountAfterDiscount: z.number(),
      vatIncluded: z.boolean().nullable().describe("Whether the amounts include VAT (the order's price type); null without a price type"),
      vatRate: z.number().nullable(),
      vatAmount: z.number().nullable().describe('VAT of amountAfterDiscount, rounded to 0.01'),
      amountWithVat: z.number().nullable(),
    }),
    manualDiscount: manualDiscountStateSchema.nullable(),
  })
  .meta({ id: 'OrderPrice' });
export type OrderPrice = z.output<typeof orderPriceSchema>;

const reasonSchema = z.object({
  code: z.string().describe('An error code of docs/errors.md: SHIPMENT_BANNED, MANUAL_DISCOUNT_OVER_LIMIT, AGREEMENT_NOT_OPEN, PARTNER_MARKED_DELETED'),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type CheckReason = z.output<typeof reasonSchema>;

export const orderCheckResultSchema = z
  .object({
    partnerId: z.string(),
    date: z.string(),
    allowed: z.boolean().describe('Shipping this order is allowed'),
    reasons: z.array(reasonSchema).describe('Why not (empty when allowed)'),
    manualDiscount: manualDiscountStateSchema.nullable(),
  })
  .meta({ id: 'OrderCheck' });
export type OrderCheckResult = z.output<typeof orderCheckResultSchema>;
