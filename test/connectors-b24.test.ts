/**
 * The Bitrix24 connector against a fake portal that behaves as Bitrix24's REST documentation
 * says (test/support/fake-b24.ts): a full sync maps companies, contacts, deals, activities and
 * users in a handful of batched requests; an incremental one reads only what changed; companies
 * match 1C partners by INN; the portal's limit answers are waited out; auth failures are clear;
 * publishing writes only the companies and contacts whose segments changed; tasks go to the
 * responsible user.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../src/app/services.js';
import { refreshSegments } from '../src/domain/segments/batch-refresh.js';
import { isoNow } from '../src/bench/b24-fake/fake-b24.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { FakeBitrix24, innOf, seedPortal } from './support/fake-b24.js';

const key = { key: randomBytes(32) };
const HEAVY = 120_000;
const SIZE = { companies: 120, contacts: 60, deals: 120, activities: 120 };
const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, competitors: [], archived: false, method: 'periodic' as const, checkOnCreate: false };

describe.each(ENGINES)('Bitrix24 connector on $name', (engine) => {
  let fake: FakeBitrix24;
  const dbs: Database[] = [];
  const open = async (): Promise<Services> => {
    const db = await engine.create();
    dbs.push(db);
    return createServices(db, { connectors: { secretKey: key } });
  };
  const settings = (extra: Record<string, unknown> = {}) => ({ url: fake.url, user: fake.userId, backoffMs: 5, timeoutMs: 5000, ...extra });
  const connect = (services: Services, extra: Record<string, unknown> = {}, secret = fake.code) =>
    services.connectors.create({ kind: 'bitrix24', name: 'Битрикс24', settings: settings(extra), secret });

  beforeEach(async () => {
    fake = new FakeBitrix24();
    seedPortal(fake, SIZE);
    await fake.start();
  });
  afterEach(async () => {
    await fake.stop();
  });
  afterAll(async () => {
    for (const db of dbs) await db.close();
  });

  it(
    'syncs in full with batches: partners, types, managers, deals, interactions, typed properties',
    async () => {
      const services = await open();
      const connector = await connect(services);
      expect(JSON.stringify(connector)).not.toContain(fake.code);
      const [stored] = await services.db.query<{ secret: string }>('SELECT secret FROM connectors');
      expect(stored!.secret).not.toContain(fake.code);

      const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run.status).toBe('succeeded');
      expect(run.mode).toBe('full');
      // Directories in one batch; each list: its largest ID, then one batch of ranges.
      expect(run.requests).toBe(fake.requests);
      expect(run.requests).toBeLessThanOrEqual(9);
      const p = `b24-${connector.id}:`;
      expect(run.counts.partners).toMatchObject({ inserted: 180 });
      expect(run.counts.managers).toMatchObject({ inserted: 3 });
      expect(run.counts.deals).toMatchObject({ inserted: 120, refused: 0 });
      expect(run.counts.interactions).toMatchObject({ inserted: 120, refused: 0 });
      const [co] = await services.db.query(`SELECT * FROM partners WHERE id = '${p}co/7'`);
      expect(co).toMatchObject({
        name: 'ООО «Компания 7»',
        type_id: `${p}type/CO/COMPETITOR`,
        role_competitor: true,
        legal_form: 'company',
        manager_id: `${p}u/2`,
        email: 'info7@company.ru',
        phone: '+7 495 000-0007',
      });
      expect(String(co!.registered_at)).toContain('2026-11-01');
      const props = await services.db.query<{ name: string; value_text: string | null; value_number: number | null }>(
        `SELECT name, value_text, value_number FROM partner_properties WHERE partner_id = '${p}co/7' ORDER BY name`,
      );
      expect(props.map((r) => [r.name, r.value_text ?? Number(r.value_number)])).toEqual([
        ['industry', 'Информационные технологии'],
        ['ИНН', Number(innOf(7))],
        ['Канал', 'Розница'],
        ['Сотрудников', 21],
      ]);
      const [contact] = await services.db.query(`SELECT * FROM partners WHERE id = '${p}c/3'`);
      expect(contact).toMatchObject({ name: 'Петров3 Иван3', legal_form: 'person', type_id: `${p}type/C/CLIENT`, email: 'ivan3@mail.ru' });
      const [link] = await services.db.query<{ value_text: string }>(`SELECT value_text FROM partner_properties WHERE partner_id = '${p}c/3' AND name = 'company'`);
      expect(link!.value_text).toBe(`${p}co/3`);
      const [deal] = await services.db.query(`SELECT * FROM deals WHERE id = '${p}d/4'`);
      expect(deal).toMatchObject({ partner_id: `${p}co/4`, stage: 'WON', outcome: 'won', type: 'SERVICE' });
      expect(Number(deal!.amount)).toBe(4000);
      const [byContact] = await services.db.query(`SELECT partner_id FROM deals WHERE id = '${p}d/7'`);
      expect(byContact!.partner_id).toBe(`${p}c/7`);
      const [activity] = await services.db.query(`SELECT * FROM interactions WHERE id = '${p}a/3'`);
      expect(activity).toMatchObject({ partner_id: `${p}co/1`, type: 'call', direction: 'in', subject: 'Звонок 1', result: 'completed' });
    },
    HEAVY,
  );

  it(
    'syncs incrementally: one batch of directories and one request per list when little changed',
    async () => {
      const services = await open();
      const connector = await connect(services);
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      const p = `b24-${connector.id}:`;
      const nothing = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(nothing.mode).toBe('incremental');
      expect(nothing.requests).toBe(5);
      expect(nothing.totals).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });

      const company = fake.companies.find((c) => c.ID === '5')!;
      Object.assign(company, { TITLE: 'ООО «Переименована»', DATE_MODIFY: isoNow() });
      fake.deals.push({ ...fake.deals[0]!, ID: '500', TITLE: 'Новая', COMPANY_ID: '5', OPPORTUNITY: '777.50', DATE_MODIFY: isoNow() });
      const from = fake.log.length;
      const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run.requests).toBe(5);
      const lists = fake.calls('crm.company.list', from);
      expect(lists).toHaveLength(1);
      expect(Object.keys(lists[0]!.params.filter as object)).toContain('>=DATE_MODIFY');
      // The changed company, and the newest company and contact again (`>=`: a change in the same second is not missed).
      expect(run.counts.partners).toMatchObject({ read: 3, updated: 1 });
      expect(run.counts.deals).toMatchObject({ inserted: 1 });
      const [renamed] = await services.db.query<{ name: string }>(`SELECT name FROM partners WHERE id = '${p}co/5'`);
      expect(renamed!.name).toBe('ООО «Переименована»');
      const [deal] = await services.db.query<{ amount: number }>(`SELECT amount FROM deals WHERE id = '${p}d/500'`);
      expect(Number(deal!.amount)).toBe(777.5);
    },
    HEAVY,
  );

  it(
    'matches companies to the partners from 1C by INN: the CRM updates them, adding none',
    async () => {
      const services = await open();
      const onec = ['1c-guid-a', '1c-guid-b'];
      await services.importData(
        [`${JSON.stringify({ id: onec[0], name: 'Компания 1 (1С)', properties: { inn: innOf(1) } })}\n${JSON.stringify({ id: onec[1], name: 'Компания 2 (1С)', properties: { inn: innOf(2) } })}\n`],
        {
          entity: 'partners',
          format: 'jsonl',
        },
      );
      const connector = await connect(services, { match: { field: 'UF_CRM_INN', to: 'property', property: 'inn' } });
      const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run.status).toBe('succeeded');
      const p = `b24-${connector.id}:`;
      const rows = await services.db.query<{ id: string; name: string; type_id: string; email: string }>(
        `SELECT id, name, type_id, email FROM partners WHERE id IN ('${onec.join("','")}') ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: onec[0], name: 'Компания 1 (1С)', type_id: `${p}type/CO/SUPPLIER`, email: 'info1@company.ru' },
        { id: onec[1], name: 'Компания 2 (1С)', type_id: `${p}type/CO/COMPETITOR`, email: 'info2@company.ru' },
      ]);
      expect(await services.db.query(`SELECT id FROM partners WHERE id IN ('${p}co/1', '${p}co/2')`)).toEqual([]);
      const [count] = await services.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM partners');
      expect(Number(count!.n)).toBe(180);
      // Their deals and the contacts' links point at the 1C partners.
      const [deal] = await services.db.query<{ partner_id: string }>(`SELECT partner_id FROM deals WHERE id = '${p}d/1'`);
      expect(deal!.partner_id).toBe(onec[0]);
      const [link] = await services.db.query<{ value_text: string }>(`SELECT value_text FROM partner_properties WHERE partner_id = '${p}c/2' AND name = 'company'`);
      expect(link!.value_text).toBe(onec[1]);
    },
    HEAVY,
  );

  it(
    "waits out the portal's limit answers (QUERY_LIMIT_EXCEEDED, OPERATION_TIME_LIMIT) and names auth failures",
    async () => {
      const services = await open();
      // Another integration filled the portal's bucket: it refuses, the client backs off and retries.
      fake.refuseNext = 3;
      fake.timeLimited.add('batch');
      const connector = await connect(services);
      const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run.status).toBe('succeeded');
      expect(fake.refusedForLimit).toBe(3);
      expect(run.counts.partners).toMatchObject({ inserted: 180 });

      const wrong = await connect(services, {}, 'not-the-code');
      const test = await services.connectors.test(wrong.id);
      expect(test.ok).toBe(false);
      expect(test.error?.code).toBe('CONNECTOR_AUTH_FAILED');
      expect(test.message).not.toContain('not-the-code');
      expect(test.message).toContain('INVALID_CREDENTIALS');

      fake.expired = true;
      Object.assign(fake.companies[0]!, { TITLE: 'Не дойдёт', DATE_MODIFY: isoNow() });
      await expect(services.connectors.sync(connector.id, { trigger: 'cli' })).rejects.toMatchObject({ code: 'CONNECTOR_AUTH_FAILED' });
      const [runRow] = await services.connectors.runs(connector.id, 1);
      expect(runRow!.error?.code).toBe('CONNECTOR_AUTH_FAILED');
      const [kept] = await services.db.query<{ name: string }>(`SELECT name FROM partners WHERE id = 'b24-${connector.id}:co/1'`);
      expect(kept!.name).toBe('ООО «Компания 1»');
      fake.expired = false;
      const good = await services.connectors.test(connector.id);
      expect(good).toMatchObject({ ok: true, missing: [], published: ['crm', 'user', 'task'] });
    },
    HEAVY,
  );

  it(
    'publishes a segment into the multiple list fields of companies and contacts, updating only the entities that changed; creates tasks',
    async () => {
      const services = await open();
      const connector = await connect(services);
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      const p = `b24-${connector.id}:`;
      // Customer companies and client contacts: partners of both kinds.
      const rule = {
        any: [
          { attr: 'type', op: 'eq', value: `${p}type/CO/CUSTOMER` },
          { attr: 'type', op: 'eq', value: `${p}type/C/CLIENT` },
        ],
      };
      await services.segments.create({ ...base, id: 'customers', name: 'Клиенты из CRM', rule });
      await refreshSegments(services.db, ['customers'], { trigger: 'cli', onChange: services.compositionListener() });
      const publication = await services.connectors.publish(connector.id, 'customers');
      const companyField = fake.companyFields.find((f) => f.FIELD_NAME === 'UF_CRM_SEGMENTA_SEGMENTS')!;
      const contactField = fake.contactFields.find((f) => f.FIELD_NAME === 'UF_CRM_SEGMENTA_SEGMENTS')!;
      expect(companyField).toMatchObject({ ENTITY_ID: 'CRM_COMPANY', USER_TYPE_ID: 'enumeration', MULTIPLE: 'Y' });
      expect(contactField).toMatchObject({ ENTITY_ID: 'CRM_CONTACT', USER_TYPE_ID: 'enumeration', MULTIPLE: 'Y' });
      const [companyItem, contactItem] = publication.remoteId!.split('|');
      expect(companyField.LIST!.map((i) => [i.ID, i.VALUE])).toEqual([[companyItem, 'Клиенты из CRM']]);
      expect(contactField.LIST!.map((i) => [i.ID, i.VALUE])).toEqual([[contactItem, 'Клиенты из CRM']]);
      const holding = (rows: Record<string, unknown>[], item: string | undefined) =>
        rows
          .filter((c) => Array.isArray(c.UF_CRM_SEGMENTA_SEGMENTS) && (c.UF_CRM_SEGMENTA_SEGMENTS as string[]).includes(item!))
          .map((c) => Number(c.ID))
          .sort((a, b) => a - b);
      const customers = fake.companies.filter((c) => c.COMPANY_TYPE === 'CUSTOMER').map((c) => Number(c.ID));
      const clients = fake.contacts.filter((c) => c.TYPE_ID === 'CLIENT').map((c) => Number(c.ID));
      expect(holding(fake.companies, companyItem)).toEqual(customers);
      expect(holding(fake.contacts, contactItem)).toEqual(clients);
      expect(fake.companyUpdates).toHaveLength(customers.length);
      expect(fake.contactUpdates).toHaveLength(clients.length);
      expect(publication.members).toBe(customers.length + clients.length);

      // Publishing again changes nothing; a company that became a customer is the only update.
      await services.connectors.publishNow(connector.id, 'customers');
      expect(fake.companyUpdates).toHaveLength(customers.length);
      expect(fake.contactUpdates).toHaveLength(clients.length);
      Object.assign(
        fake.companies.find((c) => c.ID === '7')!,
        { COMPANY_TYPE: 'CUSTOMER', DATE_MODIFY: isoNow() },
      );
      const before = fake.companyUpdates.length;
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      await services.connectors.idle();
      expect(fake.companyUpdates.slice(before).map((u) => u.id)).toEqual(['7']);
      expect(fake.contactUpdates).toHaveLength(clients.length);
      expect(holding(fake.companies, companyItem)).toEqual([...customers, 7].sort((a, b) => a - b));

      // A contact that is no client any more: it alone is updated, no company is.
      Object.assign(
        fake.contacts.find((c) => c.ID === '1')!,
        { TYPE_ID: 'SUPPLIER', DATE_MODIFY: isoNow() },
      );
      const companiesBefore = fake.companyUpdates.length;
      const contactsBefore = fake.contactUpdates.length;
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      await services.connectors.idle();
      expect(fake.contactUpdates.slice(contactsBefore).map((u) => u.id)).toEqual(['1']);
      expect(fake.contacts.find((c) => c.ID === '1')!.UF_CRM_SEGMENTA_SEGMENTS).toEqual([]);
      expect(fake.companyUpdates).toHaveLength(companiesBefore);
      expect(holding(fake.contacts, contactItem)).toEqual(clients.filter((id) => id !== 1));
      const [again] = await services.connectors.publications(connector.id);
      expect(again).toMatchObject({ segmentId: 'customers', remoteId: publication.remoteId });

      // A task for the responsible user of a company.
      const task = await services.connectors.createTask(connector.id, {
        partnerId: `${p}co/7`,
        title: 'Позвонить',
        description: 'Новый клиент',
        deadline: '2026-12-10T18:00:00+03:00',
        idempotencyKey: 'e1',
      });
      expect(fake.tasks).toEqual([{ id: task.remoteId, title: 'Позвонить', description: 'Новый клиент', responsibleId: '2', deadline: '2026-12-10T18:00:00+03:00', ufCrmTask: ['CO_7'] }]);
      await expect(
        services.connectors.createTask(connector.id, { partnerId: 'elsewhere', title: 't', description: '', deadline: '2026-12-10T18:00:00+03:00', idempotencyKey: 'e2' }),
      ).rejects.toMatchObject({
        code: 'CRM_PARTNER_NOT_LINKED',
      });

      await services.connectors.unpublish(connector.id, 'customers');
      expect(holding(fake.companies, companyItem)).toEqual([]);
      expect(holding(fake.contacts, contactItem)).toEqual([]);
      expect(companyField.LIST).toEqual([]);
      expect(contactField.LIST).toEqual([]);
    },
    HEAVY,
  );
});
