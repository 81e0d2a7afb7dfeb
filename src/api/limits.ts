import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { errorSchema } from './schemas.js';

/**
 * Limits per caller (docs/security.md#limits-per-caller). Routes whose work is heavy — file
 * exports, reports, analytics over the whole base, refreshes — declare `config.heavy: true`;
 * one caller (a user or an API key) runs at most `heavyPerCaller` of them at once, so one
 * caller cannot take every connection and core from the others. One more is answered 429
 * TOO_MANY_CONCURRENT_REQUESTS with Retry-After. A request holds its place until both its
 * response is closed (sent, or the client went away) and its handler has returned: a client
 * that drops a request does not get its place back while the server still works for it.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's work is heavy: counted against the caller's limit of such requests at once. */
    heavy?: boolean;
  }
}

/** Heavy requests one caller may have running at once, by default. */
export const DEFAULT_HEAVY_PER_CALLER = 2;
/** Seconds a refused caller is told to wait (Retry-After). */
export const RETRY_AFTER_SECONDS = 2;

/** One heavy request's place: freed when the response is closed and the handler has returned. */
class Place {
  private closed = false;
  private started = false;
  private settled = false;
  private freed = false;
  constructor(private readonly free: () => void) {}
  close(): void {
    this.closed = true;
    this.check();
  }
  start(): void {
    this.started = true;
  }
  settle(): void {
    this.settled = true;
    this.check();
  }
  private check(): void {
    if (this.freed || !this.closed || (this.started && !this.settled)) return;
    this.freed = true;
    this.free();
  }
}

export interface CallerLimits {
  /** Heavy requests running now, per caller (`key:<id>`, `user:<id>`): for tests and diagnostics. */
  running(): ReadonlyMap<string, number>;
}

/** Installs the limit: call after the access control (it reads `request.principal`), before any route. */
export function installCallerLimits(app: FastifyInstance, options: { readonly heavyPerCaller?: number } = {}): CallerLimits {
  const limit = options.heavyPerCaller ?? DEFAULT_HEAVY_PER_CALLER;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`heavyPerCaller must be a whole number above 0, got ${limit}`);
  const running = new Map<string, number>();
  const places = new WeakMap<FastifyRequest, Place>();

  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.config?.heavy !== true) return;
    if (!route.schema) route.schema = {};
    const schema = route.schema as Record<string, unknown>;
    const note = `Heavy: a caller runs at most ${limit} such requests at once (429 TOO_MANY_CONCURRENT_REQUESTS beyond).`;
    schema.description = typeof schema.description === 'string' && schema.description !== '' ? `${schema.description}\n\n${note}` : note;
    schema.response = { ...(schema.response ?? {}), 429: errorSchema };
    const handler = route.handler;
    route.handler = async function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      const place = places.get(request);
      place?.start();
      try {
        return await handler.call(this, request, reply);
      } finally {
        place?.settle();
      }
    };
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.routeOptions.config.heavy !== true || !request.principal) return;
    const caller = `${request.principal.kind}:${request.principal.id}`;
    const now = running.get(caller) ?? 0;
    if (now >= limit) {
      void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      throw new AppError('TOO_MANY_CONCURRENT_REQUESTS', { running: now, limit });
    }
    running.set(caller, now + 1);
    const place = new Place(() => {
      const left = (running.get(caller) ?? 1) - 1;
      if (left > 0) running.set(caller, left);
      else running.delete(caller);
    });
    places.set(request, place);
    reply.raw.once('close', () => place.close());
  });

  return { running: () => running };
}
