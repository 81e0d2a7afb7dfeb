import { z } from 'zod';
import { isIsoDate } from '../../rules/calendar.js';
import { COMBINE_MODES } from './combination.js';
import { discountConditionSchema } from './discount-conditions.js';
import { CUMULATIVE_MEASURES, THRESHOLD_OPS } from './discount-vocabulary.js';

/**
 * The API shapes of the sales terms (SPEC §5), one zod schema each: the routes validate and
 * document with them, the domain's types are inferred from them, and the web UI imports those
 * types. This module reads nothing but zod and other schema modules, so the browser's
 * typecheck can follow it.
 */

export const termIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'a slug: lower-case latin letters, digits, "-" and "_", up to 80 characters')
  .describe('Id, a slug; generated when left out');

export const isoDateSchema = z.string().refine(isIsoDate, 'a date as YYYY-MM-DD');

/** When a term applies: its own dates and a marketing campaign's period (both bounds included). */
export const validityFields = {
  campaignId: z.string().nullable().optional().describe('A marketing campaign: the term is valid only within its period'),
  validFrom: isoDateSchema.nullable().optional().describe('First day the term applies, YYYY-MM-DD'),
  validTo: isoDateSchema.nullable().optional().describe('Last day the term applies (included), YYYY-MM-DD'),
};

const storedValidity = { campaignId: z.string().nullable(), validFrom: z.string().nullable(), validTo: z.string().nullable() };
export const validitySchema = z.object(storedValidity);
export type Validity = z.output<typeof validitySchema>;

const stamps = { createdAt: z.string(), updatedAt: z.string() };

// ---------------------------------------------------------------- campaigns

const campaignFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(4000).optional(),
  startsOn: isoDateSchema.describe('First day of the campaign, YYYY-MM-DD'),
  endsOn: isoDateSchema.describe('Last day of the campaign (included), YYYY-MM-DD'),
};

export const campaignInputSchema = z
  .object({ id: termIdSchema.optional(), ...campaignFields })
  .refine((c) => c.startsOn <= c.endsOn, { path: ['endsOn'], message: 'the campaign ends before it starts' });
export type CampaignInput = z.output<typeof campaignInputSchema>;

export const campaignPatchSchema = z.object({
  name: campaignFields.name.optional(),
  description: campaignFields.description,
  startsOn: campaignFields.startsOn.optional(),
  endsOn: campaignFields.endsOn.optional(),
});
export type CampaignPatch = z.output<typeof campaignPatchSchema>;

export const campaignSchema = z.object({ id: z.string(), name: z.string(), description: z.string().nullable(), startsOn: z.string(), endsOn: z.string(), ...stamps }).meta({ id: 'Campaign' });
export type Campaign = z.output<typeof campaignSchema>;

// ---------------------------------------------------------------- agreements

export const agreementInputSchema = z.object({
  id: termIdSchema.optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(4000).optional(),
  segmentId: z.string().nullable().optional().describe('The partner segment it is open to (periodic or manual); null: every partner'),
  priceType: z.string().max(200).nullable().optional().describe('The id of the price type (GET /api/price-types) its orders take prices from; null: the default price type'),
  discountPercent: z.number().min(-1000).max(100).optional().describe('Discount (negative: markup) for orders under this agreement; 0 by default'),
  priority: z.number().int().min(-1_000_000).max(1_000_000).optional().describe('When several agreements are open to a partner, the highest priority applies; 0 by default'),
  active: z.boolean().optional(),
  ...validityFields,
});
export type AgreementInput = z.output<typeof agreementInputSchema>;

export const agreementPatchSchema = agreementInputSchema.omit({ id: true }).partial();
export type AgreementPatch = z.output<typeof agreementPatchSchema>;

export const agreementSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    segmentId: z.string().nullable(),
    priceType: z.string().nullable(),
    discountPercent: z.number(),
    priority: z.number(),
    ...storedValidity,
    active: z.boolean(),
    ...stamps,
  })
  .meta({ id: 'Agreement' });
export type Agreement = z.output<typeof agreementSchema>;

// ---------------------------------------------------------------- discounts

export const PERCENT_MIN = -1000;

const percentSchema = z.number().min(PERCENT_MIN).max(100).describe('Percent off the price; negative for a markup');

export const discountInputSchema = z.object({
  id: termIdSchema.optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(4000).optional(),
  percent: percentSchema,
  conditions: z.array(discountConditionSchema).max(20).optional().describe('All must hold (AND); none: applies to every order line'),
  combine: z.enum(COMBINE_MODES).optional().describe('How it combines with other discounts: max (default), sum, priority, exclusive'),
  priority: z.number().int().min(-1_000_000).max(1_000_000).optional().describe('Higher wins among priority and exclusive discounts; 0 by default'),
  active: z.boolean().optional(),
  ...validityFields,
});
export type DiscountInput = z.output<typeof discountInputSchema>;

export const discountPatchSchema = discountInputSchema.omit({ id: true }).partial();
export type DiscountPatch = z.output<typeof discountPatchSchema>;

