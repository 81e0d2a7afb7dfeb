import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { loginAnswerSchema, loginBodySchema, meAnswerSchema } from '../../domain/access/access-api.schema.js';
import { managerIdsOf, scopeForRole } from '../../domain/access/principal.js';
import { SESSION_COOKIE, SESSION_LIFETIME_MS } from '../../domain/access/sessions.js';
import { AppError, isAppError } from '../../errors/app-error.js';
import { auditId } from '../audit.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

const tags = ['access'];

/** The session cookie: out of scripts' reach, never sent by another site's page, over https only when served so. */
function cookieOptions(request: FastifyRequest) {
  return { httpOnly: true, sameSite: 'strict' as const, path: '/', secure: request.protocol === 'https' };
}

/** A refusal that says how long to wait also says it as Retry-After. */
function withRetryAfter(reply: FastifyReply, error: unknown): unknown {
  if (isAppError(error) && typeof error.details.retryAfterSeconds === 'number') void reply.header('retry-after', String(error.details.retryAfterSeconds));
  return error;
}

/** Signing in and out with a login and a password (docs/security.md, "Sessions"). */
export const authRoutes: RouteModule = (app, ctx) => {
  const { access } = ctx.services;

  app.post(
    '/auth/login',
    {
      // Recorded by login (the answer's CSRF token is redacted); failures count on the user instead.
      config: { access: 'public', audit: { entity: 'session', action: 'user.sign-in', id: auditId.body('login'), after: 'response' } },
      schema: {
        tags,
        summary: 'Sign in: sets the HttpOnly session cookie and answers the user and the CSRF token for writes',
        description: 'Five failures in a row lock the login (1 minute, doubling up to an hour); an address may try 10 times a minute. An unknown login and a wrong password are answered alike.',
        body: loginBodySchema,
        response: { 200: loginAnswerSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 429: errorSchema },
      },
    },
    async (request, reply) => {
      try {
        const { user, session } = await access.login(request.body.login, request.body.password, request.ip);
        // From here the request is the user's: the audit log records the sign-in as made by them.
        request.principal = { kind: 'user', id: user.id, name: user.login, role: user.role, scope: scopeForRole(user.role, user.managerIds) };
        void reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions(request), maxAge: Math.floor(SESSION_LIFETIME_MS / 1000) });
        return { user: { id: user.id, login: user.login, role: user.role, managerIds: [...user.managerIds] }, csrfToken: session.csrfToken };
      } catch (error) {
        throw withRetryAfter(reply, error);
      }
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { access: 'manager', audit: { entity: 'session', action: 'user.sign-out', id: (request) => request.principal?.id ?? null, after: () => null } },
      schema: { tags, summary: 'Sign out: ends the session and clears its cookie (an API key stays valid)', response: { 204: z.null(), 401: errorSchema, 403: errorSchema } },
    },
    async (request, reply) => {
      if (request.credentials) await access.logout(request.credentials);
      void reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      config: { access: 'manager' },
      schema: { tags, summary: 'Who is signed in: the user or key, its role and managers, and the CSRF token of a session', response: { 200: meAnswerSchema, 401: errorSchema } },
    },
    async (request) => {
      const credentials = request.credentials;
      if (!credentials) throw new AppError('UNAUTHENTICATED', { reason: 'no credentials were sent' });
      const { principal } = credentials;
      return { kind: principal.kind, id: principal.id, name: principal.name, role: principal.role, managerIds: [...managerIdsOf(principal)], csrfToken: credentials.csrfToken };
    },
  );
};
