import { z } from 'zod';
import { getAuditEntry, listAudit } from '../../domain/access/audit.js';
import { auditEntrySchema, auditPageSchema, auditQuerySchema } from '../../domain/access/audit.schema.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

/** The audit log (docs/security.md#audit-log): for admins only. */
export const auditRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/audit',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'Who changed what and when: every write through the API and the CLI, newest first',
        description:
          'Filters: entity, entityId, actor (a user or key id or name), actorKind, action (exact, or a prefix ending with "." such as "segment."), from and to (dates or ISO timestamps, UTC).',
        querystring: auditQuerySchema,
        response: { 200: auditPageSchema, 400: errorSchema },
      },
    },
    async (request) => listAudit(ctx.db, request.query),
  );

  app.get(
    '/audit/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'One entry of the audit log',
        params: z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
        response: { 200: auditEntrySchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => getAuditEntry(ctx.db, request.params.id),
  );
};
