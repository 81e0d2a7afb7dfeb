import { z } from 'zod';
import { COMBINE_MODES } from './combination.js';
import { CUMULATIVE_MEASURES, THRESHOLD_OPS } from './discount-conditions.js';
import { termIdSchema, validityFields } from './terms.schema.js';

/**
 * A cumulative discount table (seed 002): rows are product segments, columns are purchase
 * thresholds over periods, cells are percents. Cell (row R, column C) is one discount:
 * "the line's product is in R, and the partner bought products of R for at least C.threshold
 * over the last C.months" — the second condition kept by a periodic segment.
 */

export const tableColumnSchema = z.object({
  key: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,29}$/)
    .optional()
    .describe('Stable key of the column (in discount ids); made from months and threshold when left out'),
  label: z.string().max(200).optional().describe('As the table heads it, e.g. "от 10000 руб. за 24 месяца"'),
  measure: z.enum(CUMULATIVE_MEASURES).optional().describe('sales.revenue when left out; "after the first purchase" is sales.documents ≥ 1'),
  months: z.number().int().min(1).max(600).nullable().optional().describe('Over the last N months; all time when null'),
  op: z.enum(THRESHOLD_OPS).optional().describe('gte ("from", the default) or gt'),
  threshold: z.number().min(0),
});
export type TableColumnInput = z.output<typeof tableColumnSchema>;

export const tableRowSchema = z.object({
  productSegment: z.string().min(1).describe('A periodic or manual product segment (its id, or its exact name)'),
  percents: z
    .array(z.number().min(-1000, 'a markup cannot go below -1000 %').max(100, 'a discount cannot be over 100 %').nullable())
    .describe('One per column, -1000 to 100 (over 100 is refused, never cut); null: no discount in that cell'),
});

export const discountTableInputSchema = z
  .object({
    id: termIdSchema.describe('The table id: uploading a table with the same id again updates it'),
    name: z.string().trim().min(1).max(200),
    columns: z.array(tableColumnSchema).min(1).max(50),
    rows: z.array(tableRowSchema).min(1).max(500),
    combine: z.enum(COMBINE_MODES).optional().describe('How its discounts combine with others and with each other; max by default (the best cell reached wins)'),
    priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    active: z.boolean().optional(),
    language: z.enum(['ru', 'en']).optional().describe('Language of the names given to the segments and discounts it creates; ru by default'),
    generate: z.boolean().optional().describe('Generate the periodic segments it creates at once (default true)'),
    ...validityFields,
  })
  .superRefine((table, ctx) => {
    table.rows.forEach((row, i) => {
      if (row.percents.length !== table.columns.length) {
        ctx.addIssue({ code: 'custom', path: ['rows', i, 'percents'], message: `has ${row.percents.length} cells; the table has ${table.columns.length} columns` });
      }
    });
    const seen = new Map<string, number>();
    table.rows.forEach((row, i) => {
      const first = seen.get(row.productSegment);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['rows', i, 'productSegment'], message: `"${row.productSegment}" is already row ${first + 1}` });
      else seen.set(row.productSegment, i);
    });
  });
export type DiscountTableInput = z.output<typeof discountTableInputSchema>;
/** A table as a client sends it (defaults not yet filled). */
export type DiscountTableRequest = z.input<typeof discountTableInputSchema>;

/** The options of a table uploaded as CSV (the query string of the upload). */
export const discountTableCsvOptionsSchema = z.object({
  name: z.string().trim().min(1).max(200).optional().describe('The table name; the id when left out'),
  combine: z.enum(COMBINE_MODES).optional(),
  priority: z.coerce.number().int().optional(),
  language: z.enum(['ru', 'en']).optional(),
  generate: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  campaignId: z.string().optional(),
  validFrom: validityFields.validFrom,
  validTo: validityFields.validTo,
  delimiter: z.string().optional().describe('"," ";" or "tab"; detected from the header line when left out'),
});
export type DiscountTableCsvOptions = z.output<typeof discountTableCsvOptionsSchema>;
