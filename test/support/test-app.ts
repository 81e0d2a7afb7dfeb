/**
 * The API for tests, signed in: buildApp, plus an API key of the given role (admin by default)
 * sent with every `inject` that does not bring its own `authorization` header. Tests of access
 * control itself use buildApp and send their own credentials.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp, type AppOptions } from '../../src/api/app.js';
import type { AppContext } from '../../src/api/context.js';
import { createApiKey } from '../../src/domain/access/api-keys.js';
import type { Role } from '../../src/domain/access/principal.js';

export interface TestAppOptions extends AppOptions {
  readonly role?: Role;
  readonly managerIds?: readonly string[];
}

export interface TestApp extends FastifyInstance {
  /** The key every inject sends: for requests made another way (fetch to a listening app). */
  readonly testKey: string;
}

export async function buildTestApp(ctx: AppContext, options: TestAppOptions = {}): Promise<TestApp> {
  const app = await buildApp(ctx, options);
  const { key } = await createApiKey(ctx.db, { name: `test ${options.role ?? 'admin'}`, role: options.role ?? 'admin', managerIds: options.managerIds ?? [] });
  const inject = app.inject.bind(app);
  const signedIn = (opts: InjectOptions | string) => {
    const given: InjectOptions = typeof opts === 'string' ? { url: opts } : opts;
    const headers = { ...(given.headers ?? {}) } as Record<string, string>;
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) headers.authorization = `Bearer ${key}`;
    return inject({ ...given, headers });
  };
  return Object.assign(app, { inject: signedIn, testKey: key });
}
