import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { rebuildInOrder, refreshSegmentsWithErrors } from '../../domain/segments/batch-refresh.js';
import { isAppError } from '../../errors/app-error.js';
import { explainMember, previewRule } from '../../domain/segments/preview-explain.js';
import { segmentRefreshJobSchema } from '../../domain/jobs/job.schema.js';
import { jobBody, startSegmentRefreshJob } from '../../domain/jobs/segment-refresh.job.js';
import { memberRecords } from '../../domain/segments/member-records.js';
import { langQuery } from '../../domain/reports/export-locale.js';
import { prepareMembersExport, writeMembersCsv, writeMembersXlsx, XLSX_MAX_MEMBERS, type MembersExport } from '../../domain/reports/members-export.js';
import { fillByRule } from '../../domain/segments/manual-members.js';
import { MEMBER_SORTS, memberIds } from '../../domain/segments/member-pages.js';
import { listHistory } from '../../domain/segments/membership-history.js';
import { partnerSegments } from '../../domain/segments/partner-segments.js';
import { listRuns } from '../../domain/segments/runs.js';
import {
  explanationSchema,
  fillResultSchema,
  historyEventSchema,
  memberPageSchema,
  partnerSegmentSchema,
  previewResultSchema,
  refreshResultSchema,
  segmentRunSchema,
  segmentUseSchema,
  segmentWithStatusSchema,
} from '../../domain/segments/segment-api.schema.js';
import { segmentStatuses } from '../../domain/segments/segment-status.js';
import { SEGMENT_KINDS, SEGMENT_METHODS, segmentInputSchema, segmentPatchSchema, segmentSchema } from '../../domain/segments/segment.schema.js';
import { getSegment, listSegments } from '../../domain/segments/segments.repository.js';
import type { AuditSpec } from '../audit.js';
import { membersChange, segmentState, stateAndResult } from '../audit-states.js';
import { principalOf, scopeOf } from '../access.js';
import type { RouteModule } from '../context.js';
import { asOfQuery, booleanQuery, errorSchema, pageQuery } from '../schemas.js';

const idParams = z.object({ id: z.string() });
const idsBody = z.object({ ids: z.array(z.string().min(1)).min(1).max(100_000) });
const errors = { 400: errorSchema, 404: errorSchema, 409: errorSchema };

