/**
 * The amoCRM connector against a fake amoCRM that behaves as API v4 documents
 * (test/support/fake-amo.ts): a full sync reads every page and maps companies, contacts, custom
 * fields, users and leads; an incremental sync reads only what changed; companies matched to 1C's
 * partners update them; a 429 is waited out, a bad token is a clear error; a published segment
 * lands in the multiselect fields of companies and contacts, rewriting only changed ones; tasks
 * are made.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../src/app/services.js';
import { refreshSegments } from '../src/domain/segments/batch-refresh.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { FakeAmo, innOf, PIPELINE, seedAccount, type FakeCompany, type FakeField } from './support/fake-amo.js';

const key = { key: randomBytes(32) };
const HEAVY = 120_000;
const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, competitors: [], archived: false, method: 'periodic' as const, checkOnCreate: false };

// The engines side by side, each with its own fake amoCRM and databases: a sync mostly waits
// out amoCRM's pace (7 requests a second, kept), so the two take about the time of one. Within
// an engine the tests run in order (they share its fake).
describe.concurrent.each(ENGINES)('amoCRM connector on $name', (engine) => {
  let fake: FakeAmo;
  let fields: Record<string, FakeField>;
  const dbs: Database[] = [];
  const open = async () => {
    const db = await engine.create();
    dbs.push(db);
    return createServices(db, { connectors: { secretKey: key } });
  };
  const connect = (services: Services, extra: Record<string, unknown> = {}, secret = fake.token) =>
    services.connectors.create({ kind: 'amocrm', name: 'amoCRM', settings: { url: fake.url, pageSize: 10, backoffMs: 20, ...extra }, secret });

  beforeEach(async () => {
    await fake?.stop();
    fake = new FakeAmo();
    fields = seedAccount(fake, { companies: 25, contacts: 12, leads: 30 }).fields;
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
    for (const db of dbs) await db.close();
  });

  it.sequential(
    'syncs in full: every page, typed properties, managers, contacts of companies, leads as deals; the token encrypted',
    async () => {
      const services = await open();
      const connector = await connect(services);
      const [stored] = await services.db.query<{ secret: string }>('SELECT secret FROM connectors');
      expect(stored!.secret).toMatch(/^v1:/);
      expect(stored!.secret).not.toContain(fake.token);
      expect((await services.connectors.test(connector.id)).ok).toBe(true);

      const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run).toMatchObject({ status: 'succeeded', mode: 'full', refusals: [] });
      // 25 companies at 10 a page: 3 pages; the 4th is never asked (no _links.next).
      expect(fake.reads('companies').map((r) => r.query.get('page'))).toEqual(['1', '2', '3']);
      expect(fake.reads('contacts')).toHaveLength(2);
      expect(fake.reads('leads')).toHaveLength(3);
      expect(run.counts.partners).toMatchObject({ read: 37, inserted: 37 });
      expect(run.counts.managers).toMatchObject({ inserted: 3 });
      expect(run.counts.deals).toMatchObject({ read: 30, inserted: 30 });

      const prefix = `amo-${connector.id}:`;
      const [company] = await services.db.query(`SELECT name, legal_form, manager_id, email, phone FROM partners WHERE id = '${prefix}company/10005'`);
      expect(company).toEqual({ name: 'ООО «Компания 5»', legal_form: 'company', manager_id: `${prefix}user/503`, email: 'office5@example.ru', phone: '+7 495 000-00-05' });
      const definitions = await services.db.query<{ name: string; type: string }>("SELECT name, type FROM property_definitions WHERE entity = 'partners' ORDER BY name");
      expect(Object.fromEntries(definitions.map((d) => [d.name, d.type]))).toMatchObject({
        Отрасль: 'string',
        Метки: 'string',
        Выручка: 'number',
        'Дата договора': 'date',
        VIP: 'boolean',
        Должность: 'string',
      });
      const props = await services.db.query<{ name: string; value_text: string | null; value_number: number | string | null; value_date: string | null; value_boolean: boolean | null }>(
        `SELECT name, value_text, value_number, value_date, value_boolean FROM partner_properties WHERE partner_id = '${prefix}company/10004' ORDER BY name`,
      );
      const byName = Object.fromEntries(props.map((p) => [p.name, p]));
      expect(byName.Отрасль!.value_text).toBe('Опт');
      expect(byName.Метки!.value_text).toBe('Сеть; Госзаказ');
      expect(Number(byName.Выручка!.value_number)).toBe(4000);
      expect(String(byName['Дата договора']!.value_date).slice(0, 10)).toBe('2023-11-18');
      const [contact] = await services.db.query<{ legal_form: string; value_text: string }>(
        `SELECT p.legal_form, pp.value_text FROM partners p JOIN partner_properties pp ON pp.partner_id = p.id AND pp.name = 'Компания amoCRM' WHERE p.id = '${prefix}contact/20002'`,
      );
      expect(contact).toEqual({ legal_form: 'person', value_text: `${prefix}company/10002` });
      const deals = await services.db.query<{ id: string; partner_id: string; type: string; stage: string; amount: number | string | null; outcome: string; lost_reason: string | null }>(
        'SELECT id, partner_id, type, stage, amount, outcome, lost_reason FROM deals ORDER BY id',
      );
      const lost = deals.find((d) => d.id === `${prefix}lead/30003`)!;
      expect(lost).toMatchObject({ partner_id: `${prefix}contact/20004`, type: PIPELINE.name, stage: 'Закрыто и не реализовано', outcome: 'lost', lost_reason: 'Дорого' });
      expect(Number(lost.amount)).toBe(1500);
      expect(deals.find((d) => d.id === `${prefix}lead/30002`)).toMatchObject({ partner_id: `${prefix}company/10003`, outcome: 'won' });
    },
    HEAVY,
  );

  it.sequential(
    'syncs incrementally: only objects changed since the last sync are read (one page), and they are updated',
    async () => {
      const services = await open();
      const connector = await connect(services);
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      const renamed = fake.companies[3]!;
      renamed.name = 'ООО «Переименована»';
      fake.touch(renamed);
      const lead = fake.leads[0]!;
      lead.status_id = 142;
      lead.closed_at = fake.clock;
      fake.touch(lead);
      const from = fake.log.length;
      const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental' });
      const companyReads = fake.reads('companies', from);
      expect(companyReads).toHaveLength(1);
      expect(Number(companyReads[0]!.query.get('filter[updated_at][from]'))).toBeGreaterThan(fake.companies[0]!.updated_at);
      expect(fake.reads('leads', from)).toHaveLength(1);
      expect(fake.reads('contacts', from)).toHaveLength(1);
      expect(run.counts.partners!.read).toBeLessThanOrEqual(3);
      expect(run.counts.partners!.updated).toBe(1);
      const prefix = `amo-${connector.id}:`;
      expect((await services.db.query<{ name: string }>(`SELECT name FROM partners WHERE id = '${prefix}company/${renamed.id}'`))[0]!.name).toBe('ООО «Переименована»');
      expect((await services.db.query<{ outcome: string }>(`SELECT outcome FROM deals WHERE id = '${prefix}lead/${lead.id}'`))[0]!.outcome).toBe('won');
      // Nothing changed since: one small page per list, nothing written.
      const again = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(again.totals).toMatchObject({ inserted: 0, updated: 0 });
    },
    HEAVY,
  );

  it.sequential(
    'sees objects deleted in amoCRM only on a full sync: their partners are marked deleted, their deals removed',
    async () => {
      const services = await open();
      const connector = await connect(services);
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      const prefix = `amo-${connector.id}:`;
      const company = fake.companies.pop()!;
      const contact = fake.contacts.pop()!;
      const lead = fake.leads.pop()!;
      const state = async () => ({
        company: (await services.db.query<{ deleted: boolean | null }>(`SELECT deleted FROM partners WHERE id = '${prefix}company/${company.id}'`))[0]?.deleted === true,
        contact: (await services.db.query<{ deleted: boolean | null }>(`SELECT deleted FROM partners WHERE id = '${prefix}contact/${contact.id}'`))[0]?.deleted === true,
        lead: (await services.db.query(`SELECT id FROM deals WHERE id = '${prefix}lead/${lead.id}'`)).length,
      });
      // amoCRM's lists never return a deleted object: an incremental sync cannot tell.
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(await state()).toEqual({ company: false, contact: false, lead: 1 });
      const full = await services.connectors.sync(connector.id, { trigger: 'cli', full: true });
      expect(full).toMatchObject({ status: 'succeeded', mode: 'full' });
      expect(await state()).toEqual({ company: true, contact: true, lead: 0 });
      expect((await services.db.query(`SELECT id FROM deals WHERE id LIKE '${prefix}lead/%'`)).length).toBeGreaterThan(0);
    },
    HEAVY,
  );

  it.sequential(
    "matches companies to 1C's partners by INN (and by a field holding the 1C id): the CRM updates the existing partner",
    async () => {
      const services = await open();
      // Partners 1C brought, with their INN as an additional property.
      const onec = [
        { id: '1c-aaa', name: 'Компания 1 (1С)', roles: ['customer'], properties: { ИНН: innOf(1) } },
        { id: '1c-bbb', name: 'Компания 2 (1С)', roles: ['customer'], properties: { ИНН: innOf(2) } },
      ];
      await services.importData([onec.map((p) => JSON.stringify(p)).join('\n')], { entity: 'partners', format: 'jsonl' });
      const connector = await connect(services, { match: 'inn', matchField: 'ИНН' });
      const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run.status).toBe('succeeded');
      expect(run.counts.partners).toMatchObject({ updated: 2, inserted: 35 });
      const matched = await services.db.query<{ id: string; name: string; role_customer: boolean; legal_form: string }>(
        "SELECT id, name, role_customer, legal_form FROM partners WHERE id LIKE '1c-%' ORDER BY id",
      );
      expect(matched).toEqual([
        { id: '1c-aaa', name: 'ООО «Компания 1»', role_customer: true, legal_form: 'company' },
        { id: '1c-bbb', name: 'ООО «Компания 2»', role_customer: true, legal_form: 'company' },
      ]);
      expect(await services.db.query(`SELECT id FROM partners WHERE id IN ('amo-${connector.id}:company/10001', 'amo-${connector.id}:company/10002')`)).toEqual([]);
      // A lead of company 1 is a deal of the 1C partner.
      expect((await services.db.query<{ partner_id: string }>(`SELECT partner_id FROM deals WHERE id = 'amo-${connector.id}:lead/30025'`))[0]!.partner_id).toBe('1c-aaa');

      // By a field holding the 1C id.
      const idField = { id: fake.id(), name: 'Код 1С', code: null, type: 'text', enums: null };
      fake.fields.companies.push(idField);
      fake.companies[2]!.custom_fields_values!.push({ field_id: idField.id, values: [{ value: '1c-ccc' }] });
      const other = await open();
      await other.importData([JSON.stringify({ id: '1c-ccc', name: 'Из 1С', roles: ['supplier'] })], { entity: 'partners', format: 'jsonl' });
      const byId = await connect(other, { match: 'id', matchField: 'Код 1С' });
      await other.connectors.sync(byId.id, { trigger: 'cli' });
      expect(await other.db.query("SELECT id, name, role_supplier FROM partners WHERE id = '1c-ccc'")).toEqual([{ id: '1c-ccc', name: 'ООО «Компания 3»', role_supplier: true }]);
    },
    HEAVY,
  );

  it.sequential(
    'waits out 429 answers (the 7 requests a second limit) and says clearly when the token is refused',
    async () => {
      const services = await open();
      fake.requestsPerSecond = 2;
      fake.throttle = 2;
      const connector = await connect(services, { backoffMs: 100, attempts: 6 });
      const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run.status).toBe('succeeded');
      expect(fake.log.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(2);
      expect(run.counts.partners!.inserted).toBe(37);

      fake.requestsPerSecond = 7;
      const refused = await connect(services, {}, 'wrong-token');
      const test = await services.connectors.test(refused.id);
      expect(test).toMatchObject({ ok: false, error: { code: 'CONNECTOR_AUTH_FAILED' } });
      expect(test.message).toContain('401');
      expect(test.message).not.toContain('wrong-token');
      await expect(services.connectors.sync(refused.id, { trigger: 'cli' })).rejects.toMatchObject({ code: 'CONNECTOR_AUTH_FAILED' });
    },
    HEAVY,
  );

  it.sequential(
    'publishes a segment into the multiselect fields "Segmenta segments" of companies and contacts, patching only the objects that changed; makes tasks',
    async () => {
      const services = await open();
      const connector = await connect(services);
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      // VIP companies and the contacts who are directors: partners of both kinds.
      const rule = {
        any: [
          { attr: 'properties.VIP', op: 'eq', value: true },
          { attr: 'properties.Должность', op: 'eq', value: 'Директор' },
        ],
      };
      // A segment id of this engine's own: the engines run side by side in one process, and a
      // rebuild claims its segment id for the whole process (rebuild.ts).
      const vip = `vip-${engine.name}`;
      await services.segments.create({ ...base, id: vip, name: 'VIP-клиенты', rule });
      await refreshSegments(services.db, [vip], { trigger: 'cli' });
      const publication = await services.connectors.publish(connector.id, vip);
      const field = fake.fields.companies.find((f) => f.name === 'Segmenta segments')!;
      const contactField = fake.fields.contacts.find((f) => f.name === 'Segmenta segments')!;
      expect(field.type).toBe('multiselect');
      expect(contactField.type).toBe('multiselect');
      expect(field.enums!.map((e) => e.value)).toEqual(['VIP-клиенты']);
      expect(contactField.enums!.map((e) => e.value)).toEqual(['VIP-клиенты']);
      expect(publication.remoteId).toBe(`${field.id}/${field.enums![0]!.id}|${contactField.id}/${contactField.enums![0]!.id}`);
      const tagging = (rows: FakeCompany[], f: FakeField) => () =>
        rows
          .filter((c) => c.custom_fields_values?.some((v) => v.field_id === f.id && v.values.some((x) => x.enum_id === f.enums![0]!.id)))
          .map((c) => c.id)
          .sort();
      const tagged = tagging(fake.companies, field);
      const taggedContacts = tagging(fake.contacts, contactField);
      expect(tagged()).toEqual([10005, 10010, 10015, 10020, 10025]);
      expect(taggedContacts()).toEqual([20001, 20003, 20005, 20007, 20009, 20011]);
      expect(fake.patches.flat()).toHaveLength(5);
      expect(fake.contactPatches.flat()).toHaveLength(6);
      expect(publication.members).toBe(11);

      // One company stops being VIP, another becomes one: two companies patched, nothing else.
      const vipOf = (i: number) => fake.companies[i - 1]!;
      vipOf(5).custom_fields_values = vipOf(5).custom_fields_values!.filter((v) => v.field_id !== fields.vip!.id);
      fake.touch(vipOf(5));
      vipOf(7).custom_fields_values!.push({ field_id: fields.vip!.id, values: [{ value: true }] });
      fake.touch(vipOf(7));
      const patchesBefore = fake.patches.length;
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      await refreshSegments(services.db, [vip], { trigger: 'cli' });
      await services.connectors.idle();
      await services.connectors.publishNow(connector.id, vip);
      expect(
        fake.patches
          .slice(patchesBefore)
          .flat()
          .map((p) => p.id)
          .sort(),
      ).toEqual([10005, 10007]);
      expect(fake.contactPatches.flat()).toHaveLength(6);
      expect(tagged()).toEqual([10007, 10010, 10015, 10020, 10025]);
      // Published again unchanged: nothing to patch.
      const quiet = fake.patches.length;
      const quietContacts = fake.contactPatches.length;
      await services.connectors.publishNow(connector.id, vip);
      expect(fake.patches.length).toBe(quiet);
      expect(fake.contactPatches.length).toBe(quietContacts);

      // A director who is a buyer now: that contact alone is patched, no company is.
      const contact = fake.contacts.find((c) => c.id === 20003)!;
      contact.custom_fields_values = [{ field_id: fields.position!.id, values: [{ value: 'Закупщик' }] }, ...contact.custom_fields_values!.filter((v) => v.field_id !== fields.position!.id)];
      fake.touch(contact);
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      await refreshSegments(services.db, [vip], { trigger: 'cli' });
      await services.connectors.idle();
      await services.connectors.publishNow(connector.id, vip);
      expect(fake.contactPatches.slice(quietContacts).flat()).toEqual([{ id: 20003, custom_fields_values: [{ field_id: contactField.id, values: null }] }]);
      expect(fake.patches.length).toBe(quiet);
      expect(taggedContacts()).toEqual([20001, 20005, 20007, 20009, 20011]);
      // The contacts' segments field is Segmenta's own: not read back as a property.
      const props = await services.db.query<{ name: string }>(`SELECT DISTINCT name FROM partner_properties WHERE partner_id LIKE 'amo-%:contact/%' ORDER BY name`);
      expect(props.map((r) => r.name)).not.toContain('Segmenta segments');

      // A task for the partner's responsible user.
      const prefix = `amo-${connector.id}:`;
      const task = { partnerId: `${prefix}company/10007`, title: 'Позвонить', description: 'Стал VIP', deadline: '2026-12-10T12:00:00+03:00', idempotencyKey: 'event-1' };
      const created = await services.connectors.createTask(connector.id, task);
      expect(fake.tasks).toEqual([
        expect.objectContaining({
          id: Number(created.remoteId),
          text: 'Позвонить\n\nСтал VIP',
          complete_till: Date.parse('2026-12-10T09:00:00Z') / 1000,
          entity_id: 10007,
          entity_type: 'companies',
          responsible_user_id: 502,
        }),
      ]);
      // A retry of the same event makes no second task.
      expect(await services.connectors.createTask(connector.id, task)).toEqual(created);
      expect(fake.tasks).toHaveLength(1);
      await expect(services.connectors.createTask(connector.id, { ...task, partnerId: 'nobody' })).rejects.toMatchObject({ code: 'CRM_PARTNER_NOT_LINKED' });

      await services.connectors.unpublish(connector.id, vip);
      expect(fake.fields.companies.find((f) => f.id === field.id)!.enums).toEqual([]);
      expect(fake.fields.contacts.find((f) => f.id === contactField.id)!.enums).toEqual([]);
      expect(fake.companies.some((c) => c.custom_fields_values?.some((v) => v.field_id === field.id))).toBe(false);
      expect(fake.contacts.some((c) => c.custom_fields_values?.some((v) => v.field_id === contactField.id))).toBe(false);
    },
    HEAVY,
  );
});
