/**
 * A manager's requests read under PostgreSQL's row-level security (docs/security.md, "Row-level
 * security on PostgreSQL"): routes read through `request.db`, the manager's scoped view of the
 * database (src/storage/scoped-database.ts), whose every statement runs as `segmenta_scoped` with
 * the manager ids set. On PGlite always and on a real PostgreSQL when DATABASE_URL is set; on
 * DuckDB, and for the scope of all partners, the view is the database itself.
 *
 * The query layer already hides other managers' partners, so the walk here gives row-level
 * security something of its own to hide: a test policy that hides manager A's partner c2 from
 * `segmenta_scoped` only. A route that read without the view would still show c2 to A.
 */
import { addScoresMatrixAndTerms } from './support/scored-world.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartnerScope } from '../src/domain/access/principal.js';
import type { Database } from '../src/storage/database.js';
import { keepOrderFactsInMemory } from '../src/domain/terms/order-facts-cache.js';
import { termsSnapshot } from '../src/domain/terms/terms-snapshot.js';
import { scopedDatabase, systemDatabase } from '../src/storage/scoped-database.js';
import { AS_OF, loadAnalyticsCompany } from './analytics-fixture.js';
import { ENGINES } from './engines.js';
import { getUrls, mentionedIds, type OpenApi, type OpenApiParameter } from './support/openapi-walk.js';
import { buildTestApp, type TestApp } from './support/test-app.js';

const PARTNERS = new Set(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'l1', 'l2', 'l3', 'l4', 'l5', 's1']);
const A: PartnerScope = { all: false, managerIds: ['m1'] };
const ALL: PartnerScope = { all: true };

/** A restrictive policy per table of partner data that hides c2 (manager A's) from the scoped role alone. */
const HIDE_C2: Record<string, string> = {
  partners: 'id',
  partner_properties: 'partner_id',
  sales: 'partner_id',
  interactions: 'partner_id',
  settlements: 'partner_id',
  deals: 'partner_id',
  partner_scores: 'partner_id',
  segment_members: 'member_id',
  segment_history: 'member_id',
};

/** What a request's database is, seen from inside a route: a test route on the real hooks. */
interface Probe {
  readonly plain: boolean;
  readonly role?: string;
  readonly ids?: string | null;
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === undefined ? String((error as Error).message) : String(code);
  }
  return 'no error';
}

