import { z } from 'zod';

/**
 * The audit log's API shapes (docs/security.md#audit-log): `GET /api/audit` and
 * `GET /api/audit/{id}` answer with them. Pure (zod only): the web UI imports the types.
 */

/** Who made a change: a signed-in user, an API key, a `segmenta` command (the OS user), or nobody signed in (a public route). */
export const AUDIT_ACTOR_KINDS = ['user', 'key', 'cli', 'anonymous'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

export const auditEntrySchema = z
  .object({
    id: z.number().int(),
    occurredAt: z.string().describe('ISO 8601 timestamp, UTC'),
    actorKind: z.enum(AUDIT_ACTOR_KINDS),
    actorId: z.string().nullable().describe("The user's or key's id; the OS user for cli; null for anonymous"),
    actorName: z.string().nullable().describe("The user's login or the key's name, for display"),
    action: z.string().describe('What was done, `<entity>.<verb>`: segment.create, segment.update, segment.members.add, agreement.delete, import.run…'),
    entity: z.string().describe('The kind of thing changed: segment, agreement, discount, discount-table, matrix, analytics-settings, import…'),
    entityId: z.string().nullable().describe('Its id (for an import the imported entity; null for an action on many)'),
    method: z.string().nullable().describe('HTTP method; null for the CLI'),
    route: z.string().nullable().describe('The route as declared (`/api/segments/:id`), or the CLI command'),
    before: z.unknown().describe('The entity as it was before (JSON; null when it did not exist); secrets redacted'),
    after: z.unknown().describe('The entity as it is after (JSON; null once deleted), or what the action answered; secrets redacted'),
    status: z.number().int().describe('The HTTP status answered: 2xx done, 403 refused (the role may not)'),
  })
  .meta({ id: 'AuditEntry' });

export type AuditEntry = z.output<typeof auditEntrySchema>;

export const auditPageSchema = z
  .object({
    items: z.array(auditEntrySchema).describe('Newest first'),
    total: z.number().int().describe('Entries matching the filters'),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .meta({ id: 'AuditPage' });

export type AuditPage = z.output<typeof auditPageSchema>;

const moment = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/, 'a date YYYY-MM-DD or an ISO 8601 timestamp')
  .refine((v) => !Number.isNaN(Date.parse(v)), 'not a real date');

/** The filters of `GET /api/audit` (the query string). */
export const auditQuerySchema = z.object({
  entity: z.string().min(1).max(100).optional().describe('Only this kind of entity (segment, agreement…)'),
  entityId: z.string().min(1).max(500).optional().describe('Only this entity id'),
  actor: z.string().min(1).max(200).optional().describe("Only this user's or key's id or name (exact)"),
  actorKind: z.enum(AUDIT_ACTOR_KINDS).optional(),
  action: z.string().min(1).max(100).optional().describe('Only this action (segment.update), or every action of a prefix ending with a dot (segment.)'),
  from: moment.optional().describe('From this moment on (a date means its start, UTC)'),
  to: moment.optional().describe('Up to this moment (a date means up to its end, UTC)'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export type AuditQuery = z.output<typeof auditQuerySchema>;
