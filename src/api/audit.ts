import { isApiRoute } from './access.js';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { actorOf, idOf, loadState, recordAudit } from '../domain/access/audit.js';
import type { Database } from '../storage/database.js';

/**
 * The audit log of the API (docs/security.md#audit-log). Every write route under /api — POST,
 * PUT, PATCH, DELETE — declares `config.audit`: what entity it changes and how to read that
 * entity's state, or `false` for a route that only reads (an order priced, a rule previewed).
 * The app refuses to start with a write route that declares neither, so a new one cannot go
 * unrecorded by omission. The hooks read the state before the handler and after it succeeded,
 * and append one row per successful write (2xx) — and per write refused for the caller's role
 * (403) — with the caller (`request.principal`).
 */

/** What a write route changes, for the audit log. */
export interface AuditSpec {
  /** The kind of entity: segment, agreement, matrix… */
  readonly entity: string;
  /** `<entity>.<verb>`; by default the entity with create (POST), update (PUT, PATCH) or delete (DELETE). */
  readonly action?: string;
  /**
   * The entity's id in the request (default: the path's `id`, else none). When there is none
   * before the handler (a create), the `id` of what the route answers is taken.
   */
  readonly id?: (request: FastifyRequest) => string | null;
  /** The entity's current state by id (what `before` and `after` record); a 404 means it does not exist (null). */
  readonly load?: (id: string) => Promise<unknown>;
  /**
   * What `after` records: `load` (the state read again; the default when `load` is given),
   * `response` (what the route answered; the default otherwise), or a function of both.
   */
  readonly after?: 'load' | 'response' | ((c: { readonly state: unknown; readonly response: unknown; readonly request: FastifyRequest }) => unknown);
  /** Field names that look secret but are not in this entity (a matrix quadrant's `key`). */
  readonly keep?: readonly string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a write route changes (the audit log records it), or false for a route that writes nothing. */
    audit?: AuditSpec | false;
  }
}

/** Ids taken from the request, for `AuditSpec.id`. */
export const auditId = {
  /** A path parameter. */
  param:
    (name: string) =>
    (request: FastifyRequest): string | null => {
      const value = (request.params as Record<string, unknown> | undefined)?.[name];
      return typeof value === 'string' ? value : null;
    },
  /** A field of the JSON body. */
  body:
    (name: string) =>
    (request: FastifyRequest): string | null => {
      const value = (request.body as Record<string, unknown> | null | undefined)?.[name];
      return typeof value === 'string' ? value : null;
    },
  /** A fixed id: one of a kind (the RFM settings). */
  fixed: (id: string) => (): string => id,
};

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const DEFAULT_VERB: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };

const methodsOf = (route: RouteOptions): string[] => (Array.isArray(route.method) ? route.method : [route.method]).map((m) => String(m).toUpperCase());

/** The action a route records for a method. */
export const actionOf = (spec: AuditSpec, method: string): string => spec.action ?? `${spec.entity}.${DEFAULT_VERB[method] ?? method.toLowerCase()}`;

/** onRoute: refuses a write route without an audit declaration, and says in its OpenAPI entry what it records. */
export function declareAudit(route: RouteOptions): void {
  if (!isApiRoute(route.url)) return;
  const writes = methodsOf(route).filter((m) => WRITE_METHODS.has(m));
  if (writes.length === 0) return;
  const audit = route.config?.audit;
  if (audit === undefined) {
    throw new Error(`${writes.join(', ')} ${route.url} declares no audit: add config.audit = { entity, load?, … } (what it changes, src/api/audit.ts), or false when it writes nothing`);
  }
  if (audit === false) return;
  if (!route.schema) route.schema = {};
  const schema = route.schema as Record<string, unknown>;
  const note = `Recorded in the audit log as \`${actionOf(audit, writes[0]!)}\`.`;
  schema.description = typeof schema.description === 'string' && schema.description !== '' ? `${schema.description}\n\n${note}` : note;
}

interface Pending {
  readonly spec: AuditSpec;
  readonly id: string | null;
  readonly before: unknown;
}

const stateOf = (spec: AuditSpec, id: string | null): Promise<unknown> => loadState(spec.load, id);

function responseOf(reply: FastifyReply, payload: unknown): unknown {
  if (typeof payload !== 'string' || payload === '') return undefined;
  const type = reply.getHeader('content-type');
  if (typeof type !== 'string' || !type.includes('json')) return undefined;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return undefined;
  }
}

/** Installs the hooks: call before any route is added, after the access control (it reads `request.principal`). */
export function installAudit(app: FastifyInstance, db: Database): void {
  const pending = new WeakMap<FastifyRequest, Pending>();
  app.addHook('onRoute', declareAudit);

  // After validation and the access check, before the handler: the state it starts from.
  app.addHook('preHandler', async (request) => {
    const spec = request.routeOptions.config.audit;
    if (!spec || !WRITE_METHODS.has(request.method)) return;
    const id = (spec.id ?? auditId.param('id'))(request);
    pending.set(request, { spec, id, before: await stateOf(spec, id) });
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const spec = request.routeOptions.config.audit;
    if (!spec || !WRITE_METHODS.has(request.method)) return payload;
    const status = reply.statusCode;
    const route = request.routeOptions.url ?? null;
    const base = { actor: actorOf(request.principal), action: actionOf(spec, request.method), entity: spec.entity, method: request.method, route, status, keep: spec.keep ?? [] };
    try {
      if (status === 403 && request.principal) {
        // Refused for the caller's role before anything ran: who tried what.
        await recordAudit(db, { ...base, entityId: (spec.id ?? auditId.param('id'))(request) });
        return payload;
      }
      const started = pending.get(request);
      if (status < 200 || status >= 300 || !started) return payload;
      const response = responseOf(reply, payload);
      const id = started.id ?? idOf(response);
      const mode = spec.after ?? (spec.load ? 'load' : 'response');
      const state = mode === 'response' ? undefined : await stateOf(spec, id);
      const after = mode === 'load' ? state : mode === 'response' ? response : mode({ state, response, request });
      await recordAudit(db, { ...base, entityId: id, before: started.before, after: after ?? null });
    } catch (err) {
      // The write is done and answered; a failure to record it is the server's to report.
      request.log.error({ err, route, action: base.action }, 'the audit log could not record a write');
    }
    return payload;
  });
}
