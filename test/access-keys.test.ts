/**
 * API keys and users through the admin routes: a key is shown once and stored hashed, records
 * its last use, and stops working when revoked; users' passwords, logins and managers are
 * checked; the last admin stays. On every engine.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { createServices, type Services } from '../src/app/services.js';
import { createApiKey } from '../src/domain/access/api-keys.js';
import { DEFAULT_CREDENTIAL_CACHE_MS } from '../src/domain/access/access.service.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const codeOf = (response: LightMyRequestResponse) => response.json<{ error?: { code: string } }>().error?.code;

describe.each(ENGINES)('API keys and users on $name', (engine) => {
  let db: Database;
  let services: Services;
  let app: FastifyInstance;
  let adminKey: string;

  beforeAll(async () => {
    db = await engine.create();
    await db.run("INSERT INTO managers (id, name) VALUES ('M1', 'Первый'), ('M2', 'Второй')");
    services = createServices(db);
    app = await buildApp({ db, services });
    adminKey = (await createApiKey(db, { name: 'keys test', role: 'admin' })).key;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const as = (key: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });

  it('makes a key, shows it once, stores only its hash, records its use, and revokes it at once', async () => {
    const created = await as(adminKey, 'POST', '/api/keys', { name: '1C exchange', role: 'manager', managerIds: ['M2', 'M1'] });
    expect(created.statusCode).toBe(201);
    const body = created.json<{ key: string; id: string; lastUsedAt: string | null; createdBy: string | null }>();
    expect(body).toMatchObject({ name: '1C exchange', role: 'manager', managerIds: ['M2', 'M1'], lastUsedAt: null, revokedAt: null });
    expect(body.key).toMatch(new RegExp(`^sgk_${body.id}_[A-Za-z0-9_-]{43}$`));
    // The admin key that made it, by its id.
    const me = (await as(adminKey, 'GET', '/api/auth/me')).json<{ id: string }>();
    expect(body.createdBy).toBe(me.id);
    const secret = body.key.slice(`sgk_${body.id}_`.length);

    // Shown once: neither the list nor the table holds it.
    const list = await as(adminKey, 'GET', '/api/keys');
    expect(list.body).not.toContain(secret);
    expect(list.json<{ items: { id: string }[] }>().items.map((k) => k.id)).toContain(body.id);
    const rows = await db.query('SELECT * FROM api_keys');
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(await db.query('SELECT secret_hash FROM api_keys WHERE id = $1', [body.id])).toEqual([{ secret_hash: sha256(secret) }]);

    // It signs in with its role and managers, and its last use is recorded.
    expect((await as(body.key, 'GET', '/api/auth/me')).json()).toEqual({ kind: 'key', id: body.id, name: '1C exchange', role: 'manager', managerIds: ['M2', 'M1'], csrfToken: null });
    expect(codeOf(await as(body.key, 'GET', '/api/keys'))).toBe('ACCESS_DENIED');
    const [used] = await db.query<{ last_used_at: string | null }>('SELECT last_used_at FROM api_keys WHERE id = $1', [body.id]);
    expect(Math.abs(Date.parse(used!.last_used_at!) - Date.now())).toBeLessThan(60_000);

    // Revoked: refused on the next request (the server's cached credentials are forgotten).
    expect((await as(adminKey, 'DELETE', `/api/keys/${body.id}`)).statusCode).toBe(204);
    const refused = await as(body.key, 'GET', '/api/auth/me');
    expect(refused.statusCode).toBe(401);
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    expect(codeOf(await as(adminKey, 'DELETE', `/api/keys/${body.id}`))).toBe('ENTITY_NOT_FOUND');
    expect((await as(adminKey, 'GET', '/api/keys')).json<{ items: { id: string; revokedAt: string | null }[] }>().items.find((k) => k.id === body.id)?.revokedAt).not.toBeNull();
  });

  it('sees a key revoked by another process within the cache time, and not later', async () => {
    const { key, info } = await createApiKey(db, { name: 'cached', role: 'analyst' });
    const t0 = Date.now();
    expect(await services.access.authenticateKey(key, t0)).not.toBeNull();
    // As `segmenta keys revoke` does it, in its own process: this server's cache is not told.
    await db.run("UPDATE api_keys SET revoked_at = CAST('2026-01-01 00:00:00' AS TIMESTAMP) WHERE id = $1", [info.id]);
    expect(await services.access.authenticateKey(key, t0 + DEFAULT_CREDENTIAL_CACHE_MS - 1)).not.toBeNull();
    expect(await services.access.authenticateKey(key, t0 + DEFAULT_CREDENTIAL_CACHE_MS)).toBeNull();
    expect(DEFAULT_CREDENTIAL_CACHE_MS).toBe(5_000);
  });

  it("checks a key's role and managers", async () => {
    const refuse = async (payload: object, code: string, text: string) => {
      const response = await as(adminKey, 'POST', '/api/keys', payload);
      expect(codeOf(response), JSON.stringify(payload)).toBe(code);
      expect(response.body).toContain(text);
    };
    await refuse({ name: 'm', role: 'manager' }, 'VALIDATION_FAILED', 'the manager role needs at least one manager id');
    await refuse({ name: 'm', role: 'manager', managerIds: ['M1', 'M9'] }, 'MANAGER_UNKNOWN', 'M9');
    await refuse({ name: 'a', role: 'analyst', managerIds: ['M1'] }, 'VALIDATION_FAILED', 'only the manager role covers managers');
    await refuse({ name: 'x', role: 'root' }, 'VALIDATION_FAILED', 'role');
    await refuse({ name: 'x', role: 'admin', secret: 'mine' }, 'VALIDATION_FAILED', 'secret');
  });

  it('adds users with checked logins, passwords and managers; never answers a password hash', async () => {
    const added = await as(adminKey, 'POST', '/api/users', { login: 'Olga.K', role: 'manager', managerIds: ['M1'], password: 'olga-password-1' });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ login: 'olga.k', role: 'manager', managerIds: ['M1'], disabled: false, failedLogins: 0, lockedUntil: null });
    expect(codeOf(await as(adminKey, 'POST', '/api/users', { login: 'OLGA.K', role: 'analyst', password: 'another-password' }))).toBe('USER_EXISTS');
    const short = await as(adminKey, 'POST', '/api/users', { login: 'pavel', role: 'analyst', password: '123456789' });
    expect(codeOf(short)).toBe('VALIDATION_FAILED');
    expect(short.body).toContain('password');
    expect(codeOf(await as(adminKey, 'POST', '/api/users', { login: 'pavel', role: 'manager', password: 'pavel-password' }))).toBe('VALIDATION_FAILED');
    expect(codeOf(await as(adminKey, 'POST', '/api/users', { login: 'pavel', role: 'manager', managerIds: ['nobody'], password: 'pavel-password' }))).toBe('MANAGER_UNKNOWN');
    expect(codeOf(await as(adminKey, 'POST', '/api/users', { login: 'bad login', role: 'analyst', password: 'pavel-password' }))).toBe('VALIDATION_FAILED');
    expect(codeOf(await as(adminKey, 'POST', '/api/users', { login: 'pavel', role: 'analyst', password: 'pavel-password', isAdmin: true }))).toBe('VALIDATION_FAILED');
    const list = await as(adminKey, 'GET', '/api/users');
    expect(list.json<{ items: { login: string }[] }>().items.map((u) => u.login)).toEqual(['olga.k']);
    expect(list.body).not.toContain('argon2');
    expect(codeOf(await as(adminKey, 'PATCH', '/api/users/no-such-user', { disabled: true }))).toBe('ENTITY_NOT_FOUND');
    const olga = added.json<{ id: string }>().id;
    expect(codeOf(await as(adminKey, 'PATCH', `/api/users/${olga}`, { managerIds: [] }))).toBe('VALIDATION_FAILED');
    expect((await as(adminKey, 'PATCH', `/api/users/${olga}`, { managerIds: ['M1', 'M2'] })).json()).toMatchObject({ managerIds: ['M1', 'M2'] });
  });

  it('keeps the last enabled admin: it can be neither disabled nor demoted', async () => {
    const first = (await as(adminKey, 'POST', '/api/users', { login: 'root', role: 'admin', password: 'root-password-1' })).json<{ id: string }>();
    expect(codeOf(await as(adminKey, 'PATCH', `/api/users/${first.id}`, { disabled: true }))).toBe('LAST_ADMIN');
    expect(codeOf(await as(adminKey, 'PATCH', `/api/users/${first.id}`, { role: 'analyst' }))).toBe('LAST_ADMIN');
    const second = (await as(adminKey, 'POST', '/api/users', { login: 'root2', role: 'admin', password: 'root-password-2' })).json<{ id: string }>();
    expect((await as(adminKey, 'PATCH', `/api/users/${first.id}`, { disabled: true })).statusCode).toBe(200);
    expect(codeOf(await as(adminKey, 'PATCH', `/api/users/${second.id}`, { role: 'manager', managerIds: ['M1'] }))).toBe('LAST_ADMIN');
  });
});
