import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { JobRegistry } from '../domain/jobs/job-registry.js';
import { createServices } from '../app/services.js';
import { AppError } from '../errors/app-error.js';
import type { AppContext, RouteContext } from './context.js';
import { errorHandler, MAX_PARAM_LENGTH } from './error-handler.js';
import { installJsonBodyParser, JSON_BODY_LIMIT } from './json-body.js';
import { ROUTE_MODULES } from './routes/index.js';
import { strictBodies } from './strict-bodies.js';
import { credentialsAuthenticator, installAccessControl, SECURITY_SCHEMES } from './access.js';
import { installAudit } from './audit.js';
import { installCallerLimits } from './limits.js';
import { installSecurityHeaders } from './security-headers.js';
import { installRequestDatabase } from './request-database.js';
import { DEFAULT_WEB_ROOT, registerWebUi } from './web-ui.js';
import { withCustomSqlAllowed } from '../domain/segments/custom-sql/policy.js';

export interface AppOptions {
  /** Log requests (the server does; tests do not). */
  readonly logger?: boolean;
  /** Largest accepted request body in bytes (default 10 MB; imports stream and have their own limit). */
  readonly bodyLimit?: number;
  /** Folder of the built web UI served at `/` (default: the package's dist/web). */
  readonly webRoot?: string;
  /** Heavy requests (exports, reports, refreshes) one user or key may run at once (default 2; docs/security.md). */
  readonly heavyPerCaller?: number;
}

/**
 * Builds the HTTP application without listening, so tests can `inject` requests.
 * Every route's zod schema both validates requests and feeds `/api/openapi.json`.
 */
export async function buildApp(ctx: AppContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? JSON_BODY_LIMIT,
    // Ids in paths (partners, segments…) are short; a longer one is refused as BAD_URL.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // A bad URL (`/api/segments/%`) is answered in our error shape too.
    frameworkErrors: (error, request, reply) => {
      void errorHandler(error, request, reply);
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  installJsonBodyParser(app);
  // Before any route is added: every body schema refuses fields it does not name.
  app.addHook('onRoute', strictBodies);
  // Security headers (CSP and the rest) on every answer, the API's and the web UI's.
  await installSecurityHeaders(app);
  const services = ctx.services ?? createServices(ctx.db, { allowCustomSql: ctx.allowCustomSql === true });
  // Every /api route declares who may call it; each request is checked against it, signed in
  // with an API key or a session cookie (parsed by the cookie plugin's hook, which runs first).
  await app.register(fastifyCookie);
  installAccessControl(app, credentialsAuthenticator(services.access));
  // Routes read through request.db: a manager's reads under row-level security (src/api/request-database.ts).
  installRequestDatabase(app, ctx.db);
  // Every write route declares what it changes; each successful write is recorded (src/api/audit.ts).
  installAudit(app, ctx.db);
  // Heavy routes run at most a few at once per caller (src/api/limits.ts).
  installCallerLimits(app, { heavyPerCaller: options.heavyPerCaller });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Segmenta API',
        description: 'Customer segmentation for trading companies: data import, segments, sales terms, reports.',
        version: '0.1.0',
      },
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  const jobs = ctx.jobs ?? new JobRegistry({ onUnexpectedError: (err, job) => app.log.error({ err, job }, 'background job failed') });
  // A job still running when the server closes finishes first: the database closes after it.
  app.addHook('onClose', () => jobs.idle());
  const routeCtx: RouteContext = { ...ctx, services, jobs };
  // Custom SQL runs only where this server allows it: in the handler and the jobs it starts.
  const allowCustomSql = ctx.allowCustomSql === true;
  app.addHook('preHandler', (_request, _reply, done) => withCustomSqlAllowed(allowCustomSql, done));
  await app.register(
    async (api) => {
      for (const module of ROUTE_MODULES) await module(api, routeCtx);
      api.get('/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());
    },
    { prefix: '/api' },
  );

  const webUi = await registerWebUi(app, options.webRoot ?? DEFAULT_WEB_ROOT);

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    // The router may not match a path whose id is too long at all: that is a bad URL, not a missing page.
    if (path.split('/').some((segment) => segment.length > MAX_PARAM_LENGTH)) {
      return reply.status(400).send(new AppError('BAD_URL', { reason: `a path parameter is longer than ${MAX_PARAM_LENGTH} characters` }).toJSON());
    }
    const page = webUi.fallback(request, reply);
    if (page) return page;
    const error = new AppError('NOT_FOUND', { path });
    return reply.status(404).send(error.toJSON());
  });
  return app;
}