describe.each(ENGINES)('manager requests under row-level security on $name', (engine) => {
  const postgres = engine.name !== 'duckdb';
  let db: Database;
  let admin: TestApp;
  let managerA: TestApp;
  let openapi: OpenApi;

  const ok = async (app: TestApp, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const response = await app.inject({ method, url, ...(payload ? { payload } : {}) });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response;
  };

  /** The app of a role, with a route that tells what its requests' database is (added before the app starts). */
  const appWithProbe = async (options: Parameters<typeof buildTestApp>[1]) => {
    const app = await buildTestApp({ db, allowCustomSql: true }, options);
    app.get('/api/test/request-database', { config: { access: 'manager' } }, async (request): Promise<Probe> => {
      const plain = request.db === db;
      if (!postgres) return { plain };
      const [row] = await request.db.query<{ role: string; ids: string | null }>("SELECT current_user AS role, current_setting('segmenta.manager_ids', true) AS ids");
      return { plain, role: row!.role, ids: row!.ids };
    });
    return app;
  };

  beforeAll(async () => {
    db = await engine.create();
    await loadAnalyticsCompany(db);
    admin = await appWithProbe({});
    managerA = await appWithProbe({ role: 'manager', managerIds: ['m1'] });
    // Segments of every kind, each holding c2 where it can: manual, periodic, dynamic, custom SQL, a product segment.
    await ok(admin, 'POST', '/api/segments', { id: 'mixed', name: 'Mixed', method: 'manual' });
    await ok(admin, 'POST', '/api/segments/mixed/members', { ids: ['c1', 'c2', 'c3', 'c5'] });
    await ok(admin, 'POST', '/api/segments', { id: 'msk', name: 'Moscow', method: 'periodic', rule: { attr: 'region', op: 'eq', value: 'msk' } });
    await ok(admin, 'POST', '/api/segments/msk/refresh');
    await ok(admin, 'POST', '/api/segments', { id: 'customers', name: 'Customers', method: 'dynamic', rule: { attr: 'roles', op: 'in', value: ['customer'] } });
    await ok(admin, 'POST', '/api/segments', { id: 'by-sql', name: 'By SQL', method: 'periodic', sql: 'SELECT id FROM partners' });
    await ok(admin, 'POST', '/api/segments/by-sql/refresh');
    await ok(admin, 'POST', '/api/segments', { id: 'tools', name: 'Tools', kind: 'product', method: 'manual' });
    await ok(admin, 'POST', '/api/segments/tools/members', { ids: ['g1'] });
    await addScoresMatrixAndTerms((method, url, payload) => ok(admin, method, url, payload), 'mixed');
    openapi = (await ok(admin, 'GET', '/api/openapi.json')).json();
  });
  afterAll(async () => {
    for (const app of [admin, managerA]) await app?.close();
    await db?.close();
  });

  it(`reads a manager's request ${postgres ? 'as segmenta_scoped with the manager ids' : 'on the database itself (no row-level security)'}, an admin's on the database itself`, async () => {
    const probe = async (app: TestApp): Promise<Probe> => (await ok(app, 'GET', '/api/test/request-database')).json();
    const asAdmin = await probe(admin);
    expect(asAdmin.plain).toBe(true);
    if (postgres) {
      expect(asAdmin.role).not.toBe('segmenta_scoped');
      expect(await probe(managerA)).toEqual({ plain: false, role: 'segmenta_scoped', ids: '["m1"]' });
    } else {
      expect(await probe(managerA)).toEqual({ plain: true });
      expect(scopedDatabase(db, A)).toBe(db);
    }
    expect(scopedDatabase(db, ALL)).toBe(db);
  });

  it("keeps a manager's own writes working (they run on the database; the view only reads)", async () => {
    const created = await managerA.inject({ method: 'POST', url: '/api/segments', payload: { id: 'a-own', name: 'Mine', method: 'manual' } });
    expect(created.statusCode, created.body).toBe(201);
    expect((await ok(managerA, 'POST', '/api/segments/a-own/members', { ids: ['c1', 'c2'] })).json()).toEqual({ added: 2 });
    expect((await ok(managerA, 'GET', '/api/segments/a-own/members')).json()).toMatchObject({ total: 2 });
    expect((await ok(managerA, 'POST', '/api/segments/a-own/members/remove', { ids: ['c2'] })).json()).toEqual({ removed: 1 });
    expect((await managerA.inject({ method: 'DELETE', url: '/api/segments/a-own' })).statusCode).toBe(204);
  });

  it("prices a manager's order from the database's order-facts copy where there is one (DuckDB, PGlite)", async () => {
    const cache = keepOrderFactsInMemory(db);
    expect(cache === null).toBe(engine.name === 'postgres');
    try {
      if (cache) expect(await cache.ready()).toBe(true);
      const hits = () => cache?.stats().hits ?? 0;
      const before = hits();
      await ok(managerA, 'POST', '/api/orders/price', { partnerId: 'c1', lines: [{ productId: 'g1', quantity: 1, price: 100 }] });
      expect(hits() - before).toBe(cache ? 1 : 0);
    } finally {
      // Stopped, and its copy current no more: later orders take the one-query path, through the view.
      await cache?.stop();
      await db.run("UPDATE managers SET name = name WHERE id = 'm1'");
    }
  });

  if (!postgres) return;

  describe('the scoped view', () => {
    it('runs each statement as segmenta_scoped with the manager ids, a transaction as one; it refuses writes', async () => {
      const view = scopedDatabase(db, A);
      expect(view).not.toBe(db);
      expect(systemDatabase(view)).toBe(db);
      expect(await view.query("SELECT current_user AS role, current_setting('segmenta.manager_ids', true) AS ids")).toEqual([{ role: 'segmenta_scoped', ids: '["m1"]' }]);
      expect((await view.query<{ id: string }>('SELECT id FROM partners ORDER BY id')).map((p) => p.id)).toEqual(['c1', 'c2']);
      // One transaction for fn; each statement outside one of its own.
      const txid = 'SELECT CAST(txid_current() AS TEXT) AS id';
      const inOne = await view.transaction(async (tx) => [await tx.query(txid), await tx.query(txid)]);
      expect(inOne[0]).toEqual(inOne[1]);
      expect(await view.query(txid)).not.toEqual(await view.query(txid));
      // The scoped role reads only.
      expect(await failure(view.run("INSERT INTO managers (id, name) VALUES ('m9', 'Nine')"))).toBe('42501');
      expect(await failure(view.transaction((tx) => tx.run("UPDATE partners SET name = 'x' WHERE id = 'c1'")))).toBe('42501');
      expect(await failure(view.session(() => Promise.resolve()))).toMatch(/not available to a manager's request/);
      expect(await failure(view.appendRows('managers', ['id', 'name'], [['m9', 'Nine']]))).toMatch(/not available to a manager's request/);
      expect(await db.query("SELECT id FROM managers WHERE id = 'm9'")).toEqual([]);
    });

    it('narrows and never widens: a scope asked inside the view is the common part of both', async () => {
      const view = scopedDatabase(db, A);
      const ids = (q: { query: Database['query'] }) => q.query<{ ids: string }>("SELECT current_setting('segmenta.manager_ids', true) AS ids");
      expect(await view.scoped(ALL, ids)).toEqual([{ ids: '["m1"]' }]);
      expect(await view.scoped({ all: false, managerIds: ['m2'] }, ids)).toEqual([{ ids: '[]' }]);
      expect(await scopedDatabase(view, { all: false, managerIds: ['m1', 'm2'] }).query("SELECT current_setting('segmenta.manager_ids', true) AS ids")).toEqual([{ ids: '["m1"]' }]);
      expect(scopedDatabase(view, ALL)).toBe(view);
    });

    it("shares the database's terms snapshot (pricing's terms hold no partner data)", async () => {
      const view = scopedDatabase(db, A);
      expect(await termsSnapshot(view)).toBe(await termsSnapshot(db));
    });

    it('runs custom SQL as its own role, as the database does (the query layer scopes the ids it returns)', async () => {
      const view = scopedDatabase(db, A);
      expect(await view.queryReadOnly('SELECT current_user AS role', [], 5_000)).toEqual([{ role: 'segmenta_custom_sql' }]);
    });
  });

  /** Every GET of the document, with the fixture's segments, partner c1, the matrix and the date. */
  const pathValues = (path: string, parameter: OpenApiParameter): string[] => {
    if (parameter.name === 'partnerId' || path.startsWith('/api/partners/{id}')) return ['c1'];
    if (path.startsWith('/api/segments/{id}')) return path.includes('{partnerId}') ? ['mixed', 'msk', 'customers', 'by-sql'] : ['mixed', 'msk', 'customers', 'by-sql', 'tools'];
    if (path.startsWith('/api/analytics/matrices/{id}')) return ['act'];
    return ['none'];
  };
  const QUERY = { segment: 'mixed', segments: 'mixed,msk', matrix: 'act', asOf: AS_OF };

  /** Each URL's status and the partners it shows manager A. */
  const walk = async (urls: readonly string[]) => {
    const answers = new Map<string, { status: number; shows: string[] }>();
    for (const url of urls) {
      const answer = await managerA.inject({ method: 'GET', url });
      expect(answer.statusCode, `${url}: ${answer.body.slice(0, 300)}`).toBeLessThan(500);
      answers.set(url, { status: answer.statusCode, shows: answer.statusCode === 200 ? [...(await mentionedIds(answer, PARTNERS))].sort() : [] });
    }
    return answers;
  };

  it("walks every GET of the OpenAPI document and every report: manager A's reads all run under row-level security", async () => {
    const reports = (await ok(managerA, 'GET', '/api/reports')).json().items as { name: string }[];
    const reportFiles = reports.flatMap((r) => ['.csv', '.xlsx'].map((suffix) => `/api/reports/${r.name}${suffix}?asOf=${AS_OF}`));
    const urls = [...getUrls(openapi, pathValues, QUERY, (path, p) => p.name === 'asOf' && path.startsWith('/api/segments')), ...reportFiles].filter((url) => !url.startsWith('/api/test/'));
    expect(urls.length).toBeGreaterThan(60);
    const before = await walk(urls);
    // The query layer shows A both own partners.
    const shownBefore = new Set([...before.values()].flatMap((a) => a.shows));
    expect([...shownBefore].sort()).toEqual(['c1', 'c2']);

    for (const [table, column] of Object.entries(HIDE_C2)) await db.run(`CREATE POLICY test_hide_c2 ON ${table} AS RESTRICTIVE FOR SELECT TO segmenta_scoped USING (${column} <> 'c2')`);
    try {
      const after = await walk(urls);
      const leaks = [...after].filter(([, a]) => a.shows.includes('c2')).map(([url]) => url);
      // A route that read without the view would still show c2.
      expect(leaks).toEqual([]);
      // Nothing else changed: every answer as before (no read fails for want of a grant), c1 still shown.
      for (const [url, answer] of before) expect(after.get(url)?.status, url).toBe(answer.status);
      expect(new Set([...after.values()].flatMap((a) => a.shows))).toEqual(new Set(['c1']));
      // The routes that take a partner: c2 is now not found for A, not for the admin.
      expect((await managerA.inject({ method: 'GET', url: '/api/partners/c2' })).statusCode).toBe(404);
      expect((await admin.inject({ method: 'GET', url: '/api/partners/c2' })).statusCode).toBe(200);
      for (const url of ['/api/orders/price', '/api/orders/check']) {
        const body = (partnerId: string) => (url.endsWith('price') ? { partnerId, lines: [{ productId: 'g1', quantity: 1, price: 100 }] } : { partnerId });
        expect((await managerA.inject({ method: 'POST', url, payload: body('c1') })).statusCode, url).toBe(200);
        expect((await managerA.inject({ method: 'POST', url, payload: body('c2') })).statusCode, url).toBe(404);
        expect((await admin.inject({ method: 'POST', url, payload: body('c2') })).statusCode, url).toBe(200);
      }
      const preview = (await ok(managerA, 'POST', '/api/segments/preview', { rule: { attr: 'roles', op: 'in', value: ['customer'] } })).json();
      expect(preview).toMatchObject({ count: 1, sample: [{ id: 'c1' }] });
    } finally {
      for (const table of Object.keys(HIDE_C2)) await db.run(`DROP POLICY test_hide_c2 ON ${table}`);
    }
  });
});
