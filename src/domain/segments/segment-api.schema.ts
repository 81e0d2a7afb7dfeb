import { z } from 'zod';
import { SEGMENT_METHODS, SEGMENT_STATUSES } from '../../model/segment-vocabulary.js';
import { segmentSchema } from './segment.schema.js';

/**
 * What the segment routes answer, one zod schema each: the routes validate their answers and
 * describe them in the OpenAPI document with these, the domain's types are inferred from them,
 * and the web UI imports the types. Pure (zod and plain modules only), so the browser's
 * typecheck can follow it.
 */

/** A generation of a stored segment (GET /api/segments/{id}/runs). */
export const segmentRunSchema = z
  .object({
    id: z.number(),
    trigger: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    status: z.enum(['running', 'ok', 'failed']),
    size: z.number().nullable(),
    entered: z.number().nullable(),
    left: z.number().nullable(),
    durationMs: z.number().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'SegmentRun' });
export type SegmentRun = z.output<typeof segmentRunSchema>;

/** What the segment list shows of a segment's state: size, last run, next run, status. */
export const segmentStatusSchema = z.object({
  size: z.number().nullable().describe('Members now (stored segments; null for dynamic ones)'),
  lastRun: segmentRunSchema.nullable(),
  nextRunAt: z.string().nullable(),
  status: z.enum(SEGMENT_STATUSES),
});
export type SegmentStatus = z.output<typeof segmentStatusSchema>;

/** A segment with its state, as the list and GET /api/segments/{id} show it. */
export const segmentWithStatusSchema = segmentSchema.extend(segmentStatusSchema.shape);
export type SegmentWithStatus = z.output<typeof segmentWithStatusSchema>;

/** What POST /api/segments/{id}/refresh answers when it runs synchronously, and a refresh job's result. */
export const refreshResultSchema = z
  .object({ segmentId: z.string(), runId: z.number(), size: z.number(), entered: z.number(), left: z.number(), durationMs: z.number() })
  .meta({ id: 'RefreshResult' });
export type RefreshResult = z.output<typeof refreshResultSchema>;

/** "Fill by rule" of a manual segment (POST /api/segments/{id}/fill). */
export const fillResultSchema = z.object({ added: z.number(), removed: z.number(), size: z.number() });
export type FillResult = z.output<typeof fillResultSchema>;

/** Members (partners or products) as plain records: the columns of their table. */
export const memberRecordsSchema = z.array(z.record(z.string(), z.unknown()));

/** The count and a sample for a rule, nothing saved (POST /api/segments/preview). */
export const previewResultSchema = z.object({ count: z.number(), sample: memberRecordsSchema });
export type PreviewResult = z.output<typeof previewResultSchema>;

/** A page of members (GET /api/segments/{id}/members). */
export const memberPageSchema = z.object({ items: memberRecordsSchema, total: z.number(), limit: z.number(), offset: z.number() });
export type MemberPage = z.output<typeof memberPageSchema>;

/** Who entered or left, and when (GET /api/segments/{id}/history); `name` is null for a member deleted since. */
export const historyEventSchema = z.object({ memberId: z.string(), name: z.string().nullable(), event: z.enum(['entered', 'left']), at: z.string(), runId: z.number().nullable() });
export type HistoryEvent = z.output<typeof historyEventSchema>;

/** Where a segment is used: another segment, an agreement, a discount, a ban (GET /api/segments/{id}/usage). */
export const segmentUseSchema = z.object({ kind: z.string(), id: z.string(), name: z.string() });
export type SegmentUse = z.output<typeof segmentUseSchema>;

/** Why a member is or is not in a segment (GET /api/segments/{id}/explain/{memberId}). */
export const explanationSchema = z
  .object({
    segmentId: z.string(),
    method: z.enum(SEGMENT_METHODS),
    memberId: z.string(),
    asOf: z.string(),
    member: z.boolean().describe('In the segment: its stored list (as of asOf), or its rule for a dynamic segment'),
    ruleMatched: z.boolean().nullable().describe('Whether the rule holds on asOf; null without a rule'),
    rule: z.unknown().describe('The rule tree: each condition with its path, actual value and whether it held'),
    note: z.string().nullable(),
  })
  .meta({ id: 'Explanation' });
export type Explanation = z.output<typeof explanationSchema>;

/** A segment a partner is in (GET /api/partners/{id}/segments). */
export const partnerSegmentSchema = z.object({ id: z.string(), name: z.string(), method: z.enum(SEGMENT_METHODS) });
export type PartnerSegment = z.output<typeof partnerSegmentSchema>;
