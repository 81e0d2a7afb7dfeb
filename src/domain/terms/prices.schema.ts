import { z } from 'zod';
import { isoDateSchema, termIdSchema } from './terms.schema.js';

/**
 * The API shapes of price types and prices (docs/sales-terms.md#prices). Like terms.schema.ts,
 * this module reads nothing but zod and schema modules, so the web UI can import its types.
 */

/**
 * How a derived type's price is rounded: to a step (nearest multiple, half up: `1`, `10`, …) or
 * up to a price ending in .99 (`0.99`: 123.40 → 123.99) or 9.99 (`9.99`: 123.40 → 129.99).
 */
export const PRICE_ROUNDINGS = ['0.01', '0.1', '1', '5', '10', '50', '100', '1000', '0.99', '9.99'] as const;
export type PriceRounding = (typeof PRICE_ROUNDINGS)[number];

export const PRICE_MAX = 1_000_000_000_000;

const priceTypeFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(4000).nullable().optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. RUB')
    .optional()
    .describe('ISO 4217 currency code; RUB by default'),
  vatIncluded: z.boolean().optional().describe('Whether its prices include VAT; true by default'),
  vatRate: z.number().min(0).max(100).optional().describe('VAT rate, percent, for the VAT of an order and for deriving from a type with the other VAT setting; 20 by default'),
  baseTypeId: z.string().min(1).nullable().optional().describe('Derived: the price type its prices are computed from; null: prices are set by hand'),
  markupPercent: z.number().min(-99.99).max(10_000).nullable().optional().describe('Derived: percent added to the base price (negative: less)'),
  rounding: z.enum(PRICE_ROUNDINGS).nullable().optional().describe('Derived: how the computed price is rounded; 0.01 by default'),
  isDefault: z.boolean().optional().describe('The price type of orders no agreement (with a price type) applies to; at most one'),
};

export const priceTypeInputSchema = z.strictObject({ id: termIdSchema.optional(), ...priceTypeFields });
export type PriceTypeInput = z.output<typeof priceTypeInputSchema>;

export const priceTypePatchSchema = z.strictObject({ ...priceTypeFields, name: priceTypeFields.name.optional() });
export type PriceTypePatch = z.output<typeof priceTypePatchSchema>;

export const priceTypeSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    currency: z.string(),
    vatIncluded: z.boolean(),
    vatRate: z.number(),
    baseTypeId: z.string().nullable(),
    markupPercent: z.number().nullable(),
    rounding: z.enum(PRICE_ROUNDINGS).nullable(),
    isDefault: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'PriceType' });
export type PriceType = z.output<typeof priceTypeSchema>;

/** One row of the prices history: from `validFrom` on (until a later row), the product costs `price` in the type. */
export const priceRowSchema = z
  .object({
    priceTypeId: z.string(),
    productId: z.string(),
    validFrom: z.string(),
    price: z.number(),
  })
  .meta({ id: 'PriceRow' });
export type PriceRowRecord = z.output<typeof priceRowSchema>;

export const priceRowInputSchema = z.strictObject({
  priceTypeId: z.string().min(1),
  productId: z.string().min(1),
  validFrom: isoDateSchema.describe('First day the price applies, YYYY-MM-DD'),
  price: z.number().min(0).max(PRICE_MAX),
});
export type PriceRowInput = z.output<typeof priceRowInputSchema>;

/** Where a line's price came from: the row of a set-by-hand type (for a derived type, the row it was computed from). */
export const priceSourceSchema = z.object({
  priceTypeId: z.string().describe('The price type whose row was used (a derived type names the set-by-hand type it is computed from)'),
  validFrom: z.string().describe('The date of the row used: the latest on or before the order date'),
  price: z.number().describe('The price in that row'),
});
export type PriceSource = z.output<typeof priceSourceSchema>;

export const priceTypeBriefSchema = z.object({
  id: z.string(),
  name: z.string(),
  currency: z.string(),
  vatIncluded: z.boolean(),
  vatRate: z.number(),
});
export type PriceTypeBrief = z.output<typeof priceTypeBriefSchema>;

export const partnerPriceSchema = z.object({
  productId: z.string(),
  productName: z.string().nullable(),
  unit: z.string().nullable(),
  price: z.number().nullable().describe('null: no price on the date'),
  row: priceSourceSchema.nullable(),
});
export type PartnerPrice = z.output<typeof partnerPriceSchema>;

export const partnerPriceListSchema = z
  .object({
    partnerId: z.string(),
    partnerName: z.string().nullable(),
    date: z.string(),
    agreement: z.object({ id: z.string(), name: z.string() }).nullable(),
    priceType: priceTypeBriefSchema,
    priceTypeSource: z.enum(['agreement', 'default']),
    items: z.array(partnerPriceSchema),
  })
  .meta({ id: 'PartnerPriceList' });
export type PartnerPriceList = z.output<typeof partnerPriceListSchema>;
