/**
 * The 1C connector against a fake 1C that behaves as 1C does (test/support/fake-1c.ts): a full
 * sync gives the same segments as the CSV files of the same company; an incremental sync reads
 * only the changed objects and the trailing window and ends as a full sync would; faults leave the
 * data as it was with errors naming the object; published segments land in 1C's register.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../src/app/services.js';
import { refreshSegments } from '../src/domain/segments/batch-refresh.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import type { SegmentInput } from '../src/domain/segments/segment.schema.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { Fake1C } from './support/fake-1c.js';
import { ALL_PARTNERS } from '../src/domain/access/principal.js';
import { priceOrder } from '../src/domain/terms/order-pricing.js';
import { updatePriceType } from '../src/domain/terms/price-types.js';
import {
  csvFiles,
  dealRow,
  generateCompany,
  guid,
  INTERACTION_OBJECTS,
  interactionRow,
  moscowToday,
  partnerRow,
  priceRows,
  priceTypeRow,
  registerRows,
  serve,
  type Company,
} from './support/onec-company.js';

const key = { key: randomBytes(32) };
/** A sync and a CSV import of the company on PGlite take tens of seconds on a loaded machine: a time-out, not a timed assertion. */
const HEAVY = 300_000;
const base = { kind: 'partner' as const, description: '', parameters: {}, schedule: null, competitors: [], archived: false, method: 'periodic' as const, checkOnCreate: false };
const SEGMENTS: SegmentInput[] = [
  { ...base, id: 'recent-buyers', name: 'Покупали за 90 дней', rule: { measure: 'sales.revenue', period: { last: { days: 90 } }, op: 'gt', value: 3000 } },
  { ...base, id: 'loyal', name: 'Три документа и больше', rule: { measure: 'sales.documents', op: 'gte', value: 3 } },
  { ...base, id: 'perm', name: 'Пермь', rule: { attr: 'region', op: 'inHierarchy', value: guid('r-perm') } },
  { ...base, id: 'persons', name: 'Частные лица', rule: { attr: 'legalForm', op: 'eq', value: 'person' } },
  { ...base, id: 'debtors', name: 'Должники', rule: { measure: 'settlements.overdueReceivable', op: 'gt', value: 0 } },
  { ...base, id: 'drills', name: 'Покупатели дрелей', rule: { measure: 'sales.quantity', where: { productGroup: guid('g-drills') }, op: 'gt', value: 0 } },
];

async function members(db: Database): Promise<Record<string, string[]>> {
  const rows = await db.query<{ segment_id: string; member_id: string }>('SELECT segment_id, member_id FROM segment_members ORDER BY segment_id, member_id');
  const out: Record<string, string[]> = {};
  // 1C's own segments, kept by the sync, are not in the CSV files: compared apart.
  for (const r of rows) if (!r.segment_id.startsWith('1c-')) (out[r.segment_id] ??= []).push(r.member_id);
  return out;
}

/** Price types and prices as Segmenta holds them. */
async function priceFacts(db: Database): Promise<unknown> {
  return {
    types: await db.query('SELECT id, name, currency, vat_included, base_type_id FROM price_types ORDER BY id'),
    prices: await db.query('SELECT id, price_type_id, product_id, valid_from, price FROM prices ORDER BY id'),
  };
}

async function withSegments(services: Services): Promise<Record<string, string[]>> {
  for (const s of SEGMENTS) await services.segments.create(s).catch(() => undefined);
  await refreshSegments(services.db, 'all-periodic', { trigger: 'cli' });
  return members(services.db);
}