export const segmentsRoutes: RouteModule = (app, ctx) => {
  const { db, services } = ctx;
  const { segments: segmentService } = services;
  // What segment writes record in the audit log: the segment with its size, before and after.
  const segmentAudit: AuditSpec = { entity: 'segment', load: (id) => segmentState(db, id) };

  app.get(
    '/segments',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['segments'],
        summary: 'Segments with size, last and next generation and status (a manager: sizes count own partners only)',
        querystring: z.object({
          q: z.string().optional(),
          kind: z.enum(SEGMENT_KINDS).optional(),
          method: z.enum(SEGMENT_METHODS).optional(),
          archived: booleanQuery.optional(),
          folder: z.string().optional().describe('Only the segments in this folder (empty: those in none)'),
        }),
        response: { 200: z.object({ items: z.array(segmentWithStatusSchema) }) },
      },
    },
    async (request) => {
      const filter = Object.fromEntries(Object.entries(request.query).filter(([, v]) => v !== undefined));
      const segments = await listSegments(request.db, filter);
      const statuses = await segmentStatuses(request.db, scopeOf(request), segments);
      return { items: segments.map((s) => ({ ...s, ...statuses.get(s.id)! })) };
    },
  );

  app.post(
    '/segments',
    {
      config: { access: 'manager', audit: segmentAudit },
      schema: {
        tags: ['segments'],
        summary: 'Create a segment (a manager: a manual one, own; custom SQL: admins only)',
        body: segmentInputSchema,
        response: { 201: segmentSchema, ...errors, 403: errorSchema },
      },
    },
    async (request, reply) => {
      const segment = await segmentService.create(request.body, { allowCustomSql: ctx.allowCustomSql === true, actor: principalOf(request) });
      return reply.status(201).send(segment);
    },
  );

  app.post(
    '/segments/preview',
    {
      config: { access: 'manager', audit: false },
      schema: {
        tags: ['segments'],
        summary: 'Evaluate a rule without saving anything: the count and a sample of 20 (a manager: of own partners)',
        body: z.object({
          kind: z.enum(SEGMENT_KINDS).default('partner'),
          rule: z.unknown(),
          parameters: z.record(z.string(), z.unknown()).default({}),
          asOf: asOfQuery.asOf,
          sampleSize: z.number().int().min(0).max(200).default(20),
        }),
        response: { 200: previewResultSchema, 400: errorSchema },
      },
    },
    async (request) => {
      const { kind, rule, parameters, asOf, sampleSize } = request.body;
      const result = await previewRule(request.db, scopeOf(request), { kind, rule, parameters, ...(asOf ? { asOf } : {}) }, sampleSize);
      return { count: result.count, sample: await memberRecords(request.db, kind, result.sampleIds) };
    },
  );

  app.get(
    '/segments/:id',
    { config: { access: 'manager' }, schema: { tags: ['segments'], summary: 'One segment with its status', params: idParams, response: { 200: segmentWithStatusSchema, 404: errorSchema } } },
    async (request) => {
      const segment = await getSegment(request.db, request.params.id);
      const status = (await segmentStatuses(request.db, scopeOf(request), [segment])).get(segment.id)!;
      return { ...segment, ...status };
    },
  );

  app.patch(
    '/segments/:id',
    {
      config: { access: 'manager', audit: segmentAudit },
      schema: {
        tags: ['segments'],
        summary: 'Change a segment (the method and kind are fixed once saved; a manager: own manual segments only)',
        params: idParams,
        body: segmentPatchSchema,
        response: { 200: segmentSchema, ...errors, 403: errorSchema },
      },
    },
    async (request) => {
      const segment = await segmentService.update(request.params.id, request.body, { allowCustomSql: ctx.allowCustomSql === true, actor: principalOf(request) });
      return segment;
    },
  );

  app.delete(
    '/segments/:id',
    {
      config: { access: 'manager', audit: segmentAudit },
      schema: {
        tags: ['segments'],
        summary: 'Delete a segment that nothing uses (a manager: own manual segments only)',
        params: idParams,
        response: { 204: z.null(), ...errors, 403: errorSchema },
      },
    },
    async (request, reply) => {
      await segmentService.delete(request.params.id, principalOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/segments/:id/usage',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['segments'],
        summary: 'Where a segment is used (other segments, agreements, discounts, bans)',
        params: idParams,
        response: { 200: z.object({ items: z.array(segmentUseSchema) }), 404: errorSchema },
      },
    },
    async (request) => {
      await getSegment(request.db, request.params.id);
      return { items: await segmentService.uses(request.params.id) };
    },
  );

  const segmentRefreshSchema = z.object({
    segmentId: z.string(),
    status: z.enum(['ok', 'failed']),
    runId: z.number().nullable(),
    size: z.number().nullable(),
    entered: z.number().nullable(),
    left: z.number().nullable(),
    durationMs: z.number(),
    error: z.string().nullable(),
    errorCode: z.string().nullable().describe('The error code of a failed segment (SEGMENT_REBUILD_RUNNING: being generated already)'),
  });

  app.post(
    '/segments/refresh',
    {
      config: { access: 'analyst', heavy: true, audit: { entity: 'segment', action: 'segment.refresh-many' } },
      schema: {
        tags: ['segments'],
        summary: 'Generate many stored segments together (all active periodic ones when no ids are given): each distinct measure their rules need is computed once, dependencies first',
        body: z.object({
          ids: z.array(z.string().min(1)).min(1).max(10_000).optional(),
          asOf: asOfQuery.asOf,
          mode: z
            .enum(['full', 'incremental', 'daily'])
            .optional()
            .describe('full (default): every partner; incremental: only partners whose facts changed since the last pass, for rules that allow it; daily: the rules that move with the date'),
        }),
        response: {
          200: z.object({
            asOf: z.string(),
            segments: z.array(segmentRefreshSchema),
            batched: z.number().describe('Segments evaluated together over one table of measures'),
            distinctMeasures: z.number(),
            factScans: z.number(),
            measuresMs: z.number(),
            durationMs: z.number(),
            mode: z.enum(['full', 'incremental', 'daily']),
            partners: z.number().nullable().describe('An incremental pass: the changed partners it evaluated (null: everyone)'),
            notInPass: z.array(z.string()).describe('Segments this pass left to the other kind of pass'),
            measuresKept: z.boolean().describe('An incremental pass moved the measures kept from the last full batch by the appended sale lines instead of reading every sale line'),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { ids, asOf, mode } = request.body ?? {};
      // A segment being generated already is reported failed (SEGMENT_REBUILD_RUNNING) in its own
      // entry; the others are refreshed, not refused all together with one 409.
      const { report, errors } = await refreshSegmentsWithErrors(db, ids ?? 'all-periodic', {
        trigger: 'api',
        skipRunning: true,
        onChange: services.compositionListener(),
        ...(asOf ? { asOf } : {}),
        ...(mode ? { mode } : {}),
      });
      const codeOf = (id: string) => {
        const error = errors.get(id);
        return error === undefined ? null : isAppError(error) ? error.code : 'INTERNAL';
      };
      return { ...report, notInPass: [...report.notInPass], segments: report.segments.map((s) => ({ ...s, errorCode: codeOf(s.segmentId) })) };
    },
  );

  app.post(
    '/segments/:id/refresh',
    {
      config: { access: 'analyst', heavy: true, audit: { ...segmentAudit, action: 'segment.generate', after: stateAndResult } },
      schema: {
        tags: ['segments'],
        summary: 'Generate a periodic (or manual, by its rule) segment now: an atomic rebuild with history',
        description:
          'Answers when done (200), or with {"async": true} at once (202) with a job to poll at GET /api/jobs/{id}: its stage, estimated progress, and in the end this same result or error.',
        params: idParams,
        // No body at all (null) is the synchronous call, as before.
        body: z.object({ async: z.boolean().default(false).describe('Run in the background and answer 202 with a job') }).nullish(),
        response: { 200: refreshResultSchema, 202: segmentRefreshJobSchema, ...errors },
      },
    },
    async (request, reply) => {
      if (request.body?.async) {
        const job = await startSegmentRefreshJob(db, ctx.jobs, request.params.id);
        return reply.status(202).send(jobBody(job));
      }
      const [result] = (await rebuildInOrder(db, [request.params.id], 'api', services.compositionListener())).filter((r) => r.segmentId === request.params.id);
      return result!;
    },
  );

  const membersQuery = z.object({
    ...pageQuery,
    ...asOfQuery,
    sort: z.enum(MEMBER_SORTS).default('id').describe('Order members by id or by name'),
    order: z.enum(['asc', 'desc']).default('asc'),
  });

  app.get(
    '/segments/:id/members',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['segments'],
        summary: 'Members of a segment, paged; with asOf, a stored segment is read from its history (a manager: own partners only)',
        params: idParams,
        querystring: membersQuery,
        response: { 200: memberPageSchema, ...errors },
      },
    },
    async (request) => {
      const segment = await getSegment(request.db, request.params.id);
      const { limit, offset, asOf, sort, order } = request.query;
      const page = await memberIds(request.db, scopeOf(request), segment, { limit, offset }, asOf, { sort, order });
      return { items: await memberRecords(request.db, segment.kind, page.ids), total: page.total, limit, offset };
    },
  );

  /**
   * The file exports are written while the members are read (src/domain/reports/members-export.ts):
   * the reply is a stream, the export stops when the client goes away.
   */
  const streamMembers = (request: FastifyRequest, reply: FastifyReply, exp: MembersExport, format: { type: string; extension: string; write: typeof writeMembersCsv }) => {
    const output = new PassThrough();
    let gone = false;
    const leave = () => {
      if (!reply.raw.writableFinished) gone = true;
    };
    reply.raw.once('close', leave);
    output.once('close', () => {
      if (!output.readableEnded) gone = true;
    });
    void format.write(request.db, exp, output, { gone: () => gone }).catch((err: unknown) => request.log.error({ err }, 'members export failed'));
    return reply.type(format.type).header('content-disposition', `attachment; filename="${exp.segment.id}.${format.extension}"`).send(output);
  };

  app.get(
    '/segments/:id/members.csv',
    {
      config: { access: 'manager', heavy: true },
      schema: {
        tags: ['segments'],
        summary: 'All members of a segment as CSV (UTF-8 with BOM, opens in Excel), streamed; with lang, for people in that language (Russian: `;`)',
        params: idParams,
        querystring: z.object({ ...asOfQuery, lang: langQuery }),
      },
    },
    async (request, reply) => {
      const exp = await prepareMembersExport(request.db, scopeOf(request), request.params.id, request.query.asOf, undefined, request.query.lang);
      return streamMembers(request, reply, exp, { type: 'text/csv; charset=utf-8', extension: 'csv', write: writeMembersCsv });
    },
  );

  app.get(
    '/segments/:id/members.xlsx',
    {
      config: { access: 'manager', heavy: true },
      schema: {
        tags: ['segments'],
        summary: `All members of a segment as an Excel workbook (one row per member), streamed; at most ${XLSX_MAX_MEMBERS.toLocaleString('en')} members (an Excel sheet's rows), else EXPORT_TOO_LARGE`,
        params: idParams,
        querystring: z.object({ ...asOfQuery, lang: langQuery }),
      },
    },
    async (request, reply) => {
      const exp = await prepareMembersExport(request.db, scopeOf(request), request.params.id, request.query.asOf, XLSX_MAX_MEMBERS, request.query.lang);
      return streamMembers(request, reply, exp, {
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        extension: 'xlsx',
        write: writeMembersXlsx,
      });
    },
  );

  app.post(
    '/segments/:id/members',
    {
      config: { access: 'manager', audit: { ...segmentAudit, action: 'segment.members.add', after: membersChange } },
      schema: {
        tags: ['segments'],
        summary: 'Add members to a manual segment (a manager: to own segments, own partners only; another partner is not found)',
        params: idParams,
        body: idsBody,
        response: { 200: z.object({ added: z.number() }), ...errors, 403: errorSchema },
      },
    },
    async (request) => ({ added: await segmentService.addMembers(request.params.id, request.body.ids, principalOf(request), services.compositionListener()) }),
  );

  app.post(
    '/segments/:id/members/remove',
    {
      config: { access: 'manager', audit: { ...segmentAudit, action: 'segment.members.remove', after: membersChange } },
      schema: {
        tags: ['segments'],
        summary: "Remove members from a manual segment (a manager: from own segments; other managers' partners are left alone)",
        params: idParams,
        body: idsBody,
        response: { 200: z.object({ removed: z.number() }), ...errors, 403: errorSchema },
      },
    },
    async (request) => ({ removed: await segmentService.removeMembers(request.params.id, request.body.ids, principalOf(request), services.compositionListener()) }),
  );

  app.post(
    '/segments/:id/fill',
    {
      config: { access: 'analyst', audit: { ...segmentAudit, action: 'segment.fill', after: stateAndResult } },
      schema: {
        tags: ['segments'],
        summary: 'Fill a manual segment by its rule: add the matching members, or replace the composition with them',
        params: idParams,
        body: z.object({ replace: z.boolean().default(false), ...asOfQuery }),
        response: { 200: fillResultSchema, ...errors },
      },
    },
    async (request) => {
      const { replace, asOf } = request.body;
      return fillByRule(db, await getSegment(db, request.params.id), { replace, onChange: services.compositionListener(), ...(asOf ? { asOf } : {}) });
    },
  );

  app.get(
    '/segments/:id/history',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['segments'],
        summary: 'Who entered and who left, and when (a manager: own partners only)',
        params: idParams,
        querystring: z.object({ ...pageQuery, from: asOfQuery.asOf, to: asOfQuery.asOf, member: z.string().optional() }),
        response: {
          200: z.object({
            items: z.array(historyEventSchema),
            total: z.number(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const segment = await getSegment(request.db, request.params.id);
      const { limit, offset, from, to, member } = request.query;
      const history = await listHistory(request.db, scopeOf(request), segment, { limit, offset, ...(from ? { from } : {}), ...(to ? { to } : {}), ...(member ? { memberId: member } : {}) });
      // Names to show beside the ids; a member deleted since has none.
      const names = new Map((await memberRecords(request.db, segment.kind, [...new Set(history.items.map((e) => e.memberId))])).map((r) => [String(r.id), String(r.name)]));
      return { items: history.items.map((e) => ({ ...e, name: names.get(e.memberId) ?? null })), total: history.total };
    },
  );

  app.get(
    '/segments/:id/runs',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['segments'],
        summary: 'Generation runs: when, how long, size, entered, left, error',
        params: idParams,
        response: { 200: z.object({ items: z.array(segmentRunSchema) }), ...errors },
      },
    },
    async (request) => {
      await getSegment(request.db, request.params.id);
      return { items: await listRuns(request.db, request.params.id) };
    },
  );

  app.get(
    '/segments/:id/explain/:partnerId',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['segments'],
        summary: 'Why a partner (or product) is or is not in a segment: each condition with its actual value',
        params: z.object({ id: z.string(), partnerId: z.string() }),
        querystring: z.object({ ...asOfQuery }),
        response: {
          200: explanationSchema,
          ...errors,
        },
      },
    },
    async (request) => {
      const segment = await getSegment(request.db, request.params.id);
      return explainMember(request.db, scopeOf(request), segment, request.params.partnerId, request.query.asOf);
    },
  );

  app.get(
    '/partners/:id/segments',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['partners', 'segments'],
        summary: 'The segments a partner is in (stored ones read, dynamic ones evaluated)',
        params: idParams,
        querystring: z.object({ ...asOfQuery }),
        response: {
          200: z.object({ items: z.array(partnerSegmentSchema) }),
          404: errorSchema,
        },
      },
    },
    async (request) => {
      return { items: await partnerSegments(request.db, scopeOf(request), request.params.id, request.query.asOf) };
    },
  );
};
