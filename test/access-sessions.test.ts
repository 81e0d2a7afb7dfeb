/**
 * Signing in with a password: the session cookie, /api/auth/me, signing out, wrong passwords,
 * the lock after repeated failures, disabled users, the limit per address, session expiry, and
 * CSRF on cookie-signed writes. On every engine.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { createServices, type Services } from '../src/app/services.js';
import { createApiKey } from '../src/domain/access/api-keys.js';
import { lockFor } from '../src/domain/access/users.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';

const PASSWORDS = { boss: 'boss-password-1', ann: 'analyst-password-2', max: 'manager-password-3' } as const;

/** The `name=value` of the session cookie a response sets. */
function sessionCookie(response: LightMyRequestResponse): string {
  const header = [response.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('segmenta_session='));
  if (!header) throw new Error(`no session cookie in ${JSON.stringify(response.headers)}`);
  return header.split(';')[0]!;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const codeOf = (response: LightMyRequestResponse) => response.json<{ error?: { code: string } }>().error?.code;

describe.each(ENGINES)('sessions on $name', (engine) => {
  let db: Database;
  let services: Services;
  let app: FastifyInstance;
  let adminKey: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await engine.create();
    await db.run("INSERT INTO managers (id, name) VALUES ('M1', 'Первый'), ('M2', 'Второй')");
    // Many sign-ins from one test address: the limit per address has a test of its own.
    services = createServices(db, { access: { loginAttemptsPerMinute: 1000 } });
    ids.boss = (await services.access.addUser({ login: 'Boss', role: 'admin', password: PASSWORDS.boss })).id;
    ids.ann = (await services.access.addUser({ login: 'ann', role: 'analyst', password: PASSWORDS.ann })).id;
    ids.max = (await services.access.addUser({ login: 'max', role: 'manager', managerIds: ['M1', 'M2'], password: PASSWORDS.max })).id;
    adminKey = (await createApiKey(db, { name: 'sessions test', role: 'admin' })).key;
    app = await buildApp({ db, services });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  const login = (loginName: string, password: string, remoteAddress = '127.0.0.1') => app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: loginName, password }, remoteAddress });
  const asAdmin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${adminKey}` }, ...(payload ? { payload } : {}) });

  it('signs in: the session cookie (HttpOnly, SameSite=Strict, Path=/), the user and a CSRF token; the table holds only hashes', async () => {
    const response = await login('boss', PASSWORDS.boss);
    expect(response.statusCode).toBe(200);
    const body = response.json<{ user: object; csrfToken: string }>();
    expect(body).toEqual({ user: { id: ids.boss, login: 'boss', role: 'admin', managerIds: [] }, csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const header = [response.headers['set-cookie']].flat()[0]!;
    expect(header).toMatch(/^segmenta_session=[A-Za-z0-9_-]{43}; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(header).not.toContain('Secure'); // plain http here
    const token = sessionCookie(response).slice('segmenta_session='.length);
    const rows = await db.query<{ token_hash: string; user_id: string; csrf_token: string }>('SELECT token_hash, user_id, csrf_token FROM user_sessions');
    expect(rows).toContainEqual({ token_hash: sha256(token), user_id: ids.boss, csrf_token: body.csrfToken });
    expect(JSON.stringify(rows)).not.toContain(token);
    // Passwords are Argon2id hashes at OWASP's cost at least.
    const users = await db.query<{ password_hash: string }>('SELECT password_hash FROM users');
    for (const { password_hash } of users) expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(JSON.stringify(users)).not.toContain('password-');
    // The audit log records the sign-in as made by the user who signed in, without the CSRF token.
    const audit = await asAdmin('GET', `/api/audit?action=user.sign-in&entityId=boss`);
    const entry = audit.json<{ items: { actorKind: string; actorId: string; actorName: string; after: unknown }[] }>().items[0];
    expect(entry).toMatchObject({ actorKind: 'user', actorId: ids.boss, actorName: 'boss' });
    expect(JSON.stringify(entry)).not.toContain(body.csrfToken);
  });

  it('answers /api/auth/me for a session and for a key; the login is case-insensitive', async () => {
    const signedIn = await login('MAX', PASSWORDS.max);
    expect(signedIn.statusCode).toBe(200);
    const { csrfToken } = signedIn.json<{ csrfToken: string }>();
    const me = await app.inject({ url: '/api/auth/me', headers: { cookie: sessionCookie(signedIn) } });
    expect(me.json()).toEqual({ kind: 'user', id: ids.max, name: 'max', role: 'manager', managerIds: ['M1', 'M2'], csrfToken });
    const key = await asAdmin('GET', '/api/auth/me');
    expect(key.json()).toMatchObject({ kind: 'key', name: 'sessions test', role: 'admin', managerIds: [], csrfToken: null });
    // A manager's session may read, not write as an analyst.
    expect((await app.inject({ url: '/api/partners', headers: { cookie: sessionCookie(signedIn) } })).statusCode).toBe(200);
    const denied = await app.inject({
      method: 'POST',
      url: '/api/segments/refresh',
      headers: { cookie: sessionCookie(signedIn), 'x-csrf-token': csrfToken },
      payload: {},
    });
    expect(codeOf(denied)).toBe('ACCESS_DENIED');
  });

  it('refuses a wrong password and an unknown login alike', async () => {
    const wrong = await login('ann', 'not-the-password');
    const unknown = await login('nobody-here', 'not-the-password');
    for (const response of [wrong, unknown]) {
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: { code: 'LOGIN_FAILED', message: 'Wrong login or password', details: {} } });
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect(codeOf(await login('ann', PASSWORDS.ann))).toBeUndefined();
  });

  it('locks a login after five failures in a row, even for the right password, and says how long', async () => {
    for (let i = 0; i < 5; i++) expect(codeOf(await login('ann', `wrong-${i}-password`))).toBe('LOGIN_FAILED');
    const locked = await login('ann', PASSWORDS.ann);
    expect(locked.statusCode).toBe(429);
    expect(codeOf(locked)).toBe('LOGIN_LOCKED');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const [row] = await db.query<{ failed_logins: number; locked_until: string }>(`SELECT failed_logins, locked_until FROM users WHERE login = 'ann'`);
    expect(row!.failed_logins).toBe(5);
    expect(Date.parse(row!.locked_until) - Date.now()).toBeGreaterThan(50_000);
    // An unknown login is locked the same way: the answers do not tell which logins exist.
    for (let i = 0; i < 5; i++) expect(codeOf(await login('ghost', `wrong-${i}-password`))).toBe('LOGIN_FAILED');
    expect(codeOf(await login('ghost', 'any-password-at-all'))).toBe('LOGIN_LOCKED');
    // The lock ends (its time is moved to the past here), and a success clears the count.
    await db.run(`UPDATE users SET locked_until = CAST('2000-01-01 00:00:00' AS TIMESTAMP) WHERE login = 'ann'`);
    expect((await login('ann', PASSWORDS.ann)).statusCode).toBe(200);
    expect(await db.query(`SELECT failed_logins, locked_until FROM users WHERE login = 'ann'`)).toEqual([{ failed_logins: 0, locked_until: null }]);
    // Each further failure doubles the lock, up to an hour.
    expect([4, 5, 6, 7, 10, 11, 40].map(lockFor)).toEqual([0, 60_000, 120_000, 240_000, 1_920_000, 3_600_000, 3_600_000]);
  });

  it('refuses a disabled user and ends its sessions at once; enabling lets it in again', async () => {
    const before = await login('max', PASSWORDS.max);
    const cookie = sessionCookie(before);
    expect((await app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(200);
    expect((await asAdmin('PATCH', `/api/users/${ids.max}`, { disabled: true })).json()).toMatchObject({ login: 'max', disabled: true });
    const after = await app.inject({ url: '/api/auth/me', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    const refused = await login('max', PASSWORDS.max);
    expect(refused.statusCode).toBe(403);
    expect(codeOf(refused)).toBe('USER_DISABLED');
    // A wrong password of a disabled user is just a wrong password.
    expect(codeOf(await login('max', 'wrong-password-here'))).toBe('LOGIN_FAILED');
    expect((await asAdmin('PATCH', `/api/users/${ids.max}`, { disabled: false })).statusCode).toBe(200);
    expect((await login('max', PASSWORDS.max)).statusCode).toBe(200);
  });

  it('signs out: the session is deleted and the cookie cleared', async () => {
    const signedIn = await login('boss', PASSWORDS.boss);
    const cookie = sessionCookie(signedIn);
    const { csrfToken } = signedIn.json<{ csrfToken: string }>();
    // Signing out is a write: it needs the CSRF token too.
    expect(codeOf(await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } }))).toBe('CSRF_TOKEN_INVALID');
    const out = await app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(out.statusCode).toBe(204);
    expect([out.headers['set-cookie']].flat()[0]).toMatch(/^segmenta_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict$/);
    expect((await app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
    expect(await db.query('SELECT 1 AS x FROM user_sessions WHERE token_hash = $1', [sha256(cookie.slice('segmenta_session='.length))])).toEqual([]);
  });

  it('ends the sessions of a user whose password changes; the old password stops working', async () => {
    const signedIn = await login('ann', PASSWORDS.ann);
    const cookie = sessionCookie(signedIn);
    expect((await asAdmin('PATCH', `/api/users/${ids.ann}`, { password: 'short' })).statusCode).toBe(400);
    expect((await asAdmin('PATCH', `/api/users/${ids.ann}`, { password: 'a-new-password-4' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
    expect(codeOf(await login('ann', PASSWORDS.ann))).toBe('LOGIN_FAILED');
    expect((await login('ann', 'a-new-password-4')).statusCode).toBe(200);
    await asAdmin('PATCH', `/api/users/${ids.ann}`, { password: PASSWORDS.ann });
  });

  it('applies a new role at once to a signed-in user', async () => {
    const signedIn = await login('ann', PASSWORDS.ann);
    const cookie = sessionCookie(signedIn);
    expect((await app.inject({ url: '/api/auth/me', headers: { cookie } })).json()).toMatchObject({ role: 'analyst', managerIds: [] });
    expect((await asAdmin('PATCH', `/api/users/${ids.ann}`, { role: 'manager', managerIds: ['M2'] })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/auth/me', headers: { cookie } })).json()).toMatchObject({ role: 'manager', managerIds: ['M2'] });
    expect((await asAdmin('PATCH', `/api/users/${ids.ann}`, { role: 'analyst' })).json()).toMatchObject({ role: 'analyst', managerIds: [] });
  });

  it('ends a session unused for 12 hours or older than 7 days (seen by a server without cached credentials)', async () => {
    const idle = sessionCookie(await login('boss', PASSWORDS.boss));
    const old = sessionCookie(await login('boss', PASSWORDS.boss));
    const fresh = sessionCookie(await login('boss', PASSWORDS.boss));
    const hash = (cookie: string) => sha256(cookie.slice('segmenta_session='.length));
    const ago = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString().replace('T', ' ').replace('Z', '');
    await db.run('UPDATE user_sessions SET last_seen_at = CAST($1 AS TIMESTAMP) WHERE token_hash = $2', [ago(12.1), hash(idle)]);
    await db.run('UPDATE user_sessions SET expires_at = CAST($1 AS TIMESTAMP) WHERE token_hash = $2', [ago(0.01), hash(old)]);
    const other = await buildApp({ db, services: createServices(db) });
    try {
      expect((await other.inject({ url: '/api/auth/me', headers: { cookie: idle } })).statusCode).toBe(401);
      expect((await other.inject({ url: '/api/auth/me', headers: { cookie: old } })).statusCode).toBe(401);
      expect((await other.inject({ url: '/api/auth/me', headers: { cookie: fresh } })).statusCode).toBe(200);
      expect(await db.query('SELECT token_hash FROM user_sessions WHERE token_hash IN ($1, $2)', [hash(idle), hash(old)])).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('judges a request that sends Authorization by it alone: a bad key is not rescued by a good cookie', async () => {
    const cookie = sessionCookie(await login('boss', PASSWORDS.boss));
    const response = await app.inject({ url: '/api/partners', headers: { cookie, authorization: 'Bearer sgk_nonsense' } });
    expect(response.statusCode).toBe(401);
    expect((await app.inject({ url: '/api/partners', headers: { cookie: 'segmenta_session=forged-token' } })).statusCode).toBe(401);
  });

  describe('CSRF', () => {
    let cookie: string;
    let csrfToken: string;
    beforeAll(async () => {
      const signedIn = await login('boss', PASSWORDS.boss);
      cookie = sessionCookie(signedIn);
      csrfToken = signedIn.json<{ csrfToken: string }>().csrfToken;
    });
    const create = (id: string, headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/segments', headers, payload: { id, name: id, method: 'manual' } });

    it("refuses a cookie-signed write without the token, or with another session's", async () => {
      const none = await create('csrf-none', { cookie });
      expect(none.statusCode).toBe(403);
      expect(codeOf(none)).toBe('CSRF_TOKEN_INVALID');
      const other = (await login('boss', PASSWORDS.boss)).json<{ csrfToken: string }>();
      expect(codeOf(await create('csrf-other', { cookie, 'x-csrf-token': other.csrfToken }))).toBe('CSRF_TOKEN_INVALID');
      expect(codeOf(await create('csrf-empty', { cookie, 'x-csrf-token': '' }))).toBe('CSRF_TOKEN_INVALID');
      for (const method of ['PATCH', 'DELETE'] as const) {
        expect(codeOf(await app.inject({ method, url: '/api/segments/csrf-none', headers: { cookie }, payload: {} }))).toBe('CSRF_TOKEN_INVALID');
      }
      expect(await db.query("SELECT id FROM segments WHERE id LIKE 'csrf-%'")).toEqual([]);
    });

    it('lets a write with the token through, reads need none, and API keys need none', async () => {
      expect((await create('csrf-ok', { cookie, 'x-csrf-token': csrfToken })).statusCode).toBe(201);
      expect((await app.inject({ url: '/api/segments/csrf-ok', headers: { cookie } })).statusCode).toBe(200);
      // /api/auth/me gives the token back to a page that was reloaded.
      expect((await app.inject({ url: '/api/auth/me', headers: { cookie } })).json()).toMatchObject({ csrfToken });
      expect((await create('csrf-key', { authorization: `Bearer ${adminKey}` })).statusCode).toBe(201);
    });
  });
});

describe('the limit on sign-in attempts per address', () => {
  it('refuses an address over the limit with Retry-After, not another address; a success gives its attempt back', async () => {
    const db = await ENGINES[0]!.create();
    const services = createServices(db, { access: { loginAttemptsPerMinute: 3 } });
    await services.access.addUser({ login: 'eve', role: 'analyst', password: 'eve-password-1' });
    const app = await buildApp({ db, services });
    try {
      const attempt = (password: string, remoteAddress: string) => app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'eve', password }, remoteAddress });
      for (let i = 0; i < 5; i++) expect((await attempt('eve-password-1', '10.0.0.1')).statusCode).toBe(200);
      for (let i = 0; i < 3; i++) expect(codeOf(await attempt(`wrong-${i}-password`, '10.0.0.1'))).toBe('LOGIN_FAILED');
      const limited = await attempt('eve-password-1', '10.0.0.1');
      expect(limited.statusCode).toBe(429);
      expect(codeOf(limited)).toBe('LOGIN_RATE_LIMITED');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await attempt('eve-password-1', '10.0.0.2')).statusCode).toBe(200);
    } finally {
      await app.close();
      await db.close();
    }
  });
});

describe('security headers', () => {
  it('are on every answer: API, errors, and the web UI', async () => {
    const db = await ENGINES[0]!.create();
    const app = await buildApp({ db });
    try {
      const answers = [
        await app.inject({ url: '/api/health' }),
        await app.inject({ url: '/api/partners' }), // 401
        await app.inject({ url: '/api/no-such-route' }), // 404
        await app.inject({ url: '/' }), // the web UI, or the page saying it is not built
      ];
      for (const response of answers) {
        const csp = String(response.headers['content-security-policy']);
        expect(csp).toContain("default-src 'self'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("object-src 'none'");
        expect(csp).not.toContain('upgrade-insecure-requests');
        expect(csp).not.toMatch(/script-src[^;]*unsafe/);
        expect(response.headers['x-frame-options']).toBe('DENY');
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['referrer-policy']).toBe('no-referrer');
      }
    } finally {
      await app.close();
      await db.close();
    }
  });
});
