/**
 * Issue 18: segment events and webhooks. Every path that changes a stored segment's composition
 * records its events in the outbox in the same transaction; a receiver on 127.0.0.1 verifying
 * signatures gets every entry and exit exactly once per subscription; 500 then 200 gets the same
 * webhook-id again; 410 disables; the options (skip the first generation, only exits) and the
 * SSRF guard hold.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServices, type Services } from '../src/app/services.js';
import { signature, verifySignature } from '../src/domain/actions/signing.js';
import { listAttempts, listDeliveries } from '../src/domain/actions/dispatcher.js';
import { refreshSegments, rebuildInOrder } from '../src/domain/segments/batch-refresh.js';
import { addMembers, fillByRule, removeMembers } from '../src/domain/segments/manual-members.js';
import { rebuildSegment } from '../src/domain/segments/rebuild.js';
import { SegmentScheduler } from '../src/domain/segments/scheduler.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import type { Database } from '../src/storage/database.js';
import { createDemoSubscription, DEMO_SUBSCRIPTION } from '../src/demo/demo-subscriptions.js';
import { ENGINES } from './engines.js';
import { loadSmallCompany } from './segments-fixture.js';
import { startReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, checkOnCreate: false, competitors: [], archived: false };
const byRegion = (region: string) => ({ attr: 'region', op: 'inHierarchy', value: region });
const TEST_SECRET_KEY = randomBytes(32).toString('base64');
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe.each(ENGINES)('segment events on $name', (engine) => {
  let db: Database;
  let services: Services;
  let receiver: WebhookReceiver;
  const members = async (id: string) => (await db.query<{ id: string }>('SELECT member_id AS id FROM segment_members WHERE segment_id = $1 ORDER BY member_id', [id])).map((r) => r.id);
  const events = async (id: string) =>
    (
      await db.query<{ version: number; transition: string; member_id: string }>(
        'SELECT version, transition, member_id FROM segment_events WHERE segment_id = $1 ORDER BY version, transition, member_id',
        [id],
      )
    ).map((r) => `${Number(r.version)}:${r.transition}:${r.member_id}`);
  const subscribe = async (id: string, segmentIds: string[], extra: Record<string, unknown> = {}) =>
    services.subscriptions.create({
      id,
      name: id,
      segmentIds,
      eventTypes: ['segment.member.entered', 'segment.member.left'],
      skipFirstGeneration: false,
      batchSize: 2,
      enabled: true,
      action: { kind: 'webhook', url: receiver.url, secret: SECRET },
      ...extra,
    });

  beforeAll(async () => {
    db = await engine.create();
    await loadSmallCompany(db);
    receiver = await startReceiver(SECRET);
    services = createServices(db, { events: { secretKey: TEST_SECRET_KEY, allowTargets: ['127.0.0.1'], dispatcher: { retrySchedule: [0, 0, 0, 0] } } });
  });
  afterAll(async () => {
    await receiver.close();
    await db.close();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.accepted.clear();
    receiver.answers.length = 0;
    receiver.secret = SECRET;
    receiver.now = () => Date.now();
  });

  it('records every path that changes a watched composition, in its transaction, one version per change', async () => {
    for (const id of ['single', 'batch', 'ordered', 'scheduled', 'checked'])
      await services.segments.create({ ...base, id, name: id, method: 'periodic', rule: byRegion('perm'), checkOnCreate: id === 'checked' });
    await services.segments.create({ ...base, id: 'hand', name: 'hand', method: 'manual', rule: byRegion('msk') });
    await subscribe('paths', ['single', 'batch', 'ordered', 'scheduled', 'checked', 'hand']);
    const perm = ['p1', 'p2', 'p4'];
    // A single rebuild (the Generate job's path), a batch refresh, rebuildInOrder (terms, analytics), the scheduler.
    await rebuildSegment(db, await getSegment(db, 'single'), 'cli');
    await refreshSegments(db, ['batch'], { trigger: 'cli' });
    await rebuildInOrder(db, ['ordered'], 'dependency');
    const scheduler = new SegmentScheduler(db);
    await scheduler.fire(await getSegment(db, 'scheduled'), new Date());
    scheduler.stop();
    for (const id of ['single', 'batch', 'ordered', 'scheduled']) expect(await events(id), id).toEqual((await members(id)).map((m) => `1:entered:${m}`));
    expect(await members('single')).toEqual(perm);
    // Check on create: a new partner of Perm joins at import.
    await rebuildSegment(db, await getSegment(db, 'checked'), 'cli');
    await services.importData(['id;name;legalForm;region;roles\np9;ООО Новый;company;perm;customer\n'], { entity: 'partners', format: 'csv' });
    expect(await events('checked')).toEqual([...perm.map((m) => `1:entered:${m}`), '2:entered:p9']);
    // Manual edits and "fill by rule"; a removal then a re-addition are two versions, two events.
    const hand = await getSegment(db, 'hand');
    await addMembers(db, hand, ['p1', 'p2']);
    await removeMembers(db, hand, ['p2']);
    await addMembers(db, hand, ['p2']);
    await fillByRule(db, hand, { replace: true });
    expect(await events('hand')).toEqual(['1:entered:p1', '1:entered:p2', '2:left:p2', '3:entered:p2', '4:entered:p3', '4:left:p1', '4:left:p2']);
    // p9 (Perm) joins 'batch' at its next refresh; one more changes nothing: no version.
    await refreshSegments(db, ['batch'], { trigger: 'cli' });
    await refreshSegments(db, ['batch'], { trigger: 'cli' });
    expect(await events('batch')).toEqual([...perm.map((m) => `1:entered:${m}`), '2:entered:p9']);

    // Delivered: every event exactly once, each message signed, batches of at most 2.
    await services.dispatcher.runOnce();
    expect(receiver.requests.every((r) => r.valid && r.status === 200)).toBe(true);
    expect(receiver.requests.every((r) => (r.body.data.events ?? []).length <= 2)).toBe(true);
    const got = receiver.eventIds();
    const expected = (await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM segment_events'))[0]!.n;
    expect(got.size).toBe(Number(expected));
    expect([...got.values()].every((messages) => messages.size === 1)).toBe(true);
    expect(got.has('evt_hand_2_left_p2') && got.has('evt_hand_3_entered_p2')).toBe(true);
    const one = receiver.requests.find((r) => r.body.data.events?.some((e) => e.id === 'evt_checked_2_entered_p9'))!;
    expect(one.body).toMatchObject({ type: 'segment.members.changed', data: { segment: { id: 'checked', kind: 'partner' }, compositionVersion: 2, firstGeneration: false } });
    expect(one.body.data.events?.[0]).toMatchObject({ type: 'segment.member.entered', partner: { id: 'p9', name: 'ООО Новый' } });
    // Fanned out once: another pass sends nothing.
    receiver.requests.length = 0;
    await services.dispatcher.runOnce();
    expect(receiver.requests).toEqual([]);
  });

  it('keeps a watched segment from being deleted (it is used), and lets it go once nobody watches', async () => {
    await services.segments.create({ ...base, id: 'kept', name: 'kept', method: 'manual', rule: null });
    await subscribe('keeper', ['kept']);
    await expect(services.segments.delete('kept')).rejects.toMatchObject({ code: 'SEGMENT_IN_USE' });
    await services.subscriptions.delete('keeper');
    await services.segments.delete('kept');
  });

  it('records no member events for a segment no subscription watches, and a disabled subscription gets nothing', async () => {
    await services.segments.create({ ...base, id: 'quiet', name: 'quiet', method: 'periodic', rule: byRegion('msk') });
    await rebuildSegment(db, await getSegment(db, 'quiet'), 'cli');
    expect(await events('quiet')).toEqual([]);
    expect(await db.query("SELECT version, first_generation, watched, dispatched FROM segment_changes WHERE segment_id = 'quiet'")).toEqual([
      { version: 1, first_generation: true, watched: false, dispatched: true },
    ]);
  });

  it('skips a first generation and sends only exits when asked', async () => {
    await services.segments.create({ ...base, id: 'opts', name: 'opts', method: 'periodic', rule: byRegion('perm') });
    await subscribe('exits-only', ['opts'], { skipFirstGeneration: true, eventTypes: ['segment.member.left'] });
    await rebuildSegment(db, await getSegment(db, 'opts'), 'cli');
    await services.dispatcher.runOnce();
    expect(receiver.requests).toEqual([]);
    await services.segments.update('opts', { rule: byRegion('msk') });
    await rebuildSegment(db, await getSegment(db, 'opts'), 'cli');
    await services.dispatcher.runOnce();
    const types = receiver.requests.flatMap((r) => (r.body.data.events ?? []).map((e) => `${e.type}:${e.partner?.id}`));
    expect(types.sort()).toEqual(['segment.member.left:p1', 'segment.member.left:p2', 'segment.member.left:p4', 'segment.member.left:p9']);
  });

  it('carries the values the rule read for each partner, as the rule compares them', async () => {
    const rule = { all: [byRegion('perm'), { measure: 'sales.revenue', op: 'gte', value: 1000 }] };
    await services.segments.create({ ...base, id: 'valued', name: 'valued', method: 'periodic', rule });
    await subscribe('values', ['valued']);
    await rebuildSegment(db, await getSegment(db, 'valued'), 'cli');
    await services.dispatcher.runOnce();
    const events = receiver.requests.flatMap((r) => (r.body.data.events ?? []) as { partner?: { id: string }; values?: Record<string, unknown> }[]);
    // p1 bought 15,000 + 3,000; p2 4,000 (test/segments-fixture.ts); both are in Perm (p2 in a district of it).
    const byPartner = Object.fromEntries(events.map((e) => [e.partner?.id, e.values]));
    expect(byPartner).toEqual({ p1: { region: 'perm', 'sales.revenue': 18000 }, p2: { region: 'perm-d', 'sales.revenue': 4000 } });
  });

  it('sends a message that failed (500) again with the same webhook-id, logs both attempts, and a 410 disables the subscription', async () => {
    await services.segments.create({ ...base, id: 'retry', name: 'retry', method: 'manual', rule: null });
    await subscribe('retrying', ['retry']);
    receiver.answers.push(500);
    await addMembers(db, await getSegment(db, 'retry'), ['p3']);
    await services.dispatcher.runOnce();
    expect(receiver.requests.map((r) => r.status)).toEqual([500, 200]);
    expect(receiver.requests[0]!.id).toBe(receiver.requests[1]!.id);
    const [delivery] = await listDeliveries(db, 'retrying');
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, eventCount: 1, lastStatus: 200 });
    expect((await listAttempts(db, delivery!.id)).map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    expect((await services.subscriptions.get('retrying')).failingSince).toBeNull();

    // Resend: the same id once more.
    await services.dispatcher.resend(delivery!.id);
    expect(receiver.requests.map((r) => r.id)).toEqual([delivery!.id, delivery!.id, delivery!.id]);

    receiver.answers.push(410);
    await addMembers(db, await getSegment(db, 'retry'), ['p5']);
    await services.dispatcher.runOnce();
    expect(receiver.requests.at(-1)!.status).toBe(410);
    const gone = await services.subscriptions.get('retrying');
    expect(gone.enabled).toBe(false);
    expect(gone.disabledReason).toMatch(/410/);
    // Disabled: no more events recorded or sent.
    await addMembers(db, await getSegment(db, 'retry'), ['p1']);
    receiver.requests.length = 0;
    await services.dispatcher.runOnce();
    expect(receiver.requests).toEqual([]);
  });

  it('gives up after the schedule and disables an endpoint failing for 5 days', async () => {
    let clock = Date.parse('2030-01-01T00:00:00Z');
    const timed = createServices(db, {
      events: { secretKey: TEST_SECRET_KEY, allowTargets: ['127.0.0.1'], dispatcher: { retrySchedule: [0, 3 * 86_400_000, 3 * 86_400_000], now: () => new Date(clock) } },
    });
    await services.segments.create({ ...base, id: 'failing', name: 'failing', method: 'manual', rule: null });
    await timed.subscriptions.create({
      id: 'down',
      name: 'down',
      segmentIds: ['failing'],
      eventTypes: ['segment.member.entered'],
      skipFirstGeneration: false,
      batchSize: 10,
      enabled: true,
      action: { kind: 'webhook', url: receiver.url, secret: SECRET },
    });
    receiver.now = () => clock;
    receiver.answers.push(503, 503, 503);
    await addMembers(db, await getSegment(db, 'failing'), ['p1']);
    await timed.dispatcher.runOnce();
    expect((await timed.subscriptions.get('down')).failingSince).not.toBeNull();
    clock += 3 * 86_400_000;
    await timed.dispatcher.runOnce();
    expect((await timed.subscriptions.get('down')).enabled).toBe(true);
    clock += 3 * 86_400_000;
    await timed.dispatcher.runOnce();
    const down = await timed.subscriptions.get('down');
    expect(receiver.requests.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(down).toMatchObject({ enabled: false });
    expect(down.disabledReason).toMatch(/5 days/);
    expect((await listDeliveries(db, 'down'))[0]).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('refuses loopback targets unless allowed, and keeps secrets encrypted at rest', async () => {
    const strict = createServices(db, { events: { secretKey: TEST_SECRET_KEY, dispatcher: { retrySchedule: [0] } } });
    const { secret } = await strict.subscriptions.create({
      id: 'ssrf',
      name: 'ssrf',
      segmentIds: ['retry'],
      eventTypes: ['segment.member.entered'],
      skipFirstGeneration: false,
      batchSize: 10,
      enabled: true,
      action: { kind: 'webhook', url: receiver.url.replace('127.0.0.1', 'localhost') },
    });
    const test = await strict.dispatcher.sendTest('ssrf');
    expect(test.status).toBe('failed');
    expect(test.lastError).toMatch(/private, loopback or link-local/);
    expect(receiver.requests).toEqual([]);
    const stored = await db.query<{ secret: string }>("SELECT secret FROM event_subscriptions WHERE id = 'ssrf'");
    expect(stored[0]!.secret).not.toContain(secret!.slice(6, 20));
    expect(JSON.stringify(await strict.subscriptions.get('ssrf'))).not.toContain(secret!);
  });

  it('signs with the old and the new secret while a secret is rotated; a test event reaches the endpoint', async () => {
    await services.subscriptions.create({
      id: 'rotating',
      name: 'rotating',
      segmentIds: ['retry'],
      eventTypes: ['segment.member.entered'],
      skipFirstGeneration: false,
      batchSize: 10,
      enabled: true,
      action: { kind: 'webhook', url: receiver.url, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    });
    const { secret } = await services.subscriptions.rotateSecret('rotating');
    for (const s of ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', secret]) {
      receiver.secret = s;
      receiver.requests.length = 0;
      expect((await services.dispatcher.sendTest('rotating')).status).toBe('delivered');
      expect(receiver.requests[0]).toMatchObject({ valid: true, body: { type: 'segment.test' } });
      expect(receiver.requests[0]!.signature.split(' ')).toHaveLength(2);
    }
  });
});

describe('the dispatcher of segmenta serve, and the demo subscription', () => {
  it('delivers on its own once started, stops cleanly; the demo webhook stays disabled until a target is set', async () => {
    const db = await ENGINES[0]!.create();
    const receiver = await startReceiver(SECRET);
    try {
      await loadSmallCompany(db);
      const services = createServices(db, { events: { secretKey: TEST_SECRET_KEY, allowTargets: ['127.0.0.1'], dispatcher: { pollMs: 10 } } });
      await services.segments.create({ ...base, id: 'overdue-receivables', name: 'overdue', method: 'manual', rule: null });
      expect(await createDemoSubscription(services.subscriptions)).toBe(DEMO_SUBSCRIPTION.id);
      expect(await createDemoSubscription(services.subscriptions)).toBeNull();
      expect(await services.subscriptions.get(DEMO_SUBSCRIPTION.id)).toMatchObject({ enabled: false, eventTypes: ['segment.member.entered'], skipFirstGeneration: true });
      await expect(services.subscriptions.update(DEMO_SUBSCRIPTION.id, { enabled: true })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await services.subscriptions.update(DEMO_SUBSCRIPTION.id, { enabled: true, action: { kind: 'webhook', url: receiver.url } });
      await services.subscriptions.rotateSecret(DEMO_SUBSCRIPTION.id, SECRET);
      await services.dispatcher.start();
      const overdue = await getSegment(db, 'overdue-receivables');
      await addMembers(db, overdue, ['p1']); // the first change: skipped
      await addMembers(db, overdue, ['p3']);
      await vi.waitFor(() => expect(receiver.accepted.size).toBe(1), { timeout: 10_000, interval: 20 });
      await services.dispatcher.stop();
      expect(receiver.eventIds()).toEqual(new Map([['evt_overdue-receivables_2_entered_p3', new Set(['msg_overdue-receivables-webhook_overdue-receivables_2_entered_0'])]]));
      // Stopped: nothing more goes out.
      await addMembers(db, overdue, ['p2']);
      await new Promise((r) => setTimeout(r, 100));
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await receiver.close();
      await db.close();
    }
  });
});

describe('Standard Webhooks signatures', () => {
  it('match the specification’s example', () => {
    // From the Standard Webhooks reference implementations' tests.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const timestamp = 1614265330;
    const body = '{"test": 2432232314}';
    expect(signature(secret, id, timestamp, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(verifySignature(secret, { id, timestamp: String(timestamp), signature: 'v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }, body, timestamp * 1000)).toBe(true);
    expect(verifySignature(secret, { id, timestamp: String(timestamp), signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }, body, (timestamp + 3600) * 1000)).toBe(false);
  });
});
