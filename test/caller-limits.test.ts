/**
 * Limits per caller (docs/security.md#limits-per-caller): a user or key runs at most two heavy
 * requests — exports, reports, analytics over the whole base, refreshes — at once; a third is
 * answered 429 with Retry-After, while its other requests and other callers are served. The
 * requests are held open by a gate on the database (no timing): their queries for the segment
 * "held" wait at the door until the test opens it.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { createApiKey } from '../src/domain/access/api-keys.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { holdQueriesBinding, type QueryGate } from './support/held-queries.js';
import { buildTestApp, type TestApp } from './support/test-app.js';
import { importJson, send } from './terms-fixture.js';

describe.each(ENGINES)('limits per caller on $name', (engine) => {
  let raw: Database;
  let gate: QueryGate;
  let app: TestApp;
  let otherKey: string;
  const get = (url: string, key?: string) => app.inject({ url, ...(key ? { headers: { authorization: `Bearer ${key}` } } : {}) });

  beforeAll(async () => {
    raw = await engine.create();
    const held = holdQueriesBinding(raw, 'held');
    gate = held.gate;
    app = await buildTestApp({ db: held.db });
    otherKey = (await createApiKey(raw, { name: 'another analyst', role: 'analyst' })).key;
    await importJson(app, 'partners', [
      { id: 'p1', name: 'ООО Один', roles: ['customer'] },
      { id: 'p2', name: 'ООО Два', roles: ['customer'] },
    ]);
    for (const id of ['held', 'free']) {
      expect((await send(app, 'POST', '/api/segments', { id, name: id, method: 'manual' })).statusCode).toBe(201);
      expect((await send(app, 'POST', `/api/segments/${id}/members`, { ids: ['p1', 'p2'] })).statusCode).toBe(200);
    }
  });
  afterAll(async () => {
    gate.open();
    await app.close();
    await raw.close();
  });

  it('runs two heavy requests of a caller at once and refuses a third with Retry-After; its light requests and other callers go on', async () => {
    gate.hold();
    const csv = get('/api/segments/held/members.csv');
    const report = get('/api/reports/segment-sales?segment=held');
    await gate.arrived(2);

    for (const url of ['/api/segments/free/members.xlsx', '/api/reports/segment-sales.csv?segment=free', '/api/analytics/lifecycle']) {
      const refused = await get(url);
      expect(refused.statusCode, url).toBe(429);
      expect(refused.headers['retry-after']).toBe('2');
      expect(refused.json().error).toMatchObject({ code: 'TOO_MANY_CONCURRENT_REQUESTS', details: { running: 2, limit: 2 } });
    }
    // Not heavy: served.
    expect((await get('/api/segments/free/members')).statusCode).toBe(200);
    // Another caller has places of its own.
    const other = await get('/api/segments/free/members.csv', otherKey);
    expect(other.statusCode).toBe(200);
    expect(other.body).toContain('p2');

    gate.open();
    const [csvDone, reportDone] = await Promise.all([csv, report]);
    expect(csvDone.statusCode, csvDone.body).toBe(200);
    expect(csvDone.body).toContain('ООО Один');
    expect(reportDone.statusCode, reportDone.body).toBe(200);
    // Both places are free again.
    expect((await get('/api/segments/free/members.xlsx')).statusCode).toBe(200);
    expect((await get('/api/reports/segment-sales.csv?segment=free')).statusCode).toBe(200);
  });

  it('keeps the place of a request whose client went away until the server has stopped working on it', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const closed = new Promise<void>((resolve) => {
      app.server.on('request', (request, response) => {
        if (request.url?.includes('segment=held')) response.once('close', () => resolve());
      });
    });
    gate.hold();
    const controller = new AbortController();
    const dropped = fetch(`http://127.0.0.1:${port}/api/reports/segment-sales?segment=held`, { headers: { authorization: `Bearer ${app.testKey}` }, signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    await gate.arrived(1);
    controller.abort();
    expect(await dropped).toMatchObject({ name: 'AbortError' });
    await closed;

    // The dropped report still runs: with one more, the caller is at its limit.
    const second = get('/api/segments/held/members.csv');
    await gate.arrived(2);
    expect((await get('/api/segments/free/members.csv')).statusCode).toBe(429);

    gate.open();
    expect((await second).statusCode).toBe(200);
    // The dropped report's handler returns once its queries do; then its place is free.
    await vi.waitFor(async () => expect((await get('/api/segments/free/members.csv')).statusCode).toBe(200), { timeout: 20_000, interval: 20 });
    expect((await get('/api/reports/segment-sales?segment=free')).statusCode).toBe(200);
  });

  it('marks heavy routes in the OpenAPI document, with their 429', async () => {
    const doc = (await get('/api/openapi.json')).json();
    const heavy = Object.entries(doc.paths as Record<string, Record<string, { description?: string; responses: Record<string, unknown> }>>).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.description?.includes('Heavy: a caller runs at most 2 such requests at once'))
        .map(([method, op]) => {
          expect(op.responses['429'], `${method} ${path}`).toBeDefined();
          return `${method.toUpperCase()} ${path}`;
        }),
    );
    expect(heavy).toEqual(
      expect.arrayContaining([
        'GET /api/segments/{id}/members.csv',
        'GET /api/segments/{id}/members.xlsx',
        'GET /api/reports/segment-sales',
        'GET /api/reports/segment-sales.csv',
        'GET /api/reports/segment-sales.xlsx',
        'GET /api/analytics/csi-nps',
        'GET /api/analytics/lifecycle',
        'GET /api/analytics/matrices/{id}/scatter',
        'POST /api/segments/refresh',
        'POST /api/segments/{id}/refresh',
        'POST /api/analytics/rfm/refresh',
        'POST /api/analytics/renew/refresh',
      ]),
    );
    // Every report, in each of its forms.
    const reports = (await get('/api/reports')).json().items as { name: string }[];
    for (const { name } of reports) for (const suffix of ['', '.csv', '.xlsx']) expect(heavy).toContain(`GET /api/reports/${name}${suffix}`);
    expect(heavy).not.toContain('GET /api/segments/{id}/members');
  });

  it('takes another limit from the options, and refuses one below 1', async () => {
    await expect(buildApp({ db: raw }, { heavyPerCaller: 0 })).rejects.toThrow('heavyPerCaller must be a whole number above 0');
    const one = await buildTestApp({ db: holdQueriesBinding(raw, 'never').db }, { heavyPerCaller: 1 });
    try {
      const doc = (await one.inject('/api/openapi.json')).json();
      expect(doc.paths['/api/segments/{id}/members.csv'].get.description).toContain('at most 1 such requests');
    } finally {
      await one.close();
    }
  });
});
