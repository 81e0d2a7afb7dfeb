import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { AccessService } from '../domain/access/access.service.js';
import { roleAllows, type Access, type Credentials, type PartnerScope, type Principal } from '../domain/access/principal.js';
import { SESSION_COOKIE } from '../domain/access/sessions.js';
import { AppError } from '../errors/app-error.js';

/**
 * Who may call what (docs/security.md). Every route under /api declares `config.access`: the
 * app refuses to start with one that does not, so a new route cannot be open by omission.
 * A request to a route that is not `public` must carry a principal — an API key as
 * `Authorization: Bearer <key>`, or a user's session cookie — and its role must reach the
 * route's. A write signed in with the cookie must also send the session's CSRF token.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route: `public`, or the least role (admin > analyst > manager). */
    access?: Access;
  }
  interface FastifyRequest {
    /** The caller; null on public routes called without credentials. */
    principal: Principal | null;
    /** How the caller signed in (the session's CSRF token and token hash); null without credentials. */
    credentials: Credentials | null;
  }
}

/** The OpenAPI security schemes, by name (referenced by every route that is not public). */
export const SECURITY_SCHEMES = {
  apiKey: { type: 'http', scheme: 'bearer', description: 'An API key made by an admin (`segmenta keys create` or the admin screen): `Authorization: Bearer sgk_…`' },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description:
      "The session cookie `POST /api/auth/login` sets (HttpOnly, SameSite=Strict). A write (any method but GET and HEAD) must also send the session's CSRF token as the `x-csrf-token` header.",
  },
} as const;

/** The header a cookie-signed write carries the session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Routes outside /api are the web UI's shell and assets: public by design. */
export const isApiRoute = (url: string): boolean => url === '/api' || url.startsWith('/api/');

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
export type Authenticator = (request: FastifyRequest) => Promise<Credentials | null>;

/**
 * An API key in `Authorization: Bearer`, else the session cookie. A request that sends an
 * Authorization header is judged by it alone: a bad key is not rescued by a cookie.
 */
export function credentialsAuthenticator(access: AccessService): Authenticator {
  return async (request) => {
    const header = request.headers.authorization;
    if (typeof header === 'string') return header.startsWith('Bearer ') ? access.authenticateKey(header.slice('Bearer '.length).trim()) : null;
    const token = request.cookies[SESSION_COOKIE];
    return token ? access.authenticateSession(token) : null;
  };
}

/** Installs the checks: call before any route is added, after the cookie plugin (it parses request.cookies). */
export function installAccessControl(app: FastifyInstance, authenticate: Authenticator): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('credentials', null);
  app.addHook('onRoute', declareAccess);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config.access;
    if (access === undefined) return; // not an /api route, or no route at all (404)
    const credentials = await authenticate(request);
    request.credentials = credentials;
    request.principal = credentials?.principal ?? null;
    if (access === 'public') return;
    if (!credentials) {
      void reply.header('www-authenticate', 'Bearer');
      throw new AppError('UNAUTHENTICATED', { reason: unauthenticatedReason(request) });
    }
    if (credentials.via === 'session' && !SAFE_METHODS.has(request.method)) checkCsrf(request, credentials);
    if (!roleAllows(credentials.principal.role, access)) throw new AppError('ACCESS_DENIED', { needed: access, role: credentials.principal.role });
  });
}

function unauthenticatedReason(request: FastifyRequest): string {
  if (request.headers.authorization) return 'the key is not valid or was revoked';
  if (request.cookies[SESSION_COOKIE]) return 'the session ended (signed out, expired, or the user was disabled)';
  return 'no credentials were sent';
}

/** A cookie-signed write must echo the session's CSRF token: a page of another site cannot read it. */
function checkCsrf(request: FastifyRequest, credentials: Credentials): void {
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || sent === '') throw new AppError('CSRF_TOKEN_INVALID', { reason: `no ${CSRF_HEADER} header was sent` });
  const expected = Buffer.from(credentials.csrfToken ?? '');
  const actual = Buffer.from(sent);
  if (expected.length === 0 || expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new AppError('CSRF_TOKEN_INVALID', { reason: `the ${CSRF_HEADER} header is not this session's token` });
  }
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
