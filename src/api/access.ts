import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { authenticateApiKey, touchApiKey } from '../domain/access/api-keys.js';
import { roleAllows, type Access, type PartnerScope, type Principal } from '../domain/access/principal.js';
import { AppError } from '../errors/app-error.js';
import type { Database } from '../storage/database.js';

/**
 * Who may call what (docs/security.md). Every route under /api declares `config.access`: the
 * app refuses to start with one that does not, so a new route cannot be open by omission.
 * A request to a route that is not `public` must carry a principal (an API key as
 * `Authorization: Bearer <key>`), and its role must reach the route's.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route: `public`, or the least role (admin > analyst > manager). */
    access?: Access;
  }
  interface FastifyRequest {
    /** The caller; null on public routes called without credentials. */
    principal: Principal | null;
  }
}

/** The OpenAPI security schemes, by name (referenced by every route that is not public). */
export const SECURITY_SCHEMES = {
  apiKey: { type: 'http', scheme: 'bearer', description: 'An API key made by an admin (`segmenta keys create` or the admin screen): `Authorization: Bearer sgk_…`' },
} as const;

/** Routes outside /api are the web UI's shell and assets: public by design. */
const isApiRoute = (url: string): boolean => url === '/api' || url.startsWith('/api/');

/** onRoute: refuses a route without a declared access, and writes the access into its OpenAPI entry. */
export function declareAccess(route: RouteOptions): void {
  if (!isApiRoute(route.url)) return;
  const access = route.config?.access;
  if (access === undefined) throw new Error(`${String(route.method)} ${route.url} declares no access: add config: { access: 'public' | 'manager' | 'analyst' | 'admin' }`);
  if (!route.schema) route.schema = {};
  const schema = route.schema as Record<string, unknown>;
  if (access === 'public') {
    schema.security = [];
    return;
  }
  schema.security = Object.keys(SECURITY_SCHEMES).map((name) => ({ [name]: [] }));
  const needs = access === 'manager' ? 'Any signed-in user (a manager sees only own partners).' : `Needs the ${access} role${access === 'analyst' ? ' or admin' : ''}.`;
  schema.description = typeof schema.description === 'string' && schema.description !== '' ? `${schema.description}\n\n${needs}` : needs;
}

/** Finds the caller of a request from its credentials; null when it carries none that are valid. */
export type Authenticator = (request: FastifyRequest) => Promise<Principal | null>;

export function apiKeyAuthenticator(db: Database): Authenticator {
  const touched = new Map<string, number>();
  return async (request) => {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return null;
    const principal = await authenticateApiKey(db, header.slice('Bearer '.length).trim());
    if (principal) {
      // last_used_at is a write: at most once a minute per key.
      const now = Date.now();
      if ((touched.get(principal.id) ?? 0) < now - 60_000) {
        touched.set(principal.id, now);
        await touchApiKey(db, principal.id);
      }
    }
    return principal;
  };
}

/** Installs the checks: call before any route is added. */
export function installAccessControl(app: FastifyInstance, authenticate: Authenticator): void {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', declareAccess);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config.access;
    if (access === undefined) return; // not an /api route, or no route at all (404)
    const principal = await authenticate(request);
    request.principal = principal;
    if (access === 'public') return;
    if (!principal) {
      void reply.header('www-authenticate', 'Bearer');
      throw new AppError('UNAUTHENTICATED', { reason: request.headers.authorization ? 'the key is not valid or was revoked' : 'no credentials were sent' });
    }
    if (!roleAllows(principal.role, access)) throw new AppError('ACCESS_DENIED', { needed: access, role: principal.role });
  });
}

/** The partners the caller of a (non-public) route may see. */
export function scopeOf(request: FastifyRequest): PartnerScope {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', { reason: 'no credentials were sent' });
  return request.principal.scope;
}

/** The caller of a (non-public) route: who acts, for the checks of the domain (a manager's own segments). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', { reason: 'no credentials were sent' });
  return request.principal;
}
