/**
 * Connectors from the outside: the admin-only routes (strict bodies, the secret never answered,
 * sync as a job, runs, publications, the OpenAPI document) and `segmenta connectors …` on a
 * database file, whose secrets' key file is created 0600 next to it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../src/app/services.js';
import { SecretBox } from '../src/domain/access/secret-box.js';
import { resolveSecretKey } from '../src/domain/access/secret-key-file.js';
import { DuckDBDatabase } from '../src/storage/duckdb-database.js';
import { JobRegistry } from '../src/domain/jobs/job-registry.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES, PGLITE } from './engines.js';
import { Fake1C } from './support/fake-1c.js';
import { generateCompany, serve } from './support/onec-company.js';
import { segmentaCliWithInput } from './support/segmenta-cli.js';
import { buildTestApp } from './support/test-app.js';

let fake: Fake1C;
beforeAll(async () => {
  fake = new Fake1C();
  serve(generateCompany({ partners: 12, products: 4, docs: 30 }), fake);
  await fake.start();
});
afterAll(() => fake.stop());

describe('connector secrets', () => {
  it('are sealed with AES-256-GCM bound to the connector, and a wrong key or owner cannot open them', () => {
    const box = new SecretBox({ key: randomBytes(32) });
    const sealed = box.seal('пароль', 'c1');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('пароль');
    expect(box.open(sealed, 'c1')).toBe('пароль');
    expect(() => box.open(sealed, 'c2')).toThrow(expect.objectContaining({ code: 'CONNECTOR_SECRET_UNREADABLE' }));
    expect(() => new SecretBox({ key: randomBytes(32) }).open(sealed, 'c1')).toThrow(expect.objectContaining({ code: 'CONNECTOR_SECRET_UNREADABLE' }));
  });

  it('come from one key: the variable, else a 0600 file beside a DuckDB file; without either every secret is refused alike', async () => {
    const key = randomBytes(32);
    const file = await DuckDBDatabase.open(join(mkdtempSync(join(tmpdir(), 'segmenta-key-')), 'k.duckdb'));
    const postgres = await PGLITE.create();
    try {
      expect(resolveSecretKey(file, { SEGMENTA_SECRET_KEY: key.toString('hex') })).toBe(key.toString('base64'));
      const made = resolveSecretKey(file, {});
      expect(Buffer.from(made!, 'base64')).toHaveLength(32);
      expect(statSync(`${file.path}.secret-key`).mode & 0o777).toBe(0o600);
      expect(resolveSecretKey(file, {})).toBe(made);
      expect(() => resolveSecretKey(file, { SEGMENTA_SECRET_KEY: 'too-short' })).toThrow(expect.objectContaining({ code: 'CONNECTOR_SECRET_KEY_INVALID' }));
      // PostgreSQL has no file to keep a key beside: no key, and a connector is refused as a webhook is.
      expect(resolveSecretKey(postgres, {})).toBeNull();
      const services = createServices(postgres, { events: { secretKey: resolveSecretKey(postgres, {}) } });
      await expect(
        services.connectors.create({ kind: '1c', name: 'УТ', settings: { url: fake.url, user: fake.user, timezone: 'Europe/Moscow', profile: 'ut11.5' }, secret: fake.password }),
      ).rejects.toMatchObject({
        code: 'SECRET_KEY_MISSING',
      });
    } finally {
      await file.close();
      await postgres.close();
    }
  });
});

describe.each(ENGINES)('connector routes on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
  });
  afterAll(() => db.close());

  it('lets admins add, test, sync (as a job), read runs, publish and delete; others get 403', async () => {
    const services = createServices(db, { connectors: { secretKey: { key: randomBytes(32) } } });
    const jobs = new JobRegistry();
    const app = await buildTestApp({ db, services, jobs });
    const analyst = await buildTestApp({ db, services, jobs }, { role: 'analyst' });
    const body = { kind: '1c', name: 'УТ', settings: { url: fake.url, user: fake.user, timezone: 'Europe/Moscow', requestsPerSecond: 1000, backoffMs: 1 }, secret: fake.password };
    try {
      expect((await analyst.inject({ method: 'GET', url: '/api/connectors' })).statusCode).toBe(403);
      expect((await analyst.inject({ method: 'POST', url: '/api/connectors', payload: body })).statusCode).toBe(403);
      expect((await app.inject({ method: 'POST', url: '/api/connectors', payload: { ...body, extra: 1 } })).statusCode).toBe(400);
      const badUrl = await app.inject({ method: 'POST', url: '/api/connectors', payload: { ...body, settings: { ...body.settings, url: 'ftp://x' } } });
      expect(badUrl.json()).toMatchObject({ error: { code: 'CONNECTOR_SETTINGS_INVALID' } });
      expect((await app.inject({ method: 'POST', url: '/api/connectors', payload: { ...body, kind: 'sap' } })).json()).toMatchObject({ error: { code: 'CONNECTOR_KIND_UNKNOWN' } });
      const inUrl = await app.inject({ method: 'POST', url: '/api/connectors', payload: { ...body, settings: { ...body.settings, url: fake.url.replace('http://', 'http://u:p@') } } });
      expect(inUrl.json()).toMatchObject({ error: { code: 'CONNECTOR_SETTINGS_INVALID' } });

      const created = await app.inject({ method: 'POST', url: '/api/connectors', payload: body });
      expect(created.statusCode).toBe(201);
      expect(created.body).not.toContain(fake.password);
      const connector = created.json<{ id: string; secret: { set: boolean }; settings: Record<string, unknown> }>();
      expect(connector.secret).toEqual({ set: true });
      expect(connector.settings).toMatchObject({ profile: 'ut11.5', pageSize: 5000 });
      const listed = await app.inject({ method: 'GET', url: '/api/connectors' });
      expect(listed.body).not.toContain(fake.password);

      const test = await app.inject({ method: 'POST', url: `/api/connectors/${connector.id}/test` });
      expect(test.json()).toMatchObject({ ok: true, missing: [], error: null });
      expect(test.json<{ published: string[] }>().published).toContain('Catalog_Партнеры');

      const started = await app.inject({ method: 'POST', url: `/api/connectors/${connector.id}/sync` });
      expect(started.statusCode).toBe(202);
      const job = started.json<{ id: string; stages: string[] }>();
      expect(job.stages).toEqual(['connecting', 'directories', 'partners', 'products', 'sales', 'receivables', 'interactions', 'prices', 'applying', 'segments']);
      await services.connectors.idle();
      await jobs.idle();
      const done = (await app.inject({ method: 'GET', url: `/api/connectors/${connector.id}/jobs/${job.id}` })).json<{ status: string; result: { totals: { inserted: number } } }>();
      expect(done.status).toBe('succeeded');
      expect(done.result.totals.inserted).toBeGreaterThan(0);
      // The segment jobs' list does not show it (its schema is the Generate job's).
      expect((await app.inject({ method: 'GET', url: '/api/jobs' })).statusCode).toBe(200);
      const runs = (await app.inject({ method: 'GET', url: `/api/connectors/${connector.id}/runs` })).json<{ items: { status: string; mode: string }[] }>();
      expect(runs.items[0]).toMatchObject({ status: 'succeeded', mode: 'full' });

      const patched = await app.inject({ method: 'PATCH', url: `/api/connectors/${connector.id}`, payload: { schedule: 'every 30 minutes', settings: { pageSize: 50 } } });
      expect(patched.json()).toMatchObject({ schedule: 'every 30 minutes', settings: { pageSize: 50, url: fake.url } });
      expect((await app.inject({ method: 'PATCH', url: `/api/connectors/${connector.id}`, payload: { schedule: 'every 1 seconds' } })).json()).toMatchObject({
        error: { code: 'CONNECTOR_SETTINGS_INVALID' },
      });

      await services.segments.create({
        id: 'all-buyers',
        kind: 'partner',
        name: 'Покупатели',
        description: '',
        parameters: {},
        schedule: null,
        competitors: [],
        archived: false,
        method: 'periodic',
        checkOnCreate: false,
        rule: { measure: 'sales.revenue', op: 'gt', value: 0 },
      });
      const published = await app.inject({ method: 'POST', url: `/api/connectors/${connector.id}/publications`, payload: { segmentId: 'all-buyers' } });
      expect(published.statusCode).toBe(201);
      expect((await app.inject({ method: 'GET', url: `/api/connectors/${connector.id}/publications` })).json<{ items: unknown[] }>().items).toHaveLength(1);
      expect((await app.inject({ method: 'DELETE', url: `/api/connectors/${connector.id}/publications/all-buyers` })).statusCode).toBe(204);
      expect((await app.inject({ method: 'DELETE', url: `/api/connectors/${connector.id}/publications/all-buyers` })).json()).toMatchObject({ error: { code: 'PUBLICATION_NOT_FOUND' } });

      const audit = await db.query<{ action: string; after_state: string | null }>("SELECT action, after_state FROM audit_log WHERE entity = 'connector' ORDER BY id");
      expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['connector.create', 'connector.sync', 'connector.update']));
      expect(JSON.stringify(audit)).not.toContain(fake.password);

      const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{ paths: Record<string, unknown> }>();
      for (const path of [
        '/api/connectors',
        '/api/connectors/{id}',
        '/api/connectors/{id}/test',
        '/api/connectors/{id}/sync',
        '/api/connectors/{id}/runs',
        '/api/connectors/{id}/jobs/{jobId}',
        '/api/connectors/{id}/publications',
      ]) {
        expect(doc.paths[path], path).toBeDefined();
      }

      expect((await app.inject({ method: 'DELETE', url: `/api/connectors/${connector.id}` })).statusCode).toBe(204);
      expect((await app.inject({ method: 'GET', url: `/api/connectors/${connector.id}` })).json()).toMatchObject({ error: { code: 'CONNECTOR_NOT_FOUND' } });
    } finally {
      await app.close();
      await analyst.close();
    }
  });
});

describe('segmenta connectors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segmenta-connectors-cli-'));
  const dbPath = join(dir, 'cli.duckdb');
  const withInput = segmentaCliWithInput(dbPath);
  const cli = (args: string[], input?: string) => withInput(input, ...args);

  it('adds a 1C connection with the password from standard input, tests, syncs, lists runs and removes it', async () => {
    const added = await cli(['connectors', 'add', '1c', '--url', fake.url, '--user', fake.user, '--password-stdin', '--timezone', 'Europe/Moscow', '--profile', 'ut11.5'], `${fake.password}\n`);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const id = /Added connector (\S+):/.exec(added.stdout)![1]!;
    const keyFile = `${dbPath}.secret-key`; // the one key of webhook and connector secrets
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(dbPath).includes(Buffer.from(fake.password))).toBe(false);

    const tested = await cli(['connectors', 'test', id]);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toContain('are published');
    const synced = await cli(['connectors', 'sync', id]);
    expect(synced.code).toBe(0);
    expect(synced.stdout).toMatch(/Synced \(full\)/);
    const again = await cli(['connectors', 'sync', id]);
    expect(again.stdout).toMatch(/Synced \(incremental\).*inserted 0, updated 0, deleted 0/);
    const list = await cli(['connectors', 'list', '--json']);
    expect(list.stdout).not.toContain(fake.password);
    expect(JSON.parse(list.stdout)).toMatchObject([{ id, kind: '1c', secret: { set: true } }]);
    const runs = await cli(['connectors', 'runs', id, '--json']);
    expect(JSON.parse(runs.stdout)).toHaveLength(2);
    expect((await cli(['connectors', 'add', '1c', '--url', fake.url, '--user', 'x'])).code).not.toBe(0);
    expect((await cli(['connectors', 'remove', id])).code).toBe(0);
    expect(JSON.parse((await cli(['connectors', 'list', '--json'])).stdout)).toEqual([]);
    // Two syncs of a company with interactions, deals and prices on a loaded machine: a time-out, not a timed assertion.
  }, 240_000);
});

describe.each(ENGINES)('connector schedules on $name', (engine) => {
  it('a firing is claimed once when two processes share the database', async () => {
    const db = await engine.create();
    try {
      const secretKey = { key: randomBytes(32) };
      const one = createServices(db, { connectors: { secretKey } });
      const two = createServices(db, { connectors: { secretKey } });
      const connector = await one.connectors.create({
        kind: '1c',
        name: 'УТ',
        settings: { url: fake.url, user: fake.user, requestsPerSecond: 1000 },
        secret: fake.password,
        schedule: 'every 10 minutes',
      });
      const now = new Date();
      const fired = await Promise.all([one.connectors.fire(connector.id, now), two.connectors.fire(connector.id, now)]);
      expect(fired.filter(Boolean)).toHaveLength(1);
      const runs = await one.connectors.runs(connector.id);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
    } finally {
      await db.close();
    }
  });
});
