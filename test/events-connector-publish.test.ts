/**
 * Issue 18, "publish to 1C / CRM field as an action": a subscription with a `connector-publish`
 * action publishes its segment through a connector when members enter or leave — into the fake
 * 1C's segment register, the fake Bitrix24's company list field, the fake amoCRM's multiselect —
 * each member there once, by the dispatcher's queue: a system that fails the attempt gets it
 * again on the retry schedule, and the delivery log shows both attempts. A connector that does
 * not exist is refused when the subscription is made.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../src/app/services.js';
import { listAttempts, listDeliveries } from '../src/domain/actions/dispatcher.js';
import { addMembers, removeMembers } from '../src/domain/segments/manual-members.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { Fake1C } from './support/fake-1c.js';
import { FakeAmo, seedAccount, type FakeCompany } from './support/fake-amo.js';
import { FakeBitrix24, seedPortal } from './support/fake-b24.js';
import { generateCompany, serve } from './support/onec-company.js';

const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, competitors: [], archived: false, checkOnCreate: false };

/** One outside system: its fake, a connection to it, who is in the published item, and a way to make it fail. */
interface System {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  connect(services: Services): Promise<string>;
  /** Partner ids of the published item, once per occurrence (a duplicate shows twice). */
  published(connectorId: string, remoteId: string): string[];
  /** Which partners (of those the sync brought) the system can hold. */
  readonly partnerPattern: string;
  fail(failing: boolean): void;
}

function oneC(): System {
  const fake = new Fake1C();
  serve(generateCompany({ partners: 12, products: 4, docs: 20 }), fake);
  return {
    name: '1C',
    start: async () => void (await fake.start()),
    stop: () => fake.stop(),
    connect: async (services) =>
      (
        await services.connectors.create({
          kind: '1c',
          name: 'УТ 11.5',
          settings: { url: fake.url, user: fake.user, timezone: 'Europe/Moscow', pageSize: 25, requestsPerSecond: 1000, backoffMs: 1, attempts: 2, timeoutMs: 5000 },
          secret: fake.password,
        })
      ).id,
    published: (_id, remoteId) =>
      fake
        .rows('InformationRegister_ПартнерыСегмента')
        .filter((r) => r.Сегмент_Key === remoteId)
        .map((r) => String(r.Партнер_Key)),
    partnerPattern: '%-%-%-%-%',
    // The server drops every connection (down), then answers again.
    fail: (failing) => (fake.downAfter = failing ? 0 : null),
  };
}

function bitrix24(): System {
  const fake = new FakeBitrix24();
  seedPortal(fake, { companies: 8, contacts: 0, deals: 0, activities: 0 });
  return {
    name: 'Bitrix24',
    start: async () => void (await fake.start()),
    stop: () => fake.stop(),
    connect: async (services) => (await services.connectors.create({ kind: 'bitrix24', name: 'Б24', settings: { url: fake.url, user: fake.userId, backoffMs: 5 }, secret: fake.code })).id,
    published: (id, remoteId) => {
      // `<companies' item>|<contacts' item>`
      const [companyItem, contactItem] = remoteId.split('|');
      const holding = (rows: Record<string, unknown>[], item: string | undefined, kind: string) =>
        rows.flatMap((c) => (Array.isArray(c.UF_CRM_SEGMENTA_SEGMENTS) ? (c.UF_CRM_SEGMENTA_SEGMENTS as string[]) : []).filter((v) => v === item).map(() => `b24-${id}:${kind}/${String(c.ID)}`));
      return [...holding(fake.companies, companyItem, 'co'), ...holding(fake.contacts, contactItem, 'c')];
    },
    partnerPattern: 'b24-%:co/%',
    // The webhook revoked, then given back.
    fail: (failing) => (fake.expired = failing),
  };
}

function amoCrm(): System {
  const fake = new FakeAmo();
  seedAccount(fake, { companies: 8, contacts: 0, leads: 0 });
  const token = fake.token;
  return {
    name: 'amoCRM',
    start: async () => void (await fake.start()),
    stop: () => fake.stop(),
    connect: async (services) => (await services.connectors.create({ kind: 'amocrm', name: 'amoCRM', settings: { url: fake.url, pageSize: 10, backoffMs: 20 }, secret: token })).id,
    published: (id, remoteId) => {
      // `<field>/<item> of the companies|<field>/<item> of the contacts`
      const [companyPart, contactPart] = remoteId.split('|');
      const holding = (rows: FakeCompany[], part: string | undefined, kind: string) => {
        const [fieldId, enumId] = (part ?? '').split('/').map(Number);
        return rows.flatMap((c) =>
          (c.custom_fields_values ?? [])
            .filter((v) => v.field_id === fieldId)
            .flatMap((v) => v.values.filter((x) => x.enum_id === enumId))
            .map(() => `amo-${id}:${kind}/${c.id}`),
        );
      };
      return [...holding(fake.companies, companyPart, 'company'), ...holding(fake.contacts, contactPart, 'contact')];
    },
    partnerPattern: 'amo-%:company/%',
    // The token revoked, then valid again.
    fail: (failing) => (fake.token = failing ? 'revoked' : token),
  };
}