/** Facts as Segmenta holds them, ids aside: what segments can see. */
async function facts(db: Database): Promise<unknown> {
  return {
    partners: await db.query('SELECT id, name, group_id, region_id, manager_id, legal_form, registered_at, deleted, role_customer, role_supplier FROM partners ORDER BY id'),
    sales: await db.query('SELECT document, date, partner_id, product_id, quantity, revenue, cost, manager_id FROM sales ORDER BY document, partner_id, product_id, quantity, revenue, cost'),
    settlements: await db.query('SELECT partner_id, date, amount, due_date FROM settlements ORDER BY partner_id, due_date, amount'),
    properties: await db.query('SELECT partner_id, name, value_text, value_number, value_date, value_boolean FROM partner_properties ORDER BY partner_id, name'),
    definitions: await db.query('SELECT entity, name, type FROM property_definitions ORDER BY entity, name'),
    productProperties: await db.query('SELECT product_id, name, value_text, value_number FROM product_properties ORDER BY product_id, name'),
    interactions: await db.query('SELECT partner_id, date, type, direction, subject FROM interactions ORDER BY partner_id, date, type, direction, subject'),
    deals: await db.query('SELECT partner_id, type, stage, amount, created_at, closed_at, outcome, lost_reason FROM deals ORDER BY partner_id, created_at, stage'),
  };
}

