import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ScoreScheduler } from '../domain/analytics/score-scheduler.js';
import type { SegmentScheduler } from '../domain/segments/scheduler.js';
import type { Database } from '../storage/database.js';

/** What route handlers need from the running service. */
export interface AppContext {
  readonly db: Database;
  /** Runs periodic segments on their schedules (only in `segmenta serve`). */
  readonly scheduler?: SegmentScheduler;
  /** Refreshes RFM scores and the renew index on their schedules (only in `segmenta serve`). */
  readonly scoreScheduler?: ScoreScheduler;
  /** Custom SQL segments are allowed (an administrator's setting: SEGMENTA_ALLOW_CUSTOM_SQL=1). */
  readonly allowCustomSql?: boolean;
}

/** The Fastify instance routes are registered on, typed by our zod schemas. */
export type ApiInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A module of routes: registered under /api by buildApp. */
export type RouteModule = (app: ApiInstance, ctx: AppContext) => void | Promise<void>;