describe.each(ENGINES)('the connector-publish action on $name', (engine) => {
  const dbs: Database[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.close();
  });

  describe.each([
    ['1C', oneC],
    ['Bitrix24', bitrix24],
    ['amoCRM', amoCrm],
  ] as const)('through %s', (_name, make) => {
    const system = make();
    let services: Services;
    let connectorId: string;
    /** The dispatcher's clock: moved on to when a retry is due. */
    let clock = Date.now();
    beforeAll(async () => {
      await system.start();
      const db = await engine.create();
      dbs.push(db);
      services = createServices(db, {
        connectors: { secretKey: { key: randomBytes(32) } },
        events: { secretKey: randomBytes(32).toString('base64'), dispatcher: { retrySchedule: [0, 3_600_000, 3_600_000], now: () => new Date(clock) } },
      });
      connectorId = await system.connect(services);
      await services.connectors.sync(connectorId, { trigger: 'cli' });
    });
    afterAll(() => system.stop());

    it(`puts each entry into ${system.name} once, takes exits out, and retries when the system fails`, async () => {
      const db = services.db;
      const partners = (await db.query<{ id: string }>(`SELECT id FROM partners WHERE id LIKE '${system.partnerPattern}' ORDER BY id LIMIT 4`)).map((r) => r.id);
      expect(partners).toHaveLength(4);
      const [a, b, c, d] = partners as [string, string, string, string];
      await services.segments.create({ ...base, id: 'pub', name: 'Публикуемый', method: 'manual', rule: null });
      await expect(
        services.subscriptions.create({
          id: 'nowhere',
          name: 'Никуда',
          segmentIds: ['pub'],
          eventTypes: ['segment.member.entered'],
          skipFirstGeneration: false,
          batchSize: 100,
          enabled: true,
          action: { kind: 'connector-publish', connectorId: 'no-such' },
        }),
      ).rejects.toMatchObject({ code: 'CONNECTOR_NOT_FOUND' });
      const { subscription, secret } = await services.subscriptions.create({
        id: 'publish',
        name: 'Публикация',
        segmentIds: ['pub'],
        eventTypes: ['segment.member.entered', 'segment.member.left'],
        skipFirstGeneration: false,
        batchSize: 100,
        enabled: true,
        action: { kind: 'connector-publish', connectorId },
      });
      expect(secret).toBeNull();
      expect(subscription.action).toEqual({ kind: 'connector-publish', connectorId });

      await addMembers(db, await getSegment(db, 'pub'), [a, b]);
      await services.dispatcher.runOnce();
      const [publication] = await services.connectors.publications(connectorId);
      expect(publication).toMatchObject({ segmentId: 'pub', members: 2, error: null, byEvents: true });
      const inSystem = () => system.published(connectorId, publication!.remoteId!).sort();
      expect(inSystem()).toEqual([a, b].sort());
      const [first] = await listDeliveries(db, 'publish');
      expect(first).toMatchObject({ status: 'delivered', attempts: 1, transition: 'entered', eventCount: 2 });

      // The system fails: the attempt fails, nothing changes there; the retry publishes.
      system.fail(true);
      await addMembers(db, await getSegment(db, 'pub'), [c, d]);
      await removeMembers(db, await getSegment(db, 'pub'), [a]);
      await services.dispatcher.runOnce().catch(() => undefined);
      expect(inSystem()).toEqual([a, b].sort());
      const failing = (await listDeliveries(db, 'publish')).filter((x) => x.status !== 'delivered');
      expect(failing.length).toBeGreaterThan(0);
      expect(failing.every((x) => x.status === 'pending' && x.attempts === 1 && x.lastError)).toBe(true);
      system.fail(false);
      await services.dispatcher.runOnce();
      expect(inSystem()).toEqual([a, b].sort());
      clock += 3_600_000;
      await services.dispatcher.runOnce();
      expect(inSystem()).toEqual([b, c, d].sort());
      const after = await listDeliveries(db, 'publish');
      expect(after.every((x) => x.status === 'delivered')).toBe(true);
      const retried = after.find((x) => x.id === failing[0]!.id)!;
      expect(retried.attempts).toBe(2);
      const attempts = await listAttempts(db, retried.id);
      expect(attempts[0]!.error).toBeTruthy();
      expect(attempts[1]!.responseExcerpt).toMatch(/^published through connector /);

      // Sent again by hand, and a test event: nothing changes in the system.
      await services.dispatcher.resend(first!.id);
      expect(inSystem()).toEqual([b, c, d].sort());
      const test = await services.dispatcher.sendTest('publish');
      expect(test.status).toBe('delivered');
      expect(inSystem()).toEqual([b, c, d].sort());
      // Published by the subscription's queue only: not by the background publishing after each generation.
      expect(await services.connectors.isPublished(db, 'pub')).toBe(false);
    });
  });
});
