/**
 * Issue 18: the subscriptions API — for administrators and analysts, strict bodies, the
 * secret shown once, a test event, the delivery log with attempts, resend, rotation — and the
 * audit log of its writes without the secret.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../src/app/services.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';
import { buildTestApp, type TestApp } from './support/test-app.js';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const secret = `whsec_${randomBytes(30).toString('base64')}`;

describe.each(ENGINES)('the subscriptions API on $name', (engine) => {
  let db: Database;
  let analyst: TestApp;
  let manager: TestApp;
  let receiver: WebhookReceiver;
  let services: Services;

  beforeAll(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
    receiver = await startReceiver(secret);
    services = createServices(db, { events: { secretKey: randomBytes(32).toString('base64'), allowTargets: ['127.0.0.1'], dispatcher: { retrySchedule: [0, 60_000] } } });
    await services.segments.create({
      id: 'watched',
      kind: 'partner',
      name: 'Watched',
      description: '',
      method: 'manual',
      rule: null,
      parameters: {},
      schedule: null,
      checkOnCreate: false,
      competitors: [],
      archived: false,
    });
    analyst = await buildTestApp({ db, services }, { role: 'analyst' });
    await db.run("INSERT INTO managers (id, name) VALUES ('m1', 'Мария')");
    manager = await buildTestApp({ db, services }, { role: 'manager', managerIds: ['m1'] });
  });
  afterAll(async () => {
    await analyst.close();
    await manager.close();
    await receiver.close();
    await db.close();
  });

  const body = { id: 'crm', name: 'CRM hook', segmentIds: ['watched'], eventTypes: ['segment.member.entered'], action: { kind: 'webhook', url: '' } };

  it('creates a subscription for an analyst, shows its secret once, refuses managers and unknown fields', async () => {
    expect((await manager.inject({ method: 'GET', url: '/api/subscriptions' })).statusCode).toBe(403);
    const unknown = await analyst.inject({ method: 'POST', url: '/api/subscriptions', payload: { ...body, action: { ...body.action, url: receiver.url }, extra: 1 } });
    expect(unknown.statusCode).toBe(400);
    const weak = await analyst.inject({ method: 'POST', url: '/api/subscriptions', payload: { ...body, action: { kind: 'webhook', url: receiver.url, secret: 'whsec_c2hvcnQ=' } } });
    expect(weak.statusCode).toBe(400);
    const missing = await analyst.inject({ method: 'POST', url: '/api/subscriptions', payload: { ...body, segmentIds: ['nope'], action: { kind: 'webhook', url: receiver.url } } });
    expect(missing.json()).toMatchObject({ error: { code: 'SEGMENT_NOT_FOUND' } });
    const created = await analyst.inject({ method: 'POST', url: '/api/subscriptions', payload: { ...body, action: { kind: 'webhook', url: receiver.url, secret } } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: 'crm',
      secret,
      enabled: true,
      batchSize: 100,
      skipFirstGeneration: false,
      action: { kind: 'webhook', url: receiver.url, secretHint: `whsec_…${secret.slice(-4)}` },
    });
    const again = await analyst.inject({ method: 'GET', url: '/api/subscriptions/crm' });
    expect(again.body).not.toContain(secret);
    expect((await analyst.inject({ method: 'GET', url: '/api/subscriptions?segmentId=watched' })).json().items.map((s: { id: string }) => s.id)).toEqual(['crm']);
    const audit = await db.query<{ after_state: string | null }>("SELECT after_state FROM audit_log WHERE entity = 'subscription'");
    expect(audit.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('sends a test event, lists deliveries with their attempts, resends with the same id', async () => {
    const test = await analyst.inject({ method: 'POST', url: '/api/subscriptions/crm/test' });
    expect(test.json()).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200 });
    expect(receiver.requests.at(-1)).toMatchObject({ valid: true, body: { type: 'segment.test' } });
    receiver.answers.push(500);
    const add = await analyst.inject({ method: 'POST', url: '/api/segments/watched/members', payload: { ids: ['p1'] } });
    expect(add.statusCode).toBe(200);
    const list = async () => (await analyst.inject({ method: 'GET', url: '/api/subscriptions/crm/deliveries' })).json().items as { id: string; status: string; attempts: number; eventCount: number }[];
    // The dispatcher runs in `segmenta serve`; here one pass of it.
    await services.dispatcher.runOnce();
    const [message] = (await list()).filter((d) => d.eventCount === 1);
    expect(message).toMatchObject({ status: 'pending', attempts: 1 });
    const detail = await analyst.inject({ method: 'GET', url: `/api/subscriptions/crm/deliveries/${message!.id}` });
    expect(detail.json().attemptLog).toMatchObject([{ attempt: 1, statusCode: 500 }]);
    const resent = await analyst.inject({ method: 'POST', url: `/api/subscriptions/crm/deliveries/${message!.id}/resend` });
    expect(resent.json()).toMatchObject({ status: 'delivered' });
    expect(receiver.requests.slice(-2).map((r) => r.id)).toEqual([message!.id, message!.id]);
  });

  it('changes an action in one shape for every kind — `action` with its kind, the fields given merged — and refuses the old `task` and `url`', async () => {
    const patch = (id: string, payload: Record<string, unknown>) => analyst.inject({ method: 'PATCH', url: `/api/subscriptions/${id}`, payload });
    const crm = await services.connectors.create({ kind: 'bitrix24', name: 'Б24', settings: { url: 'http://127.0.0.1:9', user: '1' }, secret: 'code' });
    const made = await analyst.inject({
      method: 'POST',
      url: '/api/subscriptions',
      payload: { ...body, id: 'crm-calls', action: { kind: 'crm-task', connectorId: crm.id, title: 'Позвонить {partner}', description: 'Долг {overdue}', deadlineDays: 2 } },
    });
    expect(made.statusCode).toBe(201);
    const changed = await patch('crm-calls', { action: { kind: 'crm-task', title: 'Напомнить {partner}' } });
    expect(changed.json().action).toEqual({ kind: 'crm-task', connectorId: crm.id, title: 'Напомнить {partner}', description: 'Долг {overdue}', deadlineDays: 2 });
    const old = await patch('crm-calls', { task: { title: 'Старый способ' } });
    expect(old.statusCode).toBe(400);
    expect(old.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('Unrecognized key: "task"') });
    expect((await patch('crm-calls', { action: { kind: 'webhook', url: receiver.url } })).json().error.message).toContain("the subscription's action is crm-task");
    expect((await patch('crm-calls', { action: { kind: 'crm-task', connectorId: 'nope' } })).json().error).toMatchObject({ code: 'CONNECTOR_NOT_FOUND' });
    expect((await patch('crm-calls', { action: { kind: 'crm-task', title: '' } })).json().error.message).toContain('action.title');

    const published = await analyst.inject({ method: 'POST', url: '/api/subscriptions', payload: { ...body, id: 'to-crm', action: { kind: 'connector-publish', connectorId: crm.id } } });
    expect(published.json()).toMatchObject({ action: { kind: 'connector-publish', connectorId: crm.id }, secret: null });
    expect((await analyst.inject({ method: 'GET', url: '/api/subscriptions?segmentId=watched' })).json().items.map((x: { id: string }) => x.id)).toContain('to-crm');

    const hook = await patch('crm', { action: { kind: 'webhook', url: `${receiver.url}?v=2` } });
    expect(hook.json().action).toMatchObject({ kind: 'webhook', url: `${receiver.url}?v=2`, secretHint: expect.stringMatching(/^whsec_…/) });
    expect((await patch('crm', { url: receiver.url })).json().error.message).toContain('Unrecognized key: "url"');
    expect((await patch('crm', { action: { kind: 'webhook', url: receiver.url } })).statusCode).toBe(200);
    for (const id of ['crm-calls', 'to-crm']) expect((await analyst.inject({ method: 'DELETE', url: `/api/subscriptions/${id}` })).statusCode).toBe(204);
  });

  it('rotates the secret (both sign for a day), disables and deletes', async () => {
    const rotated = await analyst.inject({ method: 'POST', url: '/api/subscriptions/crm/rotate-secret', payload: {} });
    const fresh = rotated.json().secret as string;
    expect(fresh).toMatch(/^whsec_/);
    receiver.secret = fresh;
    expect((await analyst.inject({ method: 'POST', url: '/api/subscriptions/crm/test' })).json()).toMatchObject({ status: 'delivered' });
    expect(receiver.requests.at(-1)!.signature.split(' ')).toHaveLength(2);
    const off = await analyst.inject({ method: 'PATCH', url: '/api/subscriptions/crm', payload: { enabled: false } });
    expect(off.json()).toMatchObject({ enabled: false });
    expect((await analyst.inject({ method: 'PATCH', url: '/api/subscriptions/crm', payload: { secret: 'x' } })).statusCode).toBe(400);
    expect((await analyst.inject({ method: 'DELETE', url: '/api/subscriptions/crm' })).statusCode).toBe(204);
    expect((await analyst.inject({ method: 'GET', url: '/api/subscriptions/crm' })).json()).toMatchObject({ error: { code: 'SUBSCRIPTION_NOT_FOUND' } });
  });
});
