import { z } from 'zod';
import type { EntityDef, FieldDef, FieldType } from '../model/entities.js';

/** The error body every failing request returns. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable error code, see docs/errors.md'),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'Error' });

const scalar: Record<FieldType, z.ZodType> = {
  text: z.string(),
  decimal: z.number(),
  integer: z.number().int(),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .describe('YYYY-MM-DD'),
  timestamp: z.string().describe('ISO 8601 timestamp, UTC'),
  boolean: z.boolean(),
};

function fieldSchema(field: FieldDef): z.ZodType {
  if (field.kind === 'flags') return z.array(z.enum(field.values as [string, ...string[]]));
  const base = field.values ? z.enum(field.values as [string, ...string[]]) : scalar[field.type];
  return field.required ? base : base.nullable();
}

/** The API shape of one row of an entity, from the model registry. */
export function recordSchema(entity: EntityDef) {
  const shape: Record<string, z.ZodType> = {};
  for (const field of entity.fields) shape[field.name] = fieldSchema(field);
  if (entity.properties) {
    shape.properties = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).describe('Additional properties: name → string, number, date (YYYY-MM-DD) or boolean');
  }
  return z.object(shape);
}

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};

export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** `asOf=YYYY-MM-DD`: evaluate as of the end of that date instead of today (SPEC §7). */
export const asOfQuery = {
  asOf: dateSchema.optional().describe('Evaluation date, YYYY-MM-DD; default today'),
};
