/**
 * The manager scope through the HTTP API, on every engine (docs/security.md, "Manager scope"):
 * manager A covers manager m1 of analytics-fixture.ts (partners c1, c2); m2 has c3, c4; c5…c7,
 * the leads and the supplier have no manager. The routes, reports and partner-id routes walked
 * here are read from the OpenAPI document and the report list, so a new one is covered as it
 * comes: a GET that answers A anything of another partner fails the walk.
 */
import { addScoresMatrixAndTerms } from './support/scored-world.js';
import { getUrls as walkGetUrls, mentionedIds, type OpenApiOperation as WalkedOperation, type OpenApiParameter } from './support/openapi-walk.js';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/storage/database.js';
import { AS_OF, loadAnalyticsCompany } from './analytics-fixture.js';
import { ENGINES } from './engines.js';
import { buildTestApp, type TestApp } from './support/test-app.js';

/** Every partner of the fixture, and those manager A may see. */
const PARTNERS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'l1', 'l2', 'l3', 'l4', 'l5', 's1'];
const OWN = ['c1', 'c2'];
const partnerIds = new Set(PARTNERS);

const mentionedPartners = (response: LightMyRequestResponse) => mentionedIds(response, partnerIds);

interface OpenApiOperation extends WalkedOperation {
  readonly requestBody?: { readonly content?: Record<string, { readonly schema?: { readonly properties?: Record<string, unknown>; readonly $ref?: string } }> };
}
type OpenApi = { readonly paths: Record<string, Record<string, OpenApiOperation>>; readonly components?: { readonly schemas?: Record<string, { properties?: Record<string, unknown> }> } };

