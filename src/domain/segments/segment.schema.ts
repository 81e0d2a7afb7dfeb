import { z } from 'zod';
import { checkSchedule } from '../../scheduling/schedule.js';

import { SEGMENT_KINDS, SEGMENT_METHODS, type SegmentMethod } from '../../model/segment-vocabulary.js';

export { SEGMENT_KINDS, SEGMENT_METHODS, type SegmentKind, type SegmentMethod } from '../../model/segment-vocabulary.js';

export const segmentIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'a slug: lower-case latin letters, digits, "-" and "_", up to 80 characters')
  .describe('Segment id, a slug');

/** A value for a rule's {"param": name}. */
const parameterValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.union([z.string(), z.number()])), z.record(z.string(), z.unknown())]);
export type ParameterValue = z.output<typeof parameterValue>;

const fields = {
  kind: z.enum(SEGMENT_KINDS).default('partner'),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(4000).default(''),
  rule: z.unknown().optional().describe('A rule in the JSON rule language (docs/rules.md)'),
  sql: z.string().min(1).optional().describe('Custom SQL (admins only): a SELECT returning ids'),
  parameters: z.record(z.string(), parameterValue).default({}).describe('Values for {"param": name} in the rule'),
  schedule: z.string().nullable().default(null).describe('Periodic only: a cron expression, or "every 1200 seconds"'),
  checkOnCreate: z.boolean().default(false).describe('Periodic only: check new and changed partners at once'),
  competitors: z.array(z.string()).default([]).describe('Competitor partner ids'),
  archived: z.boolean().default(false),
  folder: z.string().trim().max(200).nullable().optional().describe('The folder the segment is listed in (a plain name, e.g. "Скидки"); none when absent, null or empty'),
};

function refineSegment(value: { method?: SegmentMethod; schedule?: string | null; checkOnCreate?: boolean; rule?: unknown; sql?: string | undefined }, ctx: z.RefinementCtx): void {
  if (value.rule !== undefined && value.sql !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['sql'], message: 'give either a rule or sql, not both' });
  }
  if (value.method && value.method !== 'periodic') {
    if (value.schedule) ctx.addIssue({ code: 'custom', path: ['schedule'], message: 'only periodic segments have a schedule' });
    if (value.checkOnCreate) ctx.addIssue({ code: 'custom', path: ['checkOnCreate'], message: 'only periodic segments check on create' });
  }
  if (value.method && value.method !== 'manual' && value.rule === undefined && value.sql === undefined) {
    ctx.addIssue({ code: 'custom', path: ['rule'], message: `a ${value.method} segment needs a rule (or sql)` });
  }
  if (value.schedule) {
    const check = checkSchedule(value.schedule);
    if (!check.ok) ctx.addIssue({ code: 'custom', path: ['schedule'], message: `not a valid schedule: ${check.reason}` });
  }
}

/** A new segment as the API and CLI accept it. */
export const segmentInputSchema = z.object({ id: segmentIdSchema, method: z.enum(SEGMENT_METHODS), ...fields }).superRefine(refineSegment);
export type SegmentInput = z.output<typeof segmentInputSchema>;
/** A new segment as a client sends it (defaults may be left out). */
export type SegmentInputBody = z.input<typeof segmentInputSchema>;

/** Changes to a saved segment: everything but id, kind and method (immutable after save). */
export const segmentPatchSchema = z
  .object({
    name: fields.name.optional(),
    description: z.string().max(4000).optional(),
    rule: fields.rule,
    sql: z.string().min(1).nullable().optional(),
    parameters: z.record(z.string(), parameterValue).optional(),
    schedule: z.string().nullable().optional(),
    checkOnCreate: z.boolean().optional(),
    competitors: z.array(z.string()).optional(),
    archived: z.boolean().optional(),
    folder: z.string().trim().max(200).nullable().optional(),
    method: z.enum(SEGMENT_METHODS).optional().describe('Accepted only if unchanged: the method is fixed once saved'),
    kind: z.enum(SEGMENT_KINDS).optional().describe('Accepted only if unchanged'),
  })
  .superRefine((value, ctx) => {
    // A changed schedule is held to the same rules as a new one (a minimum of 10 s between runs).
    const check = value.schedule ? checkSchedule(value.schedule) : null;
    if (check && !check.ok) ctx.addIssue({ code: 'custom', path: ['schedule'], message: `not a valid schedule: ${check.reason}` });
  });
export type SegmentPatch = z.output<typeof segmentPatchSchema>;

/** A saved segment, as stored and as the API shows it. */
export const segmentSchema = z
  .object({
    id: z.string(),
    kind: z.enum(SEGMENT_KINDS),
    name: z.string(),
    description: z.string(),
    method: z.enum(SEGMENT_METHODS),
    rule: z.unknown(),
    sql: z.string().nullable(),
    parameters: z.record(z.string(), parameterValue),
    schedule: z.string().nullable(),
    checkOnCreate: z.boolean(),
    competitors: z.array(z.string()),
    archived: z.boolean(),
    folder: z.string().nullable().optional().describe('The folder the segment is listed in; null: none'),
    ownerUserId: z.string().nullable().optional().describe("A manager's own manual segment: the user (or API key) that made it and alone may change it; null for everyone else's"),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Segment' });
export type Segment = z.output<typeof segmentSchema>;