describe.each(ENGINES)('1C connector on $name', (engine) => {
  let fake: Fake1C;
  let company: Company;
  const dbs: Database[] = [];
  const open = async () => {
    const db = await engine.create();
    dbs.push(db);
    return createServices(db, { connectors: { secretKey: key } });
  };
  const settings = (extra: Record<string, unknown> = {}) => ({
    url: fake.url,
    user: fake.user,
    timezone: 'Europe/Moscow',
    pageSize: 25,
    requestsPerSecond: 1000,
    backoffMs: 1,
    attempts: 3,
    timeoutMs: 5000,
    ...extra,
  });
  const connect = (services: Services, extra: Record<string, unknown> = {}, secret = fake.password) => services.connectors.create({ kind: '1c', name: 'УТ 11.5', settings: settings(extra), secret });

  beforeAll(async () => {
    company = generateCompany();
    fake = new Fake1C();
    serve(company, fake);
    // An inactive record: not a fact.
    fake.rows('AccumulationRegister_ВыручкаИСебестоимостьПродаж_RecordType').push({ ...registerRows(company.docs[0]!)[0]!, LineNumber: 99, Active: false, СуммаВыручки: 999999 });
    await fake.start();
  });
  afterAll(async () => {
    await fake.stop();
    for (const db of dbs) await db.close();
  });

  it(
    'syncs the company in full and gives the same segments as its CSV files',
    async () => {
      const imported = await open();
      for (const file of csvFiles(company)) await imported.importData([file.text], { entity: file.entity, format: 'csv' });
      const synced = await open();
      const connector = await connect(synced);
      expect(connector.secret).toEqual({ set: true });
      expect(JSON.stringify(connector)).not.toContain(fake.password);
      const [stored] = await synced.db.query<{ secret: string }>('SELECT secret FROM connectors');
      expect(stored!.secret).toMatch(/^v1:/);
      expect(stored!.secret).not.toContain(fake.password);

      const run = await synced.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run.status).toBe('succeeded');
      expect(run.mode).toBe('full');
      // The one price of a characteristic is the only row refused.
      expect(run.refusals).toEqual([{ entity: 'prices', id: expect.stringContaining(company.products[0]!.id) as string, reason: expect.stringContaining('characteristic') as string }]);
      const postedLines = company.docs.filter((d) => d.posted).reduce((n, d) => n + d.lines.length, 0);
      expect(run.counts.sales).toMatchObject({ inserted: postedLines, refused: 0 });
      expect(run.counts.partners).toMatchObject({ read: company.partners.length, inserted: company.partners.length });
      expect(await facts(synced.db)).toEqual(await facts(imported.db));
      const fromCsv = await withSegments(imported);
      expect(Object.keys(fromCsv).length).toBeGreaterThanOrEqual(5);
      expect(await withSegments(synced)).toEqual(fromCsv);
    },
    HEAVY,
  );

  it(
    'syncs incrementally: only changed objects and the trailing window are read, and it ends as a full sync',
    async () => {
      const services = await open();
      const connector = await connect(services);
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      const today = moscowToday();
      const thisMonth = `${today.slice(0, 7)}-01`;
      // Changes in 1C: a renamed partner, one marked for deletion, a new partner with a sale, a
      // re-posted document this month, a cost corrected at month close last month, an unposted one.
      const partners = fake.rows('Catalog_Партнеры');
      const renamed = company.partners[0]!;
      renamed.name = 'ООО «Переименован»';
      // Its properties change too: the channel is another, VIP is gone, a discount appears.
      renamed.properties = { Канал: 'Интернет', Скидка: 9 };
      Object.assign(
        partners.find((r) => r.Ref_Key === renamed.id)!,
        partnerRow(renamed, 2),
      );
      const marked = company.partners[2]!;
      marked.deleted = true;
      Object.assign(
        partners.find((r) => r.Ref_Key === marked.id)!,
        partnerRow(marked, 2),
      );
      const fresh = { ...company.partners[3]!, id: guid('p-new'), name: 'ООО «Новый»', deleted: false };
      company.partners.push(fresh);
      partners.push(partnerRow(fresh, 1));
      fake
        .rows('Catalog_КлючиАналитикиУчетаПоПартнерам')
        .push({ Ref_Key: guid(`pk-${fresh.id}-0`), DataVersion: 'djE=', Партнер_Key: fresh.id }, { Ref_Key: guid(`pk-${fresh.id}-1`), DataVersion: 'djE=', Партнер_Key: fresh.id });
      const register = fake.rows('AccumulationRegister_ВыручкаИСебестоимостьПродаж_RecordType');
      const replaceDoc = (doc: Company['docs'][number]) => {
        for (let i = register.length - 1; i >= 0; i--) if (register[i]!.Recorder === doc.id) register.splice(i, 1);
        register.push(...registerRows(doc));
      };
      const newDoc = {
        id: guid('d-new'),
        date: today,
        partner: fresh.id,
        manager: fresh.manager!,
        posted: true,
        isReturn: false,
        lines: [{ product: company.products[0]!.id, quantity: 5, revenue: 5000, cost: 3000 }],
      };
      company.docs.push(newDoc);
      replaceDoc(newDoc);
      const reposted = company.docs.find((d) => d.posted && !d.isReturn && d.date >= thisMonth && d.lines.length >= 2)!;
      reposted.lines = [{ ...reposted.lines[0]!, quantity: reposted.lines[0]!.quantity + 1, revenue: reposted.lines[0]!.revenue + 100 }];
      replaceDoc(reposted);
      const corrected = company.docs.find((d) => d.posted && !d.isReturn && d.date < thisMonth && d.date >= windowFrom(today))!;
      corrected.lines[0]!.cost += 77;
      replaceDoc(corrected);
      const unposted = company.docs.find((d) => d.posted && !d.isReturn && d.date >= windowFrom(today) && d !== reposted && d !== corrected)!;
      unposted.posted = false;
      replaceDoc(unposted);

      const from = fake.log.length;
      const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run.mode).toBe('incremental');
      expect(run.status).toBe('succeeded');
      const requests = fake.requests(from);
      // Catalogs: a Ref_Key/DataVersion listing, then only the changed partners by their keys.
      const partnerReads = requests.filter((r) => r.resource === 'Catalog_Партнеры' && r.query.$select !== 'Ref_Key,DataVersion');
      expect(partnerReads).toHaveLength(1);
      expect(partnerReads[0]!.query.$filter).toContain(`guid'${renamed.id}'`);
      expect(requests.filter((r) => r.resource === 'Catalog_Номенклатура' && r.query.$select !== 'Ref_Key,DataVersion')).toHaveLength(0);
      const salesReads = requests.filter((r) => r.resource.startsWith('AccumulationRegister_ВыручкаИСебестоимостьПродаж'));
      expect(salesReads.every((r) => r.query.$filter === `Period ge datetime'${windowFrom(today)}T00:00:00'`)).toBe(true);
      expect(requests.every((r) => r.query.$inlinecount === undefined)).toBe(true);
      expect(run.counts.partners).toMatchObject({ inserted: 1, updated: 2 });
      expect(run.counts.sales!.deleted).toBeGreaterThanOrEqual(unposted.lines.length + 1);

      const full = await open();
      const again = await connect(full);
      await full.connectors.sync(again.id, { trigger: 'cli' });
      expect(await facts(services.db)).toEqual(await facts(full.db));
      expect(await withSegments(services)).toEqual(await withSegments(full));
    },
    HEAVY,
  );

  it(
    "interactions, deals and prices: incremental by DataVersion (the prices register read again), deletion marks remove, the end is a full sync's",
    async () => {
      const services = await open();
      const connector = await connect(services);
      const first = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(first.counts.interactions!.inserted).toBeGreaterThan(0);
      expect(first.counts.deals!.inserted).toBe(company.deals.filter((d) => !d.deleted).length);
      expect(first.counts.priceTypes).toMatchObject({ inserted: 3 });
      expect(first.counts.prices!.inserted).toBeGreaterThan(0);
      const types = await services.db.query<{ id: string; currency: string; vat_included: boolean; base_type_id: string | null }>(
        'SELECT id, currency, vat_included, base_type_id FROM price_types ORDER BY id',
      );
      expect(types).toEqual(
        company.priceTypes
          .filter((t) => !t.deleted)
          .map((t) => ({ id: t.id, currency: t.currency, vat_included: t.vatIncluded, base_type_id: null }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      );

      // Changes in 1C: a call's subject, a meeting marked for deletion, a letter deleted; a deal
      // won, one marked for deletion; a price type renamed; a new price, a price record removed.
      const calls = fake.rows(INTERACTION_OBJECTS.calls);
      const call = company.interactions.find((i) => i.object === 'calls' && !i.deleted)!;
      call.subject = 'Перезвонить';
      Object.assign(
        calls.find((r) => r.Ref_Key === call.id)!,
        interactionRow(call, 2),
      );
      const meeting = company.interactions.find((i) => i.object === 'meetings' && !i.deleted && i.contacts.some((c) => c.type === 'partner'))!;
      meeting.deleted = true;
      Object.assign(
        fake.rows(INTERACTION_OBJECTS.meetings).find((r) => r.Ref_Key === meeting.id)!,
        interactionRow(meeting, 2),
      );
      const letters = fake.rows(INTERACTION_OBJECTS.lettersOut);
      const gone = company.interactions.find((i) => i.object === 'lettersOut' && !i.deleted && i.contacts.some((c) => c.type === 'partner'))!;
      letters.splice(
        letters.findIndex((r) => r.Ref_Key === gone.id),
        1,
      );
      company.interactions.splice(company.interactions.indexOf(gone), 1);
      const deals = fake.rows('Catalog_СделкиСКлиентами');
      const won = company.deals.find((d) => d.status === 'ВРаботе' && !d.deleted)!;
      Object.assign(won, { status: 'Выиграна', finished: moscowToday() });
      Object.assign(
        deals.find((r) => r.Ref_Key === won.id)!,
        dealRow(won, 2),
      );
      const dropped = company.deals.find((d) => d.status === 'Проиграна' && !d.deleted)!;
      dropped.deleted = true;
      Object.assign(
        deals.find((r) => r.Ref_Key === dropped.id)!,
        dealRow(dropped, 2),
      );
      const retail = company.priceTypes.find((t) => t.name === 'Розничная')!;
      retail.name = 'Розничная (новая)';
      Object.assign(
        fake.rows('Catalog_ВидыЦен').find((r) => r.Ref_Key === retail.id)!,
        priceTypeRow(retail, 2),
      );
      const register = fake.rows('InformationRegister_ЦеныНоменклатуры25_RecordType');
      const removed = register.findIndex((r) => r.ВидЦены_Key === retail.id && String(r.Period).startsWith(company.prices[0]!.date));
      const [removedRow] = register.splice(removed, 1);
      const added = { recorder: guid('ust-new'), date: moscowToday(), type: retail.id, product: company.products[1]!.id, price: 4321 };
      register.push(...priceRows([added]));

      const from = fake.log.length;
      const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run.status).toBe('succeeded');
      const requests = fake.requests(from);
      const objectReads = (resource: string) => requests.filter((r) => r.resource === resource && r.query.$select !== 'Ref_Key,DataVersion');
      expect(objectReads(INTERACTION_OBJECTS.calls)).toHaveLength(1);
      expect(objectReads(INTERACTION_OBJECTS.calls)[0]!.query.$filter).toBe(`Ref_Key eq guid'${call.id}'`);
      expect(objectReads(INTERACTION_OBJECTS.lettersIn)).toHaveLength(0);
      expect(objectReads(INTERACTION_OBJECTS.lettersOut)).toHaveLength(0);
      expect(objectReads('Catalog_СделкиСКлиентами')).toHaveLength(1);
      expect(objectReads('Catalog_ВидыЦен')).toHaveLength(1);
      expect(run.counts.priceTypes).toMatchObject({ inserted: 0, updated: 1 });
      expect(run.counts.interactions!.deleted).toBeGreaterThanOrEqual(2);
      expect(run.counts.deals).toMatchObject({ updated: 1, deleted: 1 });
      expect(run.counts.prices).toMatchObject({ inserted: 1, deleted: 1 });
      const [row] = await services.db.query<{ price: number }>(`SELECT price FROM prices WHERE id = '${retail.id}|${company.products[1]!.id}|${moscowToday()}'`);
      expect(Number(row!.price)).toBe(4321);
      expect(removedRow).toBeDefined();

      const full = await open();
      await full.connectors.sync((await connect(full)).id, { trigger: 'cli' });
      expect(await facts(services.db)).toEqual(await facts(full.db));
      expect(await priceFacts(services.db)).toEqual(await priceFacts(full.db));
    },
    HEAVY,
  );

  it(
    'an order priced after a sync takes the 1C price of its price type on the order date',
    async () => {
      const services = await open();
      const connector = await connect(services);
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      const wholesale = company.priceTypes.find((t) => t.name === 'Оптовая')!;
      await updatePriceType(services.db, wholesale.id, { isDefault: true });
      const product = company.products[2]!;
      const today = moscowToday();
      // The latest record on or before the order date (tomorrow's is not in force yet).
      const expected = company.prices
        .filter((p) => p.type === wholesale.id && p.product === product.id && !p.characteristic && p.date <= today)
        .sort((a, b) => a.date.localeCompare(b.date))
        .at(-1)!;
      const partner = company.partners.find((p) => !p.deleted)!;
      const priced = await priceOrder(services.db, ALL_PARTNERS, { partnerId: partner.id, date: today, lines: [{ productId: product.id, quantity: 2 }] });
      expect(priced.lines[0]).toMatchObject({ price: expected.price, priceSource: 'priceType', priceType: { id: wholesale.id, name: 'Оптовая', currency: 'RUB' } });
      expect(priced.lines[0]!.priceRow).toMatchObject({ validFrom: expected.date });

      // A new price in 1C from today: the next sync brings it, and the next order takes it.
      fake.rows('InformationRegister_ЦеныНоменклатуры25_RecordType').push(...priceRows([{ recorder: guid('ust-today'), date: today, type: wholesale.id, product: product.id, price: 777.5 }]));
      try {
        await services.connectors.sync(connector.id, { trigger: 'cli' });
        const again = await priceOrder(services.db, ALL_PARTNERS, { partnerId: partner.id, date: today, lines: [{ productId: product.id, quantity: 2 }] });
        expect(again.lines[0]).toMatchObject({ price: 777.5, priceRow: { validFrom: today } });
      } finally {
        fake.rows('InformationRegister_ЦеныНоменклатуры25_RecordType').pop();
      }
    },
    HEAVY,
  );

  it(
    "1C's own segments become read-only manual segments named as in 1C; changes in 1C follow; Segmenta's published ones are not read back",
    async () => {
      const services = await open();
      const connector = await connect(services);
      const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
      expect(run.counts.segments).toMatchObject({ inserted: 2 });
      const [key, opt, old] = company.segments;
      const keyId = `1c-${key!.id}`;
      const kept = await getSegment(services.db, keyId);
      expect(kept).toMatchObject({ name: 'Ключевые клиенты', method: 'manual', kind: 'partner' });
      const all = async () => {
        const rows = await services.db.query<{ segment_id: string; member_id: string }>("SELECT segment_id, member_id FROM segment_members WHERE segment_id LIKE '1c-%' ORDER BY member_id");
        const out: Record<string, string[]> = {};
        for (const r of rows) (out[r.segment_id] ??= []).push(r.member_id);
        return out;
      };
      expect(await all()).toEqual({ [keyId]: [...key!.members].sort(), [`1c-${opt!.id}`]: [...opt!.members].sort() });
      expect(await services.db.query(`SELECT id FROM segments WHERE id = '1c-${old!.id}'`)).toEqual([]);

      // Read-only: changed in 1C; archiving is allowed.
      const refused = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ code: 'SEGMENT_READ_ONLY', details: { system: '1C', connector: 'УТ 11.5' } });
      await refused(services.segments.addMembers(keyId, [company.partners[1]!.id]));
      await refused(services.segments.removeMembers(keyId, [key!.members[0]!]));
      await refused(services.segments.update(keyId, { name: 'Мой' }));
      await refused(services.segments.delete(keyId));
      await services.segments.update(keyId, { archived: true });
      await services.segments.update(keyId, { archived: false });

      // In 1C: renamed, one member out and one in; the other segment deleted.
      const items = fake.rows('Catalog_СегментыПартнеров');
      items.find((r) => r.Ref_Key === key!.id)!.Description = 'Ключевые клиенты 2027';
      const register = fake.rows('InformationRegister_ПартнерыСегмента');
      const leaver = key!.members[0]!;
      const joiner = company.partners.find((p) => !key!.members.includes(p.id))!.id;
      register.splice(
        register.findIndex((r) => r.Сегмент_Key === key!.id && r.Партнер_Key === leaver),
        1,
      );
      register.push({ Сегмент_Key: key!.id, Партнер_Key: joiner });
      const optAt = items.findIndex((r) => r.Ref_Key === opt!.id);
      const [optRow] = items.splice(optAt, 1);
      try {
        // A segment of Segmenta published to 1C is not read back as 1C's own.
        await services.segments.create({ ...base, id: 'to-1c', name: 'В 1С', rule: { attr: 'legalForm', op: 'eq', value: 'person' } });
        await refreshSegments(services.db, ['to-1c'], { trigger: 'cli' });
        await services.connectors.publish(connector.id, 'to-1c');
        const again = await services.connectors.sync(connector.id, { trigger: 'cli', refreshSegments: false });
        expect(again.counts.segments).toMatchObject({ inserted: 0, updated: 1, deleted: 1 });
        expect((await getSegment(services.db, keyId)).name).toBe('Ключевые клиенты 2027');
        const members = (await all())[keyId]!;
        expect(members).toContain(joiner);
        expect(members).not.toContain(leaver);
        expect(await services.db.query(`SELECT id FROM segments WHERE id = '1c-${opt!.id}'`)).toEqual([]);
        expect((await services.db.query<{ id: string }>("SELECT id FROM segments WHERE id LIKE '1c-%'")).map((r) => r.id)).toEqual([keyId]);
        await services.connectors.unpublish(connector.id, 'to-1c');
      } finally {
        items.splice(optAt, 0, optRow!);
        register.splice(
          register.findIndex((r) => r.Сегмент_Key === key!.id && r.Партнер_Key === joiner),
          1,
        );
        register.push({ Сегмент_Key: key!.id, Партнер_Key: leaver });
        items.find((r) => r.Ref_Key === key!.id)!.Description = key!.name;
        const published = items.findIndex((r) => String(r.Description).endsWith('(Segmenta)'));
        if (published >= 0) items.splice(published, 1);
      }
    },
    HEAVY,
  );

  it(
    'partners a sync creates or changes are checked against check-on-create segments, as after an import',
    async () => {
      const services = await open();
      const connector = await connect(services);
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      await services.segments.create({ ...base, id: 'new-in-perm', name: 'Новые в Перми', checkOnCreate: true, rule: { attr: 'region', op: 'inHierarchy', value: guid('r-perm') } });
      await refreshSegments(services.db, ['new-in-perm'], { trigger: 'cli' });
      const newcomer = { ...company.partners[0]!, id: guid('p-newcomer'), name: 'ООО «Пермский новичок»', region: guid('r-perm'), deleted: false };
      fake.rows('Catalog_Партнеры').push(partnerRow(newcomer, 1));
      try {
        // No refresh after the sync: only check on create can have added the newcomer.
        await services.connectors.sync(connector.id, { trigger: 'cli', refreshSegments: false });
        expect((await members(services.db))['new-in-perm']).toContain(newcomer.id);
      } finally {
        fake.rows('Catalog_Партнеры').pop();
      }
    },
    HEAVY,
  );

  describe('faults', () => {
    afterEach(() => {
      fake.downAfter = null;
      fake.unpublished.clear();
      fake.busy = 0;
    });

    it(
      'a wrong password fails with CONNECTOR_AUTH_FAILED (1C answers its sign-in page with 200) and changes nothing',
      async () => {
        const services = await open();
        const connector = await connect(services, {}, 'не тот');
        const test = await services.connectors.test(connector.id);
        expect(test.ok).toBe(false);
        expect(test.error?.code).toBe('CONNECTOR_AUTH_FAILED');
        await expect(services.connectors.sync(connector.id, { trigger: 'cli' })).rejects.toMatchObject({ code: 'CONNECTOR_AUTH_FAILED' });
        const [run] = await services.connectors.runs(connector.id);
        expect(run).toMatchObject({ status: 'failed', error: { code: 'CONNECTOR_AUTH_FAILED' } });
        expect(run!.error!.message).toContain('Интеграция');
        await services.connectors.update(connector.id, { secret: fake.password });
        expect((await services.connectors.sync(connector.id, { trigger: 'cli' })).status).toBe('succeeded');
      },
      HEAVY,
    );

    it(
      'an unpublished object and a server going down mid-sync fail naming the object; the data stays; the next sync completes',
      async () => {
        const services = await open();
        const connector = await connect(services);
        await services.connectors.sync(connector.id, { trigger: 'cli' });
        const before = await facts(services.db);
        const test = await services.connectors.test(connector.id);
        expect(test).toMatchObject({ ok: true, missing: [] });

        fake.unpublished.add('Catalog_ОбъектыРасчетов');
        const check = await services.connectors.test(connector.id);
        expect(check.ok).toBe(false);
        expect(check.missing).toEqual(['Catalog_ОбъектыРасчетов']);
        await expect(services.connectors.sync(connector.id, { trigger: 'cli', full: true })).rejects.toMatchObject({ code: 'CONNECTOR_PROFILE_MISMATCH' });
        fake.unpublished.clear();

        // Published in $metadata (cached) but 404 on reading: 1C's answer for an object left out.
        await services.connectors.test(connector.id);
        fake.unpublished.add('AccumulationRegister_ВыручкаИСебестоимостьПродаж_RecordType');
        const error = await services.connectors.sync(connector.id, { trigger: 'cli' }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'CONNECTOR_OBJECT_UNPUBLISHED', details: { object: 'AccumulationRegister_ВыручкаИСебестоимостьПродаж_RecordType' } });
        fake.unpublished.clear();
        // The run says which object failed.
        const [failed] = await services.connectors.runs(connector.id);
        expect(failed!.error).toMatchObject({ code: 'CONNECTOR_OBJECT_UNPUBLISHED', details: { object: 'AccumulationRegister_ВыручкаИСебестоимостьПродаж_RecordType' } });

        // A server answering 503 to every attempt: the test says the object, the status and 1C's own message.
        fake.busy = 100;
        const busy = await services.connectors.test(connector.id);
        fake.busy = 0;
        expect(busy).toMatchObject({ ok: false, error: { code: 'CONNECTOR_REMOTE_ERROR', details: { object: '$metadata', status: 503, system: '1C' } } });
        expect(busy.error!.details.reason).toContain('Сервер 1С:Предприятия перегружен');

        // Changes in 1C, then the server goes down in the middle of the sale lines.
        company.partners[4]!.name = 'ООО «Не дошло»';
        Object.assign(
          fake.rows('Catalog_Партнеры').find((r) => r.Ref_Key === company.partners[4]!.id)!,
          partnerRow(company.partners[4]!, 3),
        );
        fake.downAfter = 12;
        const down = await services.connectors.sync(connector.id, { trigger: 'cli', full: true }).catch((e: unknown) => e);
        expect(down).toMatchObject({ code: 'CONNECTOR_UNREACHABLE' });
        expect((down as Error).message).toMatch(/AccumulationRegister|Catalog_/);
        expect(await facts(services.db)).toEqual(before);
        fake.downAfter = null;

        fake.busy = 2; // two 503 answers: retried
        const run = await services.connectors.sync(connector.id, { trigger: 'cli' });
        expect(run.status).toBe('succeeded');
        const [partner] = await services.db.query<{ name: string }>(`SELECT name FROM partners WHERE id = '${company.partners[4]!.id}'`);
        expect(partner!.name).toBe('ООО «Не дошло»');
      },
      HEAVY,
    );
  });

  it(
    'publishes a segment: the register holds exactly its members after each generation',
    async () => {
      const services = await open();
      const connector = await connect(services);
      await services.connectors.sync(connector.id, { trigger: 'cli' });
      await services.segments.create({ ...base, id: 'pub', name: 'Пермь для 1С', rule: { attr: 'region', op: 'inHierarchy', value: guid('r-perm') } });
      await refreshSegments(services.db, ['pub'], { trigger: 'cli', onChange: services.compositionListener() });
      const publication = await services.connectors.publish(connector.id, 'pub');
      const inRegister = () =>
        fake
          .rows('InformationRegister_ПартнерыСегмента')
          .filter((r) => r.Сегмент_Key === publication.remoteId)
          .map((r) => String(r.Партнер_Key))
          .sort();
      const stored = async () => (await members(services.db)).pub ?? [];
      expect(fake.rows('Catalog_СегментыПартнеров').map((r) => r.Description)).toContain('Пермь для 1С (Segmenta)');
      expect(inRegister()).toEqual(await stored());
      expect(inRegister().length).toBeGreaterThan(0);

      // The rule changes: the next generation moves members; only the changed pairs are written.
      await services.segments.update('pub', { rule: { attr: 'region', op: 'inHierarchy', value: guid('r-pfo') } });
      const from = fake.log.length;
      await refreshSegments(services.db, ['pub'], { trigger: 'cli', onChange: services.compositionListener() });
      await services.connectors.idle();
      expect(inRegister()).toEqual(await stored());
      const writes = fake.requests(from).filter((r) => r.method === 'POST' || r.method === 'DELETE');
      const before = new Set((await stored()).filter((id) => !inRegister().includes(id)));
      expect(writes.length).toBeLessThanOrEqual((await stored()).length + before.size);

      await services.connectors.unpublish(connector.id, 'pub');
      expect(inRegister()).toEqual([]);
    },
    HEAVY,
  );
});

function windowFrom(today: string): string {
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  return m === 1 ? `${y - 1}-12-01` : `${y}-${String(m - 1).padStart(2, '0')}-01`;
}
