/**
 * The audit log (docs/security.md#audit-log): every kind of write through the API leaves a row
 * with the key that made it, the entity and its state before and after; the log is read by
 * admins only, with filters; a write route that does not say what it records cannot be added.
 */
import { sql } from '../src/sql/sql.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/api/app.js';
import { declareAudit } from '../src/api/audit.js';
import { createApiKey } from '../src/domain/access/api-keys.js';
import { cliActor, getAuditEntry, listAudit, recordAudit, REDACTED } from '../src/domain/access/audit.js';
import type { AuditEntry } from '../src/domain/access/audit.schema.js';
import type { Database } from '../src/storage/database.js';
import { DuckDBDatabase } from '../src/storage/duckdb-database.js';
import { ENGINES } from './engines.js';
import { loadTermsCompany, SEED_002_CSV, send } from './terms-fixture.js';
import { segmentaCli } from './support/segmenta-cli.js';
import { buildTestApp, type TestApp } from './support/test-app.js';

describe.each(ENGINES)('the audit log on $name', (engine) => {
  let db: Database;
  let app: TestApp;
  /** The id of the test's admin key (`sgk_<id>_<secret>`). */
  let keyId: string;

  const audit = async (query = ''): Promise<{ items: AuditEntry[]; total: number; limit: number; offset: number }> => {
    const res = await app.inject(`/api/audit${query ? `?${query}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** The newest entry of an action. */
  const last = async (action: string): Promise<AuditEntry> => {
    const page = await audit(`action=${encodeURIComponent(action)}&limit=1`);
    expect(page.items, `no audit entry for ${action}`).toHaveLength(1);
    return page.items[0]!;
  };
  const ok = async (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, status = method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200) => {
    const res = await send(app, method, url, payload);
    expect(res.statusCode, res.body).toBe(status);
    return res;
  };
  const byKey = () => expect.objectContaining({ actorKind: 'key', actorId: keyId, actorName: 'test admin' });

  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    keyId = /^sgk_([0-9a-f]{16})_/.exec(app.testKey)![1]!;
    await loadTermsCompany(app);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('records imports by their counts, never the rows', async () => {
    const page = await audit('action=import.run');
    expect(page.total).toBe(4);
    // Newest first: settlements were imported last.
    expect(page.items.map((e) => e.entityId)).toEqual(['settlements', 'sales', 'products', 'partners']);
    const partners = page.items[3]!;
    expect(partners).toMatchObject({ entity: 'import', method: 'POST', route: '/api/import/:entity', status: 200, before: null });
    expect(partners).toEqual(byKey());
    expect(partners.after).toEqual({
      entity: 'partners',
      format: 'json',
      encoding: 'utf-8',
      rows: 4,
      inserted: 4,
      updated: 0,
      unchanged: 0,
      duplicates: 0,
      skipped: 0,
      errorCount: 0,
      newProperties: [],
    });
  });

  it('records a bad import that imported nothing not at all, and one with bad rows skipped by its counts only', async () => {
    const before = (await audit('action=import.run')).total;
    const bad = await app.inject({
      method: 'POST',
      url: '/api/import/partners',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([{ id: 'x1', name: 'X', roles: ['nobody'] }]),
    });
    expect(bad.statusCode).toBe(422);
    expect((await audit('action=import.run')).total).toBe(before);
    const skipped = await app.inject({
      method: 'POST',
      url: '/api/import/partners?skipBad=true',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([{ id: 'secret-partner', name: 'Тайный', roles: ['nobody'] }]),
    });
    expect(skipped.statusCode, skipped.body).toBe(200);
    const entry = await last('import.run');
    expect(entry.after).toMatchObject({ rows: 1, skipped: 1, errorCount: 1 });
    expect(JSON.stringify(entry)).not.toContain('nobody');
  });

  it('records segment create, update and delete with the segment before and after', async () => {
    await ok('POST', '/api/segments', { id: 'vip', name: 'VIP', method: 'manual' });
    await ok('PATCH', '/api/segments/vip', { name: 'VIP клиенты' });
    await ok('DELETE', '/api/segments/vip');
    const [deleted, updated, created] = (await audit('entity=segment&entityId=vip')).items;
    expect(created).toMatchObject({ action: 'segment.create', entity: 'segment', entityId: 'vip', method: 'POST', route: '/api/segments', status: 201, before: null });
    expect(created!.after).toMatchObject({ id: 'vip', name: 'VIP', method: 'manual', size: 0 });
    expect(updated).toMatchObject({ action: 'segment.update', method: 'PATCH', route: '/api/segments/:id', status: 200 });
    expect(updated!.before).toMatchObject({ name: 'VIP' });
    expect(updated!.after).toMatchObject({ name: 'VIP клиенты' });
    expect(deleted).toMatchObject({ action: 'segment.delete', method: 'DELETE', status: 204, after: null });
    expect(deleted!.before).toMatchObject({ id: 'vip', name: 'VIP клиенты' });
    for (const entry of [created, updated, deleted]) expect(entry).toEqual(byKey());
  });

  it('records nothing for a write that failed', async () => {
    const before = (await audit()).total;
    expect((await send(app, 'PATCH', '/api/segments/nobody', { name: 'x' })).statusCode).toBe(404);
    expect((await send(app, 'POST', '/api/segments', { id: 'segment1', name: 'again', method: 'manual' })).statusCode).toBe(409);
    expect((await send(app, 'POST', '/api/agreements', { name: 'no segment', segmentId: 'nobody' })).statusCode).toBe(422);
    expect((await audit()).total).toBe(before);
  });

  it('records members added and removed by hand, with the ids and the size before and after', async () => {
    await ok('POST', '/api/segments', { id: 'hand', name: 'Вручную', method: 'manual' });
    await ok('POST', '/api/segments/hand/members', { ids: ['alpha', 'beta'] }, 200);
    await ok('POST', '/api/segments/hand/members/remove', { ids: ['beta'] }, 200);
    const added = await last('segment.members.add');
    expect(added).toMatchObject({ entity: 'segment', entityId: 'hand', route: '/api/segments/:id/members' });
    expect(added).toEqual(byKey());
    expect(added.before).toMatchObject({ id: 'hand', size: 0 });
    expect(added.after).toMatchObject({ id: 'hand', size: 2, ids: ['alpha', 'beta'], idsGiven: 2, result: { added: 2 } });
    const removed = await last('segment.members.remove');
    expect(removed.before).toMatchObject({ size: 2 });
    expect(removed.after).toMatchObject({ size: 1, ids: ['beta'], result: { removed: 1 } });
  });

  it('records generating a segment, one and many, and filling a manual one', async () => {
    await ok('POST', '/api/segments', { id: 'buyers', name: 'Покупатели', method: 'periodic', rule: { measure: 'sales.revenue', op: 'gte', value: 1000 } });
    const generated = await ok('POST', '/api/segments/buyers/refresh', undefined, 200);
    const size = generated.json().size as number;
    expect(size).toBeGreaterThan(0);
    const generate = await last('segment.generate');
    expect(generate).toMatchObject({ entityId: 'buyers', route: '/api/segments/:id/refresh' });
    expect(generate).toEqual(byKey());
    expect(generate.before).toMatchObject({ id: 'buyers', size: 0 });
    expect(generate.after).toMatchObject({ id: 'buyers', size, result: { segmentId: 'buyers', size } });

    await ok('POST', '/api/segments/refresh', { ids: ['buyers'] }, 200);
    const many = await last('segment.refresh-many');
    expect(many).toMatchObject({ entity: 'segment', entityId: null, before: null });
    expect(many.after).toMatchObject({ segments: [expect.objectContaining({ segmentId: 'buyers', status: 'ok' })] });

    await ok('POST', '/api/segments', { id: 'by-rule', name: 'По правилу', method: 'manual', rule: { measure: 'sales.revenue', op: 'gte', value: 1000 } });
    await ok('POST', '/api/segments/by-rule/fill', { replace: true }, 200);
    const fill = await last('segment.fill');
    expect(fill.before).toMatchObject({ size: 0 });
    expect(fill.after).toMatchObject({ size, result: { added: size, size } });
  });

  it.each([
    ['campaigns', 'campaign', { id: 'spring', name: 'Весна', startsOn: '2030-03-01', endsOn: '2030-05-31' }],
    ['agreements', 'agreement', { id: 'retail', name: 'Розница', segmentId: 'hand', discountPercent: 1 }],
    ['discounts', 'discount', { id: 'vip-5', name: 'VIP 5%', percent: 5, conditions: [{ kind: 'partnerInSegment', segment: 'hand' }] }],
    ['shipment-bans', 'shipment-ban', { id: 'stop', name: 'Стоп', segmentId: 'hand' }],
    ['manual-discount-limits', 'manual-discount-limit', { id: 'limit', name: 'До 7%', segmentId: 'hand', maxPercent: 7 }],
  ])('records %s created, changed and deleted', async (path, entity, input) => {
    await ok('POST', `/api/${path}`, input);
    await ok('PATCH', `/api/${path}/${input.id}`, { name: `${input.name} (new)` });
    await ok('DELETE', `/api/${path}/${input.id}`);
    const [deleted, changed, created] = (await audit(`entity=${entity}&entityId=${input.id}`)).items;
    expect(created).toMatchObject({ action: `${entity}.create`, before: null, after: expect.objectContaining({ id: input.id, name: input.name }) });
    expect(changed).toMatchObject({ action: `${entity}.update`, before: expect.objectContaining({ name: input.name }), after: expect.objectContaining({ name: `${input.name} (new)` }) });
    expect(deleted).toMatchObject({ action: `${entity}.delete`, before: expect.objectContaining({ name: `${input.name} (new)` }), after: null });
    for (const entry of [created, changed, deleted]) expect(entry).toEqual(byKey());
  });

  it('records cumulative discount tables saved from CSV and JSON, and deleted', async () => {
    const csv = await app.inject({ method: 'PUT', url: '/api/discount-tables/seed002/csv?name=seed002', headers: { 'content-type': 'text/csv; charset=utf-8' }, payload: SEED_002_CSV });
    expect(csv.statusCode, csv.body).toBe(200);
    const fromCsv = await last('discount-table.save');
    expect(fromCsv).toMatchObject({ entity: 'discount-table', entityId: 'seed002', route: '/api/discount-tables/:id/csv', before: null });
    expect(fromCsv).toEqual(byKey());
    expect(fromCsv.after).toMatchObject({ id: 'seed002', name: 'seed002' });

    await ok('POST', '/api/discount-tables', { id: 'seed002', name: 'Накопительная', columns: [{ months: 12, threshold: 1000 }], rows: [{ productSegment: 'segment1', percents: [1] }] }, 200);
    const fromJson = await last('discount-table.save');
    expect(fromJson).toMatchObject({ entityId: 'seed002', route: '/api/discount-tables' });
    expect(fromJson.before).toMatchObject({ id: 'seed002', name: 'seed002' });
    expect(fromJson.after).toMatchObject({ id: 'seed002', name: 'Накопительная' });

    const removed = await ok('DELETE', '/api/discount-tables/seed002', undefined, 200);
    const deleted = await last('discount-table.delete');
    expect(deleted.before).toMatchObject({ id: 'seed002', name: 'Накопительная' });
    expect(deleted.after).toEqual({ state: null, result: removed.json() });
  });

  it('records analytics settings and matrices before and after', async () => {
    const rfmBefore = (await app.inject('/api/analytics/rfm')).json().settings;
    await ok('PUT', '/api/analytics/rfm/settings', { bins: rfmBefore.bins === 3 ? 4 : 3 }, 200);
    const rfm = await last('analytics-settings.update');
    expect(rfm).toMatchObject({ entity: 'analytics-settings', entityId: 'rfm', route: '/api/analytics/rfm/settings' });
    expect(rfm).toEqual(byKey());
    expect(rfm.before).toMatchObject({ bins: rfmBefore.bins });
    expect(rfm.after).toMatchObject({ bins: rfmBefore.bins === 3 ? 4 : 3 });

    await ok('PUT', '/api/analytics/lifecycle/settings', { months: 7 }, 200);
    const lifecycle = await last('analytics-settings.update');
    expect(lifecycle).toMatchObject({ entityId: 'lifecycle', after: expect.objectContaining({ months: 7 }) });

    const matrix = {
      name: 'BCG',
      x: { label: 'R', source: { score: 'rfm.r' }, threshold: 3 },
      y: { label: 'F', source: { score: 'rfm.f' }, threshold: 3 },
      quadrants: { highHigh: { key: 'stars', name: 'Звёзды' }, highLow: { key: 'cows', name: 'Коровы' }, lowHigh: { key: 'kids', name: 'Дети' }, lowLow: { key: 'dogs', name: 'Собаки' } },
    };
    await ok('PUT', '/api/analytics/matrices/bcg', matrix, 200);
    await ok('DELETE', '/api/analytics/matrices/bcg');
    const [deleted, saved] = (await audit('entity=matrix')).items;
    expect(saved).toMatchObject({ action: 'matrix.save', entityId: 'bcg', before: null });
    // A quadrant's key is a name, not a secret: this entity keeps it.
    expect(saved!.after).toMatchObject({ id: 'bcg', quadrants: { highHigh: { key: 'stars', name: 'Звёзды' } } });
    expect(deleted).toMatchObject({ action: 'matrix.delete', after: null, before: expect.objectContaining({ name: 'BCG' }) });
  });

  it('filters by entity, id, actor, action and time, pages newest first', async () => {
    const all = await audit('limit=500');
    expect(all.total).toBe(all.items.length);
    expect(all.items.map((e) => e.id)).toEqual([...all.items.map((e) => e.id)].sort((a, b) => b - a));
    expect(all.items.every((e) => e.actorId === keyId)).toBe(true);

    const segments = await audit('entity=segment&limit=500');
    expect(segments.items.length).toBeGreaterThan(5);
    expect(segments.items.every((e) => e.entity === 'segment')).toBe(true);
    expect((await audit('entityId=hand&limit=500')).items.map((e) => e.action)).toEqual(['segment.members.remove', 'segment.members.add', 'segment.create']);
    expect((await audit('action=segment.&limit=500')).total).toBe(all.items.filter((e) => e.action.startsWith('segment.')).length);
    expect((await audit('action=segment')).total).toBe(0);
    expect((await audit('actor=test%20admin')).total).toBe(all.total);
    expect((await audit(`actor=${keyId}`)).total).toBe(all.total);
    expect((await audit('actor=someone')).total).toBe(0);
    expect((await audit('actorKind=key')).total).toBe(all.total);
    expect((await audit('actorKind=cli')).total).toBe(0);

    const today = all.items[0]!.occurredAt.slice(0, 10);
    const next = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const previous = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect((await audit(`from=${today}&to=${today}`)).total).toBe(all.total);
    expect((await audit(`from=${next}`)).total).toBe(0);
    expect((await audit(`to=${previous}`)).total).toBe(0);
    const middle = all.items[Math.floor(all.items.length / 2)]!;
    const since = await audit(`from=${encodeURIComponent(middle.occurredAt)}&limit=500`);
    expect(since.items.every((e) => e.occurredAt >= middle.occurredAt)).toBe(true);
    expect(since.items.map((e) => e.id)).toContain(middle.id);
    const upTo = await audit(`to=${encodeURIComponent(middle.occurredAt)}&limit=500`);
    expect(upTo.items.every((e) => e.occurredAt <= middle.occurredAt)).toBe(true);
    expect(upTo.items.map((e) => e.id)).toContain(middle.id);

    const page = await audit('limit=3&offset=2');
    expect(page).toMatchObject({ total: all.total, limit: 3, offset: 2 });
    expect(page.items.map((e) => e.id)).toEqual(all.items.slice(2, 5).map((e) => e.id));

    expect((await app.inject('/api/audit?from=yesterday')).statusCode).toBe(400);
    expect((await app.inject('/api/audit?limit=501')).statusCode).toBe(400);
  });

  it('reads one entry by id', async () => {
    const newest = (await audit('limit=1')).items[0]!;
    const one = await app.inject(`/api/audit/${newest.id}`);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toEqual(newest);
    const missing = await app.inject('/api/audit/999999999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('ENTITY_NOT_FOUND');
    expect((await app.inject('/api/audit/abc')).statusCode).toBe(400);
  });

  it('is for admins only; a write refused for the role is recorded as denied, one without credentials is not', async () => {
    const analyst = (await createApiKey(db, { name: 'an analyst', role: 'analyst' })).key;
    await db.run(sql`INSERT INTO managers (id, name) VALUES ('m-audit', 'Audit Manager') ON CONFLICT DO NOTHING`);
    const manager = await createApiKey(db, { name: 'a manager', role: 'manager', managerIds: ['m-audit'] });
    for (const key of [analyst, manager.key]) {
      const res = await app.inject({ url: '/api/audit', headers: { authorization: `Bearer ${key}` } });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('ACCESS_DENIED');
      expect((await app.inject({ url: '/api/audit/1', headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(403);
    }
    expect((await app.inject({ url: '/api/audit', headers: { authorization: 'Bearer nothing' } })).statusCode).toBe(401);

    const before = (await audit()).total;
    const denied = await app.inject({ method: 'DELETE', url: '/api/segments/hand', headers: { authorization: `Bearer ${manager.key}` } });
    expect(denied.statusCode).toBe(403);
    const anonymous = await app.inject({ method: 'DELETE', url: '/api/segments/hand', headers: { authorization: 'Bearer nothing' } });
    expect(anonymous.statusCode).toBe(401);
    expect((await audit()).total).toBe(before + 1);
    const entry = (await audit('limit=1')).items[0]!;
    expect(entry).toMatchObject({
      actorKind: 'key',
      actorId: manager.info.id,
      actorName: 'a manager',
      action: 'segment.delete',
      entity: 'segment',
      entityId: 'hand',
      status: 403,
      before: null,
      after: null,
    });
    // Nothing was deleted.
    expect((await app.inject('/api/segments/hand')).statusCode).toBe(200);
  });

  it('keeps secrets out: fields named like a password, key, secret or token, and API keys in any text', async () => {
    const id = await recordAudit(db, {
      actor: cliActor(),
      action: 'key.create',
      entity: 'key',
      entityId: 'k1',
      route: 'segmenta keys create',
      before: null,
      after: {
        name: 'integration',
        key: app.testKey,
        apiKey: 'plain',
        password: 'hunter2',
        passwordHash: '$argon2id$…',
        nested: [{ csrf_token: 't', secretHash: 'h', keyId: 'k1', keys: 2 }],
        note: `made ${app.testKey} for them`,
        missing: { token: null },
      },
    });
    const entry = await getAuditEntry(db, id);
    expect(entry).toMatchObject({ actorKind: 'cli', actorId: cliActor().id, method: null, route: 'segmenta keys create', status: 200, entityId: 'k1' });
    expect(entry.actorId).not.toBe('');
    expect(entry.after).toEqual({
      name: 'integration',
      key: REDACTED,
      apiKey: REDACTED,
      password: REDACTED,
      passwordHash: REDACTED,
      nested: [{ csrf_token: REDACTED, secretHash: REDACTED, keyId: 'k1', keys: 2 }],
      note: REDACTED,
      missing: { token: null },
    });
    expect(JSON.stringify(entry)).not.toContain(app.testKey.slice(21));
    expect((await audit('actorKind=cli')).items.map((e) => e.id)).toEqual([id]);
  });

  it('says in the OpenAPI document what each write records', async () => {
    const doc = (await app.inject('/api/openapi.json')).json();
    expect(doc.paths['/api/segments/{id}'].patch.description).toContain('Recorded in the audit log as `segment.update`.');
    expect(doc.paths['/api/import/{entity}'].post.description).toContain('`import.run`');
    expect(doc.paths['/api/orders/price'].post.description ?? '').not.toContain('audit log');
    expect(doc.paths['/api/audit'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['entity', 'entityId', 'actor', 'action', 'from', 'to', 'limit', 'offset']));
  });
});

describe('audit declarations', () => {
  it('a write route under /api without one makes the app refuse it', async () => {
    const db = await ENGINES[0]!.create();
    try {
      const app = await buildApp({ db });
      const handler = async () => ({});
      expect(() => app.post('/api/things', { config: { access: 'admin' } }, handler)).toThrow('POST /api/things declares no audit');
      expect(() => app.delete('/api/things/:id', { config: { access: 'admin' } }, handler)).toThrow('DELETE /api/things/:id declares no audit');
      // A read, a route that declares it writes nothing, one that says what it records, a route outside /api: accepted.
      app.get('/api/things', { config: { access: 'admin' } }, handler);
      app.post('/api/things/check', { config: { access: 'admin', audit: false } }, handler);
      app.put('/api/things/:id', { config: { access: 'admin', audit: { entity: 'thing' } } }, handler);
      app.post('/outside', handler);
      await app.ready();
      await app.close();
    } finally {
      await db.close();
    }
  });

  it('the hook alone refuses it too, whatever app it is in', () => {
    const app = Fastify();
    app.addHook('onRoute', declareAudit);
    expect(() => app.patch('/api/x', async () => ({}))).toThrow('PATCH /api/x declares no audit');
  });
});

describe('writes made by the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'segmenta-audit-cli-'));
  const dbPath = join(dir, 'cli.duckdb');
  const segmenta = segmentaCli(dbPath);
  const ok = async (...args: string[]) => {
    const result = await segmenta(...args);
    expect(result.code, `segmenta ${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result;
  };
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are recorded as made by the operating-system user, with the command', async () => {
    await ok('import', 'partners', file('partners.csv', 'id;name;legalForm\np1;ООО Один;company\np2;Иванов;person\n'));
    await ok('segments', 'create', file('hand.json', { id: 'hand', name: 'Вручную', method: 'manual', rule: { attr: 'legalForm', op: 'eq', value: 'company' } }));
    await ok('segments', 'update', 'hand', file('patch.json', { name: 'Руками' }));
    await ok('segments', 'add', 'hand', 'p2');
    await ok('segments', 'remove', 'hand', 'p2');
    await ok('segments', 'fill', 'hand');
    await ok('terms', 'create', 'bans', file('ban.json', { id: 'stop', name: 'Стоп', segmentId: 'hand' }));
    await ok('terms', 'update', 'bans', 'stop', file('ban-patch.json', { name: 'Стоп!' }));
    await ok('terms', 'delete', 'bans', 'stop');
    await ok('analytics', 'rfm', 'settings', '--bins', '4');
    await ok('segments', 'delete', 'hand');
    // A command that fails records nothing.
    expect((await segmenta('segments', 'delete', 'hand')).code).toBe(1);

    const db = await DuckDBDatabase.open(dbPath);
    try {
      const { items, total } = await listAudit(db, { limit: 100, offset: 0 });
      const os = cliActor().id;
      expect(items.every((e) => e.actorKind === 'cli' && e.actorId === os && e.actorName === os && e.method === null && e.status === 200)).toBe(true);
      expect(items.map((e) => `${e.action} ${e.entityId} (${e.route})`).reverse()).toEqual([
        'import.run partners (segmenta import)',
        'segment.create hand (segmenta segments create)',
        'segment.update hand (segmenta segments update)',
        'segment.members.add hand (segmenta segments add)',
        'segment.members.remove hand (segmenta segments remove)',
        'segment.fill hand (segmenta segments fill)',
        'shipment-ban.create stop (segmenta terms create)',
        'shipment-ban.update stop (segmenta terms update)',
        'shipment-ban.delete stop (segmenta terms delete)',
        'analytics-settings.update rfm (segmenta analytics rfm settings)',
        'segment.delete hand (segmenta segments delete)',
      ]);
      expect(total).toBe(11);
      const [deleted, rfm, , , , fill, removed, added, updated, created, imported] = items;
      expect(imported!.after).toMatchObject({ entity: 'partners', rows: 2, inserted: 2 });
      expect(created).toMatchObject({ before: null, after: expect.objectContaining({ id: 'hand', name: 'Вручную', size: 0 }) });
      expect(updated).toMatchObject({ before: expect.objectContaining({ name: 'Вручную' }), after: expect.objectContaining({ name: 'Руками' }) });
      expect(added!.after).toMatchObject({ size: 1, ids: ['p2'], idsGiven: 1, result: { added: 1 } });
      expect(removed!.after).toMatchObject({ size: 0, result: { removed: 1 } });
      expect(fill!.after).toMatchObject({ size: 1, result: { added: 1 } });
      expect(rfm!.after).toMatchObject({ bins: 4 });
      expect(deleted).toMatchObject({ after: null, before: expect.objectContaining({ id: 'hand', size: 1 }) });
    } finally {
      await db.close();
    }
  });
});