/** A condition as stored: defaults filled, a cumulative condition bound to its segment. */
export const storedDiscountConditionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('partnerInSegment'), segment: z.string() }),
  z.object({ kind: z.literal('productInSegment'), segment: z.string() }),
  z.object({
    kind: z.literal('cumulative'),
    measure: z.enum(CUMULATIVE_MEASURES),
    months: z.number().nullable(),
    productSegment: z.string().nullable(),
    op: z.enum(THRESHOLD_OPS),
    threshold: z.number(),
    segment: z.string().describe('The periodic segment that keeps the condition'),
  }),
  z.object({ kind: z.literal('birthday'), withinDays: z.number() }),
  z.object({ kind: z.literal('orderAmount'), min: z.number() }),
]);
export type DiscountCondition = z.output<typeof storedDiscountConditionSchema>;

export const discountSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    percent: z.number(),
    conditions: z.array(storedDiscountConditionSchema),
    combine: z.enum(COMBINE_MODES),
    priority: z.number(),
    ...storedValidity,
    active: z.boolean(),
    tableId: z.string().nullable().describe('The cumulative discount table that made it, if any (rewritten when the table is uploaded again)'),
    ...stamps,
  })
  .meta({ id: 'Discount' });
export type Discount = z.output<typeof discountSchema>;

// ---------------------------------------------------------------- shipment bans

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

export const shipmentBanSchema = z.object({ id: z.string(), name: z.string(), segmentId: z.string(), reason: z.string().nullable(), active: z.boolean(), ...stamps }).meta({ id: 'ShipmentBan' });
export type ShipmentBan = z.output<typeof shipmentBanSchema>;

// ---------------------------------------------------------------- manual discount limits

export const manualDiscountLimitInputSchema = z.object({
  id: termIdSchema.optional(),
  name: z.string().trim().min(1).max(200),
  segmentId: z.string().min(1).nullable().optional().describe('The partner segment (periodic or manual); null: the default for partners in no limited segment'),
  maxPercent: z.number().min(0).max(100).describe('The largest manual discount allowed, percent'),
});
export type ManualDiscountLimitInput = z.output<typeof manualDiscountLimitInputSchema>;

export const manualDiscountLimitPatchSchema = manualDiscountLimitInputSchema.omit({ id: true }).partial();
export type ManualDiscountLimitPatch = z.output<typeof manualDiscountLimitPatchSchema>;

export const manualDiscountLimitSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    segmentId: z.string().nullable().describe('null: the default limit, for partners in no limited segment'),
    maxPercent: z.number(),
    ...stamps,
  })
  .meta({ id: 'ManualDiscountLimit' });
export type ManualDiscountLimit = z.output<typeof manualDiscountLimitSchema>;

// ---------------------------------------------------------------- cumulative discount tables (as stored)

export const tableColumnStoredSchema = z.object({
  key: z.string(),
  label: z.string(),
  measure: z.enum(CUMULATIVE_MEASURES).optional(),
  months: z.number().nullable().optional(),
  op: z.enum(THRESHOLD_OPS).optional(),
  threshold: z.number(),
});
export type TableColumn = z.output<typeof tableColumnStoredSchema>;

export const tableRowStoredSchema = z.object({ productSegment: z.string(), percents: z.array(z.number().nullable()) });
export type TableRow = z.output<typeof tableRowStoredSchema>;

export const discountTableSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    columns: z.array(tableColumnStoredSchema),
    rows: z.array(tableRowStoredSchema),
    combine: z.enum(COMBINE_MODES),
    priority: z.number(),
    active: z.boolean(),
    ...storedValidity,
    ...stamps,
  })
  .meta({ id: 'DiscountTable' });
export type DiscountTable = z.output<typeof discountTableSchema>;

export const tableCellSchema = z.object({
  productSegment: z.string(),
  column: z.string(),
  percent: z.number(),
  discountId: z.string(),
  segmentId: z.string().describe('The periodic partner segment of the purchase condition'),
});
export type TableCell = z.output<typeof tableCellSchema>;

export const tableUploadResultSchema = z.object({
  table: discountTableSchema,
  discounts: z.object({ created: z.number(), updated: z.number(), unchanged: z.number(), removed: z.number() }),
  segments: z.object({ created: z.array(z.string()), reused: z.number(), generated: z.number(), dropped: z.array(z.string()) }),
  cells: z.array(tableCellSchema),
});
export type TableUploadResult = z.output<typeof tableUploadResultSchema>;

export const discountTableDeletedSchema = z.object({ removed: z.number(), droppedSegments: z.array(z.string()) });
export type DiscountTableDeleted = z.output<typeof discountTableDeletedSchema>;

// ---------------------------------------------------------------- products to pick from

export const productChoiceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    group: z.string().nullable(),
    brand: z.string().nullable(),
    unit: z.string().nullable(),
    lastPrice: z.number().nullable().describe('Revenue ÷ quantity of the latest sale line of the product, rounded to 0.01; null: never sold'),
  })
  .meta({ id: 'ProductChoice' });
export type ProductChoice = z.output<typeof productChoiceSchema>;