describe.each(ENGINES)('manager scope through the API on $name', (engine) => {
  let db: Database;
  let admin: TestApp;
  let managerA: TestApp;
  let managerB: TestApp;
  let analyst: TestApp;
  let openapi: OpenApi;

  const ok = async (app: TestApp, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const response = await app.inject({ method, url, ...(payload ? { payload } : {}) });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response;
  };

  beforeAll(async () => {
    db = await engine.create();
    await loadAnalyticsCompany(db);
    admin = await buildTestApp({ db });
    managerA = await buildTestApp({ db }, { role: 'manager', managerIds: ['m1'] });
    managerB = await buildTestApp({ db }, { role: 'manager', managerIds: ['m2'] });
    analyst = await buildTestApp({ db, allowCustomSql: true }, { role: 'analyst' });
    // Segments of every kind: manual (A's c1 and B's c3), periodic, dynamic, and a product segment.
    await ok(admin, 'POST', '/api/segments', { id: 'mixed', name: 'Mixed', method: 'manual' });
    await ok(admin, 'POST', '/api/segments/mixed/members', { ids: ['c1', 'c3', 'c5'] });
    await ok(admin, 'POST', '/api/segments', { id: 'perm', name: 'Perm', method: 'periodic', rule: { attr: 'region', op: 'eq', value: 'perm' } });
    await ok(admin, 'POST', '/api/segments/perm/refresh');
    await ok(admin, 'POST', '/api/segments', { id: 'customers', name: 'Customers', method: 'dynamic', rule: { attr: 'roles', op: 'in', value: ['customer'] } });
    await ok(admin, 'POST', '/api/segments', { id: 'tools', name: 'Tools', kind: 'product', method: 'manual' });
    await ok(admin, 'POST', '/api/segments/tools/members', { ids: ['g1'] });
    await addScoresMatrixAndTerms((method, url, payload) => ok(admin, method, url, payload), 'mixed');
    openapi = (await ok(admin, 'GET', '/api/openapi.json')).json();
  });
  afterAll(async () => {
    for (const app of [admin, managerA, managerB, analyst]) await app?.close();
    await db?.close();
  });

  /** Values for path parameters: each segment for /segments/{id}, an own partner, the matrix; 'none' for the rest. */
  const pathValues = (path: string, parameter: OpenApiParameter): string[] => {
    if (parameter.schema?.enum) return [...parameter.schema.enum];
    if (parameter.name === 'partnerId' || path.startsWith('/api/partners/{id}')) return ['c1'];
    if (path.startsWith('/api/segments/{id}')) return path.includes('{partnerId}') ? ['mixed', 'perm', 'customers'] : ['mixed', 'perm', 'customers', 'tools'];
    if (path.startsWith('/api/analytics/matrices/{id}')) return ['act'];
    return ['none'];
  };
  /** Query values that give the views something to show: the fixture's date, the segments, the matrix. */
  const QUERY: Record<string, string> = { segment: 'mixed', segments: 'mixed,perm', matrix: 'act', asOf: AS_OF, partner: 'c1' };

  /**
   * Every GET of the OpenAPI document with its parameters filled in, twice where it has optional
   * ones we know: with them (a report of one segment), and with only those it needs (every partner).
   * Stored segments read as of a date read history (empty before they were made): no asOf there.
   */
  const getUrls = (): string[] => walkGetUrls(openapi, pathValues, QUERY, (path, p) => p.name === 'asOf' && path.startsWith('/api/segments'));

  it('walks every GET of the OpenAPI document: manager A is shown only own partners, the admin all of them', async () => {
    const urls = getUrls();
    expect(urls.length).toBeGreaterThan(40);
    const seenByA = new Set<string>();
    const seenByAdmin = new Set<string>();
    const leaks: string[] = [];
    for (const url of urls) {
      const answer = await managerA.inject({ method: 'GET', url });
      expect(answer.statusCode, `${url}: ${answer.body.slice(0, 300)}`).toBeLessThan(500);
      if (answer.statusCode === 200) {
        const mentioned = await mentionedPartners(answer);
        const others = [...mentioned].filter((id) => !OWN.includes(id));
        if (others.length) leaks.push(`${url} shows ${others.sort().join(', ')}`);
        mentioned.forEach((id) => seenByA.add(id));
      }
      const full = await admin.inject({ method: 'GET', url });
      if (full.statusCode === 200) (await mentionedPartners(full)).forEach((id) => seenByAdmin.add(id));
    }
    expect(leaks).toEqual([]);
    // The walk can tell: A was shown both own partners, the admin every other manager's too.
    expect([...seenByA].sort()).toEqual(OWN);
    for (const id of ['c3', 'c4', 'c5', 'l1']) expect(seenByAdmin.has(id), id).toBe(true);
  });

  it('holds every report, as JSON, CSV and XLSX, to own partners; the report list is the registry', async () => {
    const reports = (await ok(managerA, 'GET', '/api/reports')).json().items as { name: string; parameters: string[] }[];
    expect(reports.length).toBeGreaterThanOrEqual(10);
    const leaks: string[] = [];
    for (const report of reports) {
      // With every parameter we know, and with only the required ones (and the date).
      const required = new Set((openapi.paths[`/api/reports/${report.name}`]?.get?.parameters ?? []).filter((p) => p.required).map((p) => p.name));
      const known = report.parameters.filter((p) => QUERY[p] !== undefined);
      const queries = [known, known.filter((p) => required.has(p) || p === 'asOf')].map((names) => names.map((p) => `${p}=${encodeURIComponent(QUERY[p]!)}`).join('&'));
      const urls = [...new Set(queries)].flatMap((query) => ['', '.csv', '.xlsx'].map((suffix) => `/api/reports/${report.name}${suffix}?${query}`));
      for (const url of urls) {
        const answer = await managerA.inject({ method: 'GET', url });
        expect(answer.statusCode, `${url}: ${answer.body.slice(0, 300)}`).toBe(200);
        const others = [...(await mentionedPartners(answer))].filter((id) => !OWN.includes(id));
        if (others.length) leaks.push(`${url} shows ${others.sort().join(', ')}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('counts and sums only own partners where a view shows no ids', async () => {
    const report = async (app: TestApp, url: string) => (await ok(app, 'GET', url)).json();
    // Lifecycle on AS_OF: c1 and c2 both bought within 12 months.
    expect((await report(managerA, `/api/analytics/lifecycle?asOf=${AS_OF}`)).counts).toEqual({ current: 2, refused: 0, churned: 0 });
    expect((await report(admin, `/api/analytics/lifecycle?asOf=${AS_OF}`)).counts.current).toBeGreaterThan(2);
    // RFM: c1 (M 3500) and c2 (M 300) are scored.
    expect((await report(managerA, '/api/reports/rfm-grid')).summary).toMatchObject({ customers: 2, revenue: 3800 });
    expect((await report(managerA, '/api/analytics/rfm')).scored).toBe(2);
    expect((await report(admin, '/api/analytics/rfm')).scored).toBe(5);
    // Renew index: only c1 of A's partners has one (brandStrength 6).
    expect((await report(managerA, '/api/analytics/renew')).scored).toBe(1);
    // Sales of "mixed" (c1, c3, c5) in the year to AS_OF: A's c1 bought 600 + 400 + 2000 + 500.
    expect((await report(managerA, `/api/reports/segment-sales?segment=mixed&asOf=${AS_OF}`)).summary.revenue).toBe(3500);
    expect((await report(admin, `/api/reports/segment-sales?segment=mixed&asOf=${AS_OF}`)).summary.revenue).toBe(10000);
    // The last price of g1: c2's 99,999 for 100 on 2025-07-05; B's partners last paid 5,000 for 20 (c3).
    const lastPrice = async (app: TestApp) => (await report(app, '/api/products?ids=g1')).items[0].lastPrice;
    expect(await lastPrice(admin)).toBe(999.99);
    expect(await lastPrice(managerB)).toBe(250);
    // CSI/NPS over A's answers in the year to AS_OF: c1 10, 7, 9; c2 9, 3 → 3 promoters, 1 detractor of 5: NPS 40.
    const csi = await report(managerA, `/api/analytics/csi-nps?asOf=${AS_OF}&byManager=true`);
    expect(csi.rows.find((r: { scope: string; quarter: string }) => r.scope === 'all' && r.quarter === 'total')).toMatchObject({ responses: 5, promoters: 3, detractors: 1, nps: 40 });
    expect(new Set(csi.rows.filter((r: { scope: string }) => r.scope === 'manager').map((r: { key: string }) => r.key))).toEqual(new Set(['m1']));
    // Matrix: c1 and c2 are placed (c3 and c4 are B's).
    const scatter = await report(managerA, `/api/analytics/matrices/act/scatter?asOf=${AS_OF}`);
    expect(scatter.total).toBe(2);
    expect((await report(admin, `/api/analytics/matrices/act/scatter?asOf=${AS_OF}`)).total).toBe(4);
    // Segment sizes, members, previews: own partners only.
    expect((await report(managerA, '/api/segments/mixed')).size).toBe(1);
    expect((await report(admin, '/api/segments/mixed')).size).toBe(3);
    expect((await report(managerA, '/api/segments')).items.find((s: { id: string }) => s.id === 'perm').size).toBe(1);
    expect(await report(managerA, '/api/segments/customers/members')).toMatchObject({ total: 2 });
  });

  it('previews count only own partners', async () => {
    const preview = async (app: TestApp) => (await ok(app, 'POST', '/api/segments/preview', { rule: { attr: 'roles', op: 'in', value: ['customer'] } })).json();
    expect(await preview(managerA)).toMatchObject({ count: 2, sample: [{ id: 'c1' }, { id: 'c2' }] });
    expect((await preview(admin)).count).toBe(7);
  });

  /** Bodies of the routes that take a partner id in their body, by "METHOD path". */
  const PARTNER_BODIES: Record<string, (partnerId: string) => object> = {
    'post /api/orders/price': (partnerId) => ({ partnerId, lines: [{ productId: 'g1', quantity: 1, price: 100 }] }),
    'post /api/orders/check': (partnerId) => ({ partnerId }),
    'post /api/tasks': (partnerId) => ({ partnerId, title: 'Позвонить', dueDate: '2025-07-01' }),
  };

  /** Analysts' routes that name a partner (a mail template previewed on one, a test mail filled with one). */
  const NOT_FOR_MANAGERS = new Set(['post /api/mail/preview', 'post /api/mail/test']);

  /** Every route of the OpenAPI document that takes a partner id, as a request for a given id. */
  const partnerRoutes = (): { name: string; request: (partnerId: string) => { method: 'GET' | 'POST'; url: string; payload?: object } }[] => {
    const routes: ReturnType<typeof partnerRoutes> = [];
    for (const [path, operations] of Object.entries(openapi.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const params = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        const byPath = params.includes('partnerId') || path.startsWith('/api/partners/{id}');
        const content = operation.requestBody?.content?.['application/json']?.schema;
        const schema = content?.$ref ? openapi.components?.schemas?.[content.$ref.split('/').pop()!] : content;
        const byBody = schema?.properties !== undefined && 'partnerId' in schema.properties;
        if (!byPath && !byBody) continue;
        const name = `${method} ${path}`;
        // Not a manager's route (403 for every manager, test/access-routes.test.ts): nothing to scope.
        if (NOT_FOR_MANAGERS.has(name)) continue;
        if (byBody) {
          const body = PARTNER_BODIES[name];
          expect(body, `${name} takes a partner id: add a body for it to PARTNER_BODIES`).toBeDefined();
          routes.push({ name, request: (id) => ({ method: 'POST', url: path, payload: body!(id) }) });
        } else {
          expect(method, name).toBe('get');
          const query = path.includes('/price') ? '?products=g1' : ''; // a price list names its products
          routes.push({ name, request: (id) => ({ method: 'GET', url: path.replace('{id}', params.includes('partnerId') ? 'mixed' : id).replace('{partnerId}', id) + query }) });
        }
      }
    }
    return routes;
  };

  it("answers 404 on every route that takes a partner id for another manager's partner, as for one that does not exist", async () => {
    const routes = partnerRoutes();
    expect(routes.map((r) => r.name).sort()).toEqual(
      expect.arrayContaining([
        'get /api/partners/{id}',
        'get /api/partners/{id}/segments',
        'get /api/partners/{id}/agreements',
        'get /api/segments/{id}/explain/{partnerId}',
        'post /api/orders/price',
        'post /api/orders/check',
      ]),
    );
    for (const route of routes) {
      // 200, or 201 where the route makes something (a task by hand).
      expect([200, 201], `${route.name} for A's own partner`).toContain((await managerA.inject(route.request('c1'))).statusCode);
      expect([200, 201], `${route.name} for the admin`).toContain((await admin.inject(route.request('c3'))).statusCode);
      const missing = await managerA.inject(route.request('nobody'));
      expect(missing.statusCode, route.name).toBe(404);
      for (const other of ['c3', 'c5']) {
        const answer = await managerA.inject(route.request(other));
        expect(answer.statusCode, `${route.name} for ${other}`).toBe(404);
        // Word for word the answer about a partner that does not exist, but for the id.
        expect(answer.body.replaceAll(other, 'nobody'), route.name).toBe(missing.body);
      }
    }
  });

  it('shows the history, members and exports of a segment with own partners only', async () => {
    const history = (await ok(managerA, 'GET', '/api/segments/mixed/history')).json();
    expect(history).toMatchObject({ total: 1, items: [{ memberId: 'c1', event: 'entered' }] });
    expect((await ok(admin, 'GET', '/api/segments/mixed/history')).json().total).toBe(3);
    expect((await ok(managerA, 'GET', '/api/segments/mixed/members')).json()).toMatchObject({ total: 1, items: [{ id: 'c1' }] });
    const csv = (await ok(managerA, 'GET', '/api/segments/mixed/members.csv')).body;
    expect(csv.trim().split('\r\n')).toHaveLength(2);
    // Products are not partners: a product segment is the same for everyone.
    expect((await ok(managerA, 'GET', '/api/segments/tools/members')).json().total).toBe(1);
    // Explain: a member of A's own, and a shipment check that sees the ban on "mixed".
    expect((await ok(managerA, 'GET', '/api/segments/mixed/explain/c1')).json()).toMatchObject({ member: true });
    expect((await ok(managerA, 'POST', '/api/orders/check', { partnerId: 'c1' })).json()).toMatchObject({ allowed: false, reasons: [{ code: 'SHIPMENT_BANNED' }] });
  });

  it('lets a manager keep own manual segments and change nobody else’s', async () => {
    const keyId = (app: TestApp) => app.testKey.split('_')[1];
    const created = await managerA.inject({ method: 'POST', url: '/api/segments', payload: { id: 'a-own', name: 'Mine', method: 'manual' } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().ownerUserId).toBe(keyId(managerA));
    expect((await ok(managerA, 'POST', '/api/segments/a-own/members', { ids: ['c1', 'c2'] })).json()).toEqual({ added: 2 });
    // Another manager's partner is refused as one that does not exist.
    const foreign = await managerA.inject({ method: 'POST', url: '/api/segments/a-own/members', payload: { ids: ['c3'] } });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('ENTITY_NOT_FOUND');
    expect((await ok(managerA, 'PATCH', '/api/segments/a-own', { name: 'Mine, renamed' })).json().name).toBe('Mine, renamed');
    // An admin put B's partner in A's segment: A neither sees nor removes it.
    await ok(admin, 'POST', '/api/segments/a-own/members', { ids: ['c3'] });
    expect((await ok(managerA, 'GET', '/api/segments/a-own/members')).json().total).toBe(2);
    expect((await ok(managerA, 'POST', '/api/segments/a-own/members/remove', { ids: ['c3', 'c2'] })).json()).toEqual({ removed: 1 });
    expect((await ok(admin, 'GET', '/api/segments/a-own/members')).json().items.map((p: { id: string }) => p.id)).toEqual(['c1', 'c3']);

    const denied = async (app: TestApp, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
      const answer = await app.inject({ method, url, ...(payload ? { payload } : {}) });
      expect(answer.statusCode, `${method} ${url}: ${answer.body}`).toBe(403);
      expect(answer.json().error.code).toBe('ACCESS_DENIED');
    };
    // Only manual segments, no custom SQL.
    await denied(managerA, 'POST', '/api/segments', { id: 'a-periodic', name: 'P', method: 'periodic', rule: { attr: 'region', op: 'eq', value: 'perm' } });
    await denied(managerA, 'POST', '/api/segments', { id: 'a-dynamic', name: 'D', method: 'dynamic', rule: { attr: 'region', op: 'eq', value: 'perm' } });
    await denied(managerA, 'POST', '/api/segments', { id: 'a-sql', name: 'S', method: 'manual', sql: 'SELECT id FROM partners' });
    // Others' segments are read-only: the admin's, and A's to manager B.
    await denied(managerA, 'PATCH', '/api/segments/mixed', { name: 'Taken' });
    await denied(managerA, 'POST', '/api/segments/mixed/members', { ids: ['c2'] });
    await denied(managerA, 'POST', '/api/segments/mixed/members/remove', { ids: ['c1'] });
    await denied(managerA, 'DELETE', '/api/segments/mixed');
    await denied(managerB, 'PATCH', '/api/segments/a-own', { name: 'Taken' });
    await denied(managerB, 'POST', '/api/segments/a-own/members', { ids: ['c3'] });
    await denied(managerB, 'DELETE', '/api/segments/a-own');
    // Analyst-only work stays so.
    expect((await managerA.inject({ method: 'POST', url: '/api/segments/a-own/fill', payload: {} })).statusCode).toBe(403);
    expect((await managerA.inject({ method: 'POST', url: '/api/segments/perm/refresh' })).statusCode).toBe(403);
    // Custom SQL is an admin's, even where the server allows it.
    await denied(analyst, 'POST', '/api/segments', { id: 'an-sql', name: 'S', method: 'periodic', sql: 'SELECT id FROM partners' });
    // Admins change anyone's; the owner deletes own.
    expect((await ok(admin, 'PATCH', '/api/segments/a-own', { description: 'checked' })).json().ownerUserId).toBe(keyId(managerA));
    expect((await managerA.inject({ method: 'DELETE', url: '/api/segments/a-own' })).statusCode).toBe(204);
    expect((await admin.inject({ method: 'GET', url: '/api/segments/a-own' })).statusCode).toBe(404);
  });
});
