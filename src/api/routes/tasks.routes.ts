import { z } from 'zod';
import { dateSchema, TASK_DUE, TASK_STATUSES, taskInputSchema, taskPatchSchema } from '../../domain/tasks/task.schema.js';
import { controlToXlsx } from '../../domain/tasks/tasks-xlsx.js';
import { scopeOf } from '../access.js';
import { getPartner } from '../../domain/partners/partners.repository.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

const tags = ['tasks'];
const ts = z.string().describe('An ISO timestamp');
export const taskSchema = z.object({
  id: z.string(),
  partner: z.object({ id: z.string(), name: z.string().nullable() }),
  managerId: z.string().nullable(),
  managerName: z.string().nullable(),
  assigneeUserId: z.string().nullable(),
  assigneeLogin: z.string().nullable(),
  subscriptionId: z.string().nullable(),
  segmentId: z.string().nullable(),
  eventId: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  dueDate: z.string(),
  status: z.enum(TASK_STATUSES),
  result: z.string().nullable(),
  createdAt: ts,
  createdBy: z.string(),
  updatedAt: ts,
  closedAt: ts.nullable(),
  closedBy: z.string().nullable(),
});
const controlRowSchema = z.object({
  managerId: z.string().nullable(),
  managerName: z.string().nullable(),
  open: z.number().int(),
  overdue: z.number().int(),
  doneOnTime: z.number().int(),
  doneLate: z.number().int(),
  cancelled: z.number().int(),
  medianHoursToClose: z.number().nullable(),
});
const idParams = z.object({ id: z.string().max(100) });
const controlQuery = z.object({ managerId: z.string().optional(), from: dateSchema.optional(), to: dateSchema.optional() }).strict();

/**
 * Tasks for managers inside Segmenta (issue 22, docs/tasks-and-mailings.md). Any signed-in user:
 * a manager sees and closes the tasks of own partners only (the scope, in the data layer); the
 * head of sales (admin or analyst) sees all, and the control view.
 */
export const tasksRoutes: RouteModule = (app, ctx) => {
  const { tasks } = ctx.services;
  const actor = (request: { principal: { id: string; name: string } | null }) => request.principal?.name ?? 'unknown';

  app.get(
    '/tasks',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: "Tasks: a manager's own partners' (always); everyone's for the head (mine=true: those assigned to the caller)",
        querystring: z
          .object({
            status: z.enum(TASK_STATUSES).optional(),
            due: z.enum(TASK_DUE).optional().describe('Open tasks due today, overdue, or later'),
            managerId: z.string().optional(),
            partnerId: z.string().optional(),
            mine: z.enum(['true', 'false']).optional().describe('Only the tasks assigned to the caller'),
            limit: z.coerce.number().int().min(1).max(5000).default(500),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(taskSchema) }) },
      },
    },
    async (request) => {
      const q = request.query;
      return {
        items: await tasks.list(request.db, scopeOf(request), {
          limit: q.limit,
          ...(q.status ? { status: q.status } : {}),
          ...(q.due ? { due: q.due } : {}),
          ...(q.managerId ? { managerId: q.managerId } : {}),
          ...(q.partnerId ? { partnerId: q.partnerId } : {}),
          ...(q.mine === 'true' && request.principal ? { assigneeUserId: request.principal.id } : {}),
        }),
      };
    },
  );

  app.post(
    '/tasks',
    {
      config: { access: 'manager', audit: { entity: 'task' } },
      schema: { tags, summary: 'Make a task by hand for a partner (of own partners, for a manager)', body: taskInputSchema, response: { 201: taskSchema, 400: errorSchema, 404: errorSchema } },
    },
    async (request, reply) => reply.status(201).send(await tasks.create(request.body, actor(request), scopeOf(request))),
  );

  app.get(
    '/tasks/control',
    {
      config: { access: 'analyst' },
      schema: {
        tags,
        summary: 'Control for the head of sales: per manager open, overdue, done on time and late, the median hours to close (tasks made in the period)',
        querystring: controlQuery,
        response: { 200: z.object({ items: z.array(controlRowSchema) }) },
      },
    },
    async (request) => ({ items: await tasks.control(request.db, request.query) }),
  );

  app.get(
    '/tasks/control.xlsx',
    {
      config: { access: 'analyst', heavy: true },
      schema: { tags, summary: 'The control view as an XLSX workbook (per manager, and every task)', querystring: controlQuery.extend({ lang: z.enum(['ru', 'en']).default('ru') }) },
    },
    async (request, reply) => {
      const { lang, ...filter } = request.query;
      const rows = await tasks.control(request.db, filter);
      const all = await tasks.list(request.db, scopeOf(request), { limit: 100_000, ...(filter.managerId ? { managerId: filter.managerId } : {}) });
      const inPeriod = all.filter((t) => (!filter.from || t.createdAt.slice(0, 10) >= filter.from) && (!filter.to || t.createdAt.slice(0, 10) <= filter.to));
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', 'attachment; filename="tasks-control.xlsx"')
        .send(await controlToXlsx(rows, inPeriod, lang));
    },
  );

  app.get(
    '/tasks/:id',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'One task with its history',
        params: idParams,
        response: {
          200: taskSchema.extend({ history: z.array(z.object({ at: ts, actor: z.string(), action: z.string(), status: z.enum(TASK_STATUSES), note: z.string().nullable() })) }),
          404: errorSchema,
        },
      },
    },
    async (request) => ({ ...(await tasks.get(request.db, scopeOf(request), request.params.id)), history: await tasks.history(request.db, scopeOf(request), request.params.id) }),
  );

  app.patch(
    '/tasks/:id',
    {
      config: { access: 'manager', audit: { entity: 'task', load: (id) => tasks.get(ctx.db, { all: true }, id) } },
      schema: {
        tags,
        summary: 'Close a task with a result (status done or cancelled), reopen it, or change its texts and deadline',
        params: idParams,
        body: taskPatchSchema,
        response: { 200: taskSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (request) => tasks.update(request.params.id, request.body, actor(request), scopeOf(request)),
  );

  app.get(
    '/partners/:id/tasks',
    {
      config: { access: 'manager' },
      schema: { tags, summary: "A partner's tasks (of own partners, for a manager)", params: idParams, response: { 200: z.object({ items: z.array(taskSchema) }) } },
    },
    async (request) => {
      // A partner outside the scope (or none) is not found, as on every partner route.
      await getPartner(request.db, scopeOf(request), request.params.id);
      return { items: await tasks.list(request.db, scopeOf(request), { partnerId: request.params.id }) };
    },
  );
};
