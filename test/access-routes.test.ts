/**
 * Every route declares who may call it, and the server holds to it: the walk takes every
 * operation of the OpenAPI document (so a route added tomorrow is walked too) and calls it
 * anonymously, with a manager key and with an analyst key. The role a route needs is read from
 * the document itself (its `security` and the sentence declareAccess writes into its
 * description), so the document and the enforcement cannot drift apart. On every engine.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { createApiKey } from '../src/domain/access/api-keys.js';
import type { Access } from '../src/domain/access/principal.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

interface Operation {
  readonly method: string;
  /** The path as the document writes it (`/api/segments/{id}`). */
  readonly path: string;
  /** The path with every parameter filled with a dummy id. */
  readonly url: string;
  readonly security: unknown;
  readonly access: Access | 'unknown';
}

/** The only operations anyone may call without signing in (besides the hidden openapi.json and the web UI's shell). */
const PUBLIC_OPERATIONS = ['GET /api/health', 'POST /api/auth/login', 'GET /api/mail/unsubscribe', 'POST /api/mail/unsubscribe'];

/** What the document says an operation needs: `security: []` is public, otherwise the sentence of declareAccess. */
function accessOf(operation: { security?: unknown; description?: string }): Access | 'unknown' {
  if (Array.isArray(operation.security) && operation.security.length === 0) return 'public';
  const description = operation.description ?? '';
  if (description.includes('Needs the admin role.')) return 'admin';
  if (description.includes('Needs the analyst role or admin.')) return 'analyst';
  if (description.includes('Any signed-in user')) return 'manager';
  return 'unknown';
}

const isRefusal = (response: LightMyRequestResponse) => {
  const code = response.statusCode === 401 || response.statusCode === 403 ? response.json<{ error?: { code?: string } }>().error?.code : undefined;
  return code === 'UNAUTHENTICATED' || code === 'ACCESS_DENIED' || code === 'CSRF_TOKEN_INVALID';
};

describe.each(ENGINES)('access to every route on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  let operations: Operation[];
  const keys = { manager: '', analyst: '', admin: '' };

  beforeAll(async () => {
    db = await engine.create();
    await db.run("INSERT INTO managers (id, name) VALUES ('M1', 'Первый менеджер')");
    app = await buildApp({ db });
    keys.manager = (await createApiKey(db, { name: 'walk manager', role: 'manager', managerIds: ['M1'] })).key;
    keys.analyst = (await createApiKey(db, { name: 'walk analyst', role: 'analyst' })).key;
    keys.admin = (await createApiKey(db, { name: 'walk admin', role: 'admin' })).key;
    const doc = (await app.inject({ url: '/api/openapi.json' })).json<{
      paths: Record<string, Record<string, { security?: unknown; description?: string }>>;
      components: { securitySchemes: Record<string, unknown> };
    }>();
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        url: path.replace(/\{[^}]+\}/g, 'dummy-id'),
        security: op.security,
        access: accessOf(op),
      })),
    );
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const call = (op: Operation, key?: string) => app.inject({ method: op.method as 'GET', url: op.url, headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('documents security on every operation: [] on the public ones, both schemes on the rest, and the role in the description', () => {
    expect(operations.length).toBeGreaterThan(100);
    const unknown = operations.filter((op) => op.access === 'unknown').map((op) => `${op.method} ${op.path}`);
    expect(unknown, 'operations whose needed role the document does not say').toEqual([]);
    for (const op of operations) {
      expect(Array.isArray(op.security), `${op.method} ${op.path} has no security`).toBe(true);
      if (op.access !== 'public') expect(op.security, `${op.method} ${op.path}`).toEqual([{ apiKey: [] }, { session: [] }]);
    }
    expect(operations.filter((op) => op.access === 'public').map((op) => `${op.method} ${op.path}`)).toEqual(PUBLIC_OPERATIONS);
    // The new routes carry the roles the issue gives them.
    const accessByRoute = Object.fromEntries(operations.map((op) => [`${op.method} ${op.path}`, op.access]));
    expect(accessByRoute).toMatchObject({
      'POST /api/auth/logout': 'manager',
      'GET /api/auth/me': 'manager',
      'GET /api/users': 'admin',
      'POST /api/users': 'admin',
      'PATCH /api/users/{id}': 'admin',
      'GET /api/keys': 'admin',
      'POST /api/keys': 'admin',
      'DELETE /api/keys/{id}': 'admin',
    });
  });

  it('answers 401 to an anonymous caller on every operation but the public ones', { timeout: 120_000 }, async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      const response = await call(op);
      const refused = response.statusCode === 401 && response.json<{ error: { code: string } }>().error.code === 'UNAUTHENTICATED';
      if (refused !== (op.access !== 'public')) wrong.push(`${op.method} ${op.path} → ${response.statusCode}`);
      if (refused) expect(response.headers['www-authenticate']).toBe('Bearer');
    }
    expect(wrong).toEqual([]);
    // The document, the web UI's shell and a revoked or made-up key.
    expect((await app.inject({ url: '/api/openapi.json' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/' })).statusCode).not.toBe(401);
    expect((await app.inject({ url: '/api/partners', headers: { authorization: 'Bearer sgk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/partners', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } })).statusCode).toBe(401);
  });

  it('answers 403 to a manager key on every analyst and admin operation, and lets it call the manager ones', { timeout: 120_000 }, async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      if (op.access === 'public') continue;
      const response = await call(op, keys.manager);
      const denied = response.statusCode === 403 && response.json<{ error: { code: string } }>().error.code === 'ACCESS_DENIED';
      if (op.access === 'manager' ? isRefusal(response) : !denied) wrong.push(`${op.method} ${op.path} (${op.access}) → ${response.statusCode} ${response.body.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 403 to an analyst key on every admin operation, and lets it call the analyst and manager ones', { timeout: 180_000 }, async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      if (op.access === 'public') continue;
      const response = await call(op, keys.analyst);
      const denied = response.statusCode === 403 && response.json<{ error: { code: string } }>().error.code === 'ACCESS_DENIED';
      if (op.access === 'admin' ? !denied : isRefusal(response)) wrong.push(`${op.method} ${op.path} (${op.access}) → ${response.statusCode} ${response.body.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('lets an admin key call every operation', { timeout: 180_000 }, async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      // Signing out with a key is a no-op; the walk's own key must stay valid.
      const response = await call(op, keys.admin);
      if (isRefusal(response)) wrong.push(`${op.method} ${op.path} → ${response.statusCode} ${response.body.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('a route without a declared access', () => {
  it('stops the app from starting', async () => {
    const db = await ENGINES[0]!.create();
    try {
      const app = await buildApp({ db });
      // As a new route module would add it, under /api.
      const register = app.register(
        async (api) => {
          api.get('/unguarded', async () => ({ secret: true }));
        },
        { prefix: '/api' },
      );
      await expect(register).rejects.toThrow('GET /api/unguarded declares no access');
      await app.close().catch(() => undefined);
      // Declared, it is accepted (and refused to anonymous callers).
      const guarded = await buildApp({ db });
      await guarded.register(
        async (api) => {
          api.get('/guarded', { config: { access: 'admin' } }, async () => ({ secret: true }));
        },
        { prefix: '/api' },
      );
      expect((await guarded.inject({ url: '/api/guarded' })).statusCode).toBe(401);
      await guarded.close();
    } finally {
      await db.close();
    }
  });
});
