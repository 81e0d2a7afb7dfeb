import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../app/services.js';
import type { JobRegistry } from '../domain/jobs/job-registry.js';
import type { Database } from '../storage/database.js';

/** What route handlers need from the running service. */
export interface AppContext {
  readonly db: Database;
  /**
   * The wired services of `db` (src/app/services.ts); buildApp makes them when none are given.
   * `segmenta serve` gives them with its schedulers.
   */
  readonly services?: Services;
  /** Custom SQL segments are allowed (an administrator's setting: SEGMENTA_ALLOW_CUSTOM_SQL=1). */
  readonly allowCustomSql?: boolean;
  /** Background jobs (Generate with progress); buildApp makes one when none is given. */
  readonly jobs?: JobRegistry;
}

/** What route modules get: the context, with the services and the job registry always there. */
export interface RouteContext extends AppContext {
  readonly services: Services;
  readonly jobs: JobRegistry;
}

/** The Fastify instance routes are registered on, typed by our zod schemas. */
export type ApiInstance = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** A module of routes: registered under /api by buildApp. */
export type RouteModule = (app: ApiInstance, ctx: RouteContext) => void | Promise<void>;
