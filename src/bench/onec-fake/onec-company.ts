/**
 * A generated trading company, kept as Segmenta sees it (the model) and served by the fake 1C
 * in 1C's shapes: partner and product folders, analytics keys (several per partner), the revenue
 * register with returns negative, an inactive record, an unposted document (no records),
 * receivables by settlement objects with due dates, deletion marks. The same model is written as
 * the CSV files a user would import by hand, for the "same segments" comparison.
 */
import { createHash } from 'node:crypto';
import type { Fake1C, Row } from './fake-1c.js';

export interface Doc {
  id: string;
  date: string;
  partner: string;
  manager: string;
  posted: boolean;
  /** A return: its lines are negative in the register. */
  isReturn: boolean;
  lines: { product: string; quantity: number; revenue: number; cost: number }[];
}

export interface Debt {
  object: string;
  partner: string;
  due: string;
  /** Positive: the partner owes; recorded as Receipt, payments as Expense. */
  amount: number;
  period: string;
}

/** A document of 1C's interactions: whom it names (a partner or a partner's contact person, or someone else). */
export interface Interaction {
  id: string;
  object: 'calls' | 'meetings' | 'lettersIn' | 'lettersOut';
  date: string;
  subject: string;
  incoming: boolean;
  deleted: boolean;
  contacts: { ref: string; type: 'partner' | 'person' | 'user' }[];
}

export interface Deal {
  id: string;
  partner: string;
  name: string;
  status: 'ВРаботе' | 'Выиграна' | 'Проиграна';
  started: string;
  finished: string | null;
  reason: string | null;
  deleted: boolean;
}

export interface PriceType {
  id: string;
  name: string;
  currency: string;
  vatIncluded: boolean;
  deleted: boolean;
}

/** A record of the prices register; with a characteristic it is one Segmenta refuses. */
export interface PriceRecord {
  recorder: string;
  date: string;
  type: string;
  product: string;
  price: number;
  characteristic?: string;
}

export interface Company {
  regions: { id: string; name: string; parent: string | null }[];
  managers: { id: string; name: string }[];
  partnerGroups: { id: string; name: string; parent: string | null }[];
  partners: {
    id: string;
    name: string;
    group: string | null;
    region: string | null;
    manager: string | null;
    roles: string[];
    legalForm: 'company' | 'person';
    registeredAt: string;
    deleted: boolean;
    properties?: Record<string, string | number | boolean>;
  }[];
  productGroups: { id: string; name: string; parent: string | null }[];
  products: { id: string; name: string; group: string | null; properties?: Record<string, string | number> }[];
  docs: Doc[];
  /** Contact persons of partners (Catalog_КонтактныеЛицаПартнеров): id → the partner. */
  contactPersons: { id: string; partner: string; name: string }[];
  interactions: Interaction[];
  deals: Deal[];
  lossReasons: { id: string; name: string }[];
  priceTypes: PriceType[];
  prices: PriceRecord[];
  /** 1C's own partner segments (Catalog_СегментыПартнеров, members in InformationRegister_ПартнерыСегмента). */
  segments: { id: string; name: string; members: string[]; deleted: boolean }[];
  debts: Debt[];
  /** Local "today" of the 1C server (Europe/Moscow). */
  today: string;
}

/** A deterministic GUID from a name. */
export const guid = (name: string): string => {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function moscowToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

const addDays = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export function generateCompany(size: { partners: number; products: number; docs: number } = { partners: 40, products: 12, docs: 160 }, seed = 7): Company {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const today = moscowToday();
  const regions = [
    { id: guid('r-ru'), name: 'Россия', parent: null },
    { id: guid('r-pfo'), name: 'Приволжский ФО', parent: guid('r-ru') },
    { id: guid('r-perm'), name: 'Пермь', parent: guid('r-pfo') },
    { id: guid('r-msk'), name: 'Москва', parent: guid('r-ru') },
  ];
  const managers = ['Иванова Анна', 'Петров Олег', 'Сидоров Илья'].map((name, i) => ({ id: guid(`m${i}`), name }));
  const partnerGroups = [
    { id: guid('pg-opt'), name: 'Оптовые', parent: null },
    { id: guid('pg-opt-big'), name: 'Крупный опт', parent: guid('pg-opt') },
    { id: guid('pg-retail'), name: 'Розница', parent: null },
  ];
  const partners: Company['partners'] = [];
  for (let i = 0; i < size.partners; i++) {
    const person = rnd() < 0.3;
    partners.push({
      id: guid(`p${i}`),
      name: person ? `ИП Клиент ${i}` : `ООО «Клиент ${i}»`,
      group: rnd() < 0.9 ? pick(partnerGroups).id : null,
      region: pick(regions.slice(1)).id,
      manager: pick(managers).id,
      roles: rnd() < 0.85 ? ['customer'] : rnd() < 0.5 ? ['supplier'] : ['customer', 'supplier'],
      legalForm: person ? 'person' : 'company',
      registeredAt: addDays(today, -Math.floor(rnd() * 900) - 30),
      deleted: i % 17 === 5,
      properties: {
        ...(i % 2 === 0 ? { Канал: CHANNELS[i % CHANNELS.length]! } : {}),
        ...(i % 3 === 0 ? { Скидка: (i % 5) + 2 } : {}),
        ...(i % 7 === 0 ? { VIP: true } : {}),
      },
    });
  }
  const productGroups = [
    { id: guid('g-tools'), name: 'Инструмент', parent: null },
    { id: guid('g-drills'), name: 'Дрели', parent: guid('g-tools') },
    { id: guid('g-food'), name: 'Продукты', parent: null },
  ];
  const products = Array.from({ length: size.products }, (_, i) => ({ id: guid(`g${i}`), name: `Товар ${i}`, group: pick(productGroups).id }));
  const docs: Doc[] = [];
  for (let i = 0; i < size.docs; i++) {
    const partner = pick(partners);
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
      const quantity = 1 + Math.floor(rnd() * 20);
      const price = 100 + Math.floor(rnd() * 900);
      return { product: pick(products).id, quantity, revenue: quantity * price, cost: Math.round(quantity * price * 0.7) };
    });
    docs.push({ id: guid(`d${i}`), date: addDays(today, -Math.floor(rnd() * 200)), partner: partner.id, manager: partner.manager ?? managers[0]!.id, posted: i % 23 !== 4, isReturn: false, lines });
  }
  // Returns: part of an earlier sale comes back, negative in the register.
  for (let i = 0; i < Math.floor(size.docs / 12); i++) {
    const sale = docs[i * 7]!;
    const line = sale.lines[0]!;
    docs.push({
      id: guid(`ret${i}`),
      date: addDays(sale.date, 3) > today ? today : addDays(sale.date, 3),
      partner: sale.partner,
      manager: sale.manager,
      posted: true,
      isReturn: true,
      lines: [{ product: line.product, quantity: -1, revenue: -Math.round(line.revenue / line.quantity), cost: -Math.round(line.cost / line.quantity) }],
    });
  }
  const debts: Debt[] = [];
  partners.forEach((p, i) => {
    if (i % 3 !== 0) return;
    const object = guid(`so${i}`);
    debts.push({ object, partner: p.id, due: addDays(today, i % 2 ? -20 : 15), amount: 1000 + i * 37, period: addDays(today, -40) });
    if (i % 6 === 0) debts.push({ object, partner: p.id, due: addDays(today, i % 2 ? -20 : 15), amount: -300, period: addDays(today, -5) });
  });
  const extra = generateExtras(partners, products, today, seed);
  return { regions, managers, partnerGroups, partners, productGroups, products, docs, debts, today, ...extra };
}

/** Interactions, deals, price types and prices, product properties: drawn from a stream of their own, so the rest stays as it was. */
function generateExtras(
  partners: Company['partners'],
  products: Company['products'],
  today: string,
  seed: number,
): Pick<Company, 'contactPersons' | 'interactions' | 'deals' | 'lossReasons' | 'priceTypes' | 'prices' | 'segments'> {
  const rnd = random(seed * 31 + 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  products.forEach((p, i) => {
    p.properties = { ...(i % 2 === 0 ? { Бренд: BRANDS[i % BRANDS.length]! } : {}), ...(i % 3 === 0 ? { Вес: 0.5 + (i % 4) } : {}) };
  });
  const contactPersons = partners.filter((_, i) => i % 4 === 1).map((p, i) => ({ id: guid(`cp${i}`), partner: p.id, name: `Контакт ${i}` }));
  const objects = ['calls', 'meetings', 'lettersIn', 'lettersOut'] as const;
  const interactions: Interaction[] = [];
  const count = Math.max(8, partners.length * 2);
  for (let i = 0; i < count; i++) {
    const object = objects[i % objects.length]!;
    const contact = (): Interaction['contacts'][number] => {
      const r = rnd();
      if (r < 0.2 && contactPersons.length) return { ref: pick(contactPersons).id, type: 'person' };
      if (r < 0.27) return { ref: guid('m0'), type: 'user' };
      return { ref: pick(partners).id, type: 'partner' };
    };
    const many = object === 'meetings' || object === 'lettersOut';
    interactions.push({
      id: guid(`int${i}`),
      object,
      date: addDays(today, -Math.floor(rnd() * 120)),
      subject: pick(['Сверка цен', 'Отгрузка', 'Новинки', 'Оплата']),
      incoming: rnd() < 0.5,
      deleted: i % 19 === 7,
      contacts: Array.from({ length: many ? 1 + Math.floor(rnd() * 3) : 1 }, contact),
    });
  }
  const lossReasons = ['Высокая цена', 'Ушёл к конкуренту'].map((name, i) => ({ id: guid(`lr${i}`), name }));
  const deals: Deal[] = partners
    .filter((_, i) => i % 3 === 2)
    .map((p, i) => {
      const status = (['ВРаботе', 'Выиграна', 'Проиграна'] as const)[i % 3]!;
      const started = addDays(today, -30 - Math.floor(rnd() * 200));
      return {
        id: guid(`deal${i}`),
        partner: p.id,
        name: `Сделка ${i}`,
        status,
        started,
        finished: status === 'ВРаботе' ? null : addDays(started, 10 + Math.floor(rnd() * 20)),
        reason: status === 'Проиграна' ? lossReasons[i % 2]!.id : null,
        deleted: i % 11 === 4,
      };
    });
  const priceTypes: PriceType[] = [
    { id: guid('pt-opt'), name: 'Оптовая', currency: 'RUB', vatIncluded: true, deleted: false },
    { id: guid('pt-retail'), name: 'Розничная', currency: 'RUB', vatIncluded: true, deleted: false },
    { id: guid('pt-usd'), name: 'Дилерская (USD)', currency: 'USD', vatIncluded: false, deleted: false },
    { id: guid('pt-old'), name: 'Старая', currency: 'RUB', vatIncluded: true, deleted: true },
  ];
  const prices: PriceRecord[] = [];
  const dates = [addDays(today, -100), addDays(today, -30), addDays(today, 1)];
  dates.forEach((date, d) => {
    const recorder = guid(`ust${d}`);
    for (const product of products) {
      for (const type of priceTypes) {
        if (d === 1 && rnd() < 0.5) continue;
        prices.push({ recorder, date, type: type.id, product: product.id, price: Math.round((100 + rnd() * 900) * 100) / 100 });
      }
    }
  });
  // A price of a characteristic: 1C has it, Segmenta refuses it.
  if (products.length) prices.push({ recorder: guid('ust-ch'), date: addDays(today, -10), type: priceTypes[0]!.id, product: products[0]!.id, price: 1, characteristic: guid('char-red') });
  const segments = [
    { id: guid('seg-key'), name: 'Ключевые клиенты', members: partners.filter((_, i) => i % 5 === 0).map((p) => p.id), deleted: false },
    { id: guid('seg-opt'), name: 'Оптовики 1С', members: partners.filter((_, i) => i % 7 === 3).map((p) => p.id), deleted: false },
    { id: guid('seg-old'), name: 'Старый сегмент', members: partners.slice(0, 2).map((p) => p.id), deleted: true },
  ];
  return { contactPersons, interactions, deals, lossReasons, priceTypes, prices, segments };
}

const BRANDS = ['Bosch', 'Makita', 'Зубр'] as const;

/** Additional properties of partners: one by a value of Catalog_ЗначенияСвойствОбъектов, a number, a boolean. */
const CHANNELS = ['Опт', 'Розница', 'Интернет'] as const;
export const propertyDefinition = (name: string): string => guid(`prop-${name}`);
export const propertyValue = (name: string): string => guid(`propval-${name}`);

const dv = (n: number) => Buffer.from(`v${n}`).toString('base64');
const EMPTY = '00000000-0000-0000-0000-000000000000';

/** Partner analytics keys: two per partner (two agreements), as 1C keeps them. */
export const partnerKey = (partner: string, n: number): string => guid(`pk-${partner}-${n}`);
export const productKey = (product: string): string => guid(`gk-${product}`);

const G = 'Edm.Guid';
const S = 'Edm.String';
const B = 'Edm.Boolean';
const D = 'Edm.DateTime';
const N = 'Edm.Double';
const catalog = { Ref_Key: G, DataVersion: S, DeletionMark: B, Description: S, Code: S };

/** Loads the company into the fake in 1C's shapes. */
export function serve(company: Company, fake: Fake1C): void {
  fake.define(
    'Catalog_БизнесРегионы',
    { ...catalog, Parent_Key: G },
    ['Ref_Key'],
    company.regions.map((r) => ({ Ref_Key: r.id, DataVersion: dv(1), DeletionMark: false, Description: r.name, Code: '', Parent_Key: r.parent ?? EMPTY })),
  );
  fake.define('Catalog_Пользователи', catalog, ['Ref_Key'], [...company.managers.map((m) => ({ Ref_Key: m.id, DataVersion: dv(1), DeletionMark: false, Description: m.name, Code: '' }))]);
  fake.define(
    'Catalog_Партнеры',
    {
      ...catalog,
      Parent_Key: G,
      IsFolder: B,
      БизнесРегион_Key: G,
      ОсновнойМенеджер_Key: G,
      ДатаРегистрации: D,
      ЮрФизЛицо: S,
      Клиент: B,
      Поставщик: B,
      Конкурент: B,
      ДополнительныеРеквизиты: 'Collection(StandardODATA.Catalog_Партнеры_ДополнительныеРеквизиты_RowType)',
    },
    ['Ref_Key'],
    [
      ...company.partnerGroups.map((g) => ({ Ref_Key: g.id, DataVersion: dv(1), DeletionMark: false, Description: g.name, Code: '', Parent_Key: g.parent ?? EMPTY, IsFolder: true })),
      ...company.partners.map((p) => partnerRow(p, 1)),
    ],
  );
  fake.define(
    'Catalog_Номенклатура',
    { ...catalog, Parent_Key: G, IsFolder: B, ДополнительныеРеквизиты: 'Collection(StandardODATA.Catalog_Номенклатура_ДополнительныеРеквизиты_RowType)' },
    ['Ref_Key'],
    [
      ...company.productGroups.map((g) => ({
        Ref_Key: g.id,
        DataVersion: dv(1),
        DeletionMark: false,
        Description: g.name,
        Code: '',
        Parent_Key: g.parent ?? EMPTY,
        IsFolder: true,
        ДополнительныеРеквизиты: [],
      })),
      ...company.products.map((p) => productRow(p, 1)),
    ],
  );
  fake.define(
    'Catalog_КлючиАналитикиУчетаПоПартнерам',
    { Ref_Key: G, DataVersion: S, Партнер_Key: G },
    ['Ref_Key'],
    company.partners.flatMap((p) => [0, 1].map((n) => ({ Ref_Key: partnerKey(p.id, n), DataVersion: dv(1), Партнер_Key: p.id }))),
  );
  fake.define(
    'Catalog_КлючиАналитикиУчетаНоменклатуры',
    { Ref_Key: G, DataVersion: S, Номенклатура_Key: G },
    ['Ref_Key'],
    company.products.map((p) => ({ Ref_Key: productKey(p.id), DataVersion: dv(1), Номенклатура_Key: p.id })),
  );
  fake.define(
    'Catalog_ОбъектыРасчетов',
    { Ref_Key: G, DataVersion: S, Партнер_Key: G },
    ['Ref_Key'],
    [...new Map(company.debts.map((d) => [d.object, d.partner]))].map(([object, partner]) => ({ Ref_Key: object, DataVersion: dv(1), Партнер_Key: partner })),
  );
  fake.define(
    'AccumulationRegister_ВыручкаИСебестоимостьПродаж_RecordType',
    {
      Period: D,
      Recorder: G,
      Recorder_Type: S,
      LineNumber: 'Edm.Int64',
      Active: B,
      АналитикаУчетаПоПартнерам_Key: G,
      АналитикаУчетаНоменклатуры_Key: G,
      Количество: N,
      СуммаВыручки: N,
      Стоимость: N,
      Менеджер_Key: G,
    },
    ['Recorder', 'LineNumber'],
    company.docs.flatMap((d) => registerRows(d)),
  );
  fake.define(
    'AccumulationRegister_РасчетыСКлиентамиПоСрокам_RecordType',
    { Period: D, Recorder: G, LineNumber: 'Edm.Int64', Active: B, RecordType: S, ОбъектРасчетов_Key: G, ДатаПлановогоПогашения: D, Долг: N },
    ['Recorder', 'LineNumber'],
    company.debts.map((d, i) => debtRow(d, i)),
  );
  fake.define(
    'ChartOfCharacteristicTypes_ДополнительныеРеквизитыИСведения',
    catalog,
    ['Ref_Key'],
    ['Канал', 'Скидка', 'VIP', 'Сайт', 'Бренд', 'Вес'].map((name) => ({ Ref_Key: propertyDefinition(name), DataVersion: dv(1), DeletionMark: false, Description: name, Code: '' })),
  );
  fake.define(
    'Catalog_ЗначенияСвойствОбъектов',
    catalog,
    ['Ref_Key'],
    CHANNELS.map((name) => ({ Ref_Key: propertyValue(name), DataVersion: dv(1), DeletionMark: false, Description: name, Code: '' })),
  );
  serveExtras(company, fake);
  fake.define(
    'Catalog_СегментыПартнеров',
    { ...catalog, Комментарий: S },
    ['Ref_Key'],
    company.segments.map((g) => ({ Ref_Key: g.id, DataVersion: dv(1), DeletionMark: g.deleted, Description: g.name, Code: '', Комментарий: '' })),
  );
  fake.define(
    'InformationRegister_ПартнерыСегмента',
    { Сегмент_Key: G, Партнер_Key: G },
    ['Сегмент_Key', 'Партнер_Key'],
    company.segments.flatMap((g) => g.members.map((p) => ({ Сегмент_Key: g.id, Партнер_Key: p }))),
  );
}

export function productRow(p: Company['products'][number], version: number): Row {
  return {
    Ref_Key: p.id,
    DataVersion: dv(version),
    DeletionMark: false,
    Description: p.name,
    Code: '',
    Parent_Key: p.group ?? EMPTY,
    IsFolder: false,
    ДополнительныеРеквизиты: Object.entries(p.properties ?? {}).map(([name, value], i) => ({
      LineNumber: String(i + 1),
      Свойство_Key: propertyDefinition(name),
      Значение: value,
      Значение_Type: typeof value === 'number' ? 'Edm.Double' : 'Edm.String',
      ТекстоваяСтрока: '',
    })),
  };
}

const CONTACT_TYPES = { partner: 'StandardODATA.Catalog_Партнеры', person: 'StandardODATA.Catalog_КонтактныеЛицаПартнеров', user: 'StandardODATA.Catalog_Пользователи' } as const;

/** An interaction document in 1C's shape: the contact on the document (calls, incoming letters) or in a tabular section (meetings, outgoing letters). */
export function interactionRow(i: Interaction, version: number): Row {
  const head = { Ref_Key: i.id, DataVersion: dv(version), DeletionMark: i.deleted, Number: i.id.slice(0, 8), Date: `${i.date}T10:30:00`, Тема: i.subject, Описание: '' };
  const first = i.contacts[0]!;
  const lines = i.contacts.map((c, n) => ({ LineNumber: String(n + 1), Контакт: c.ref, Контакт_Type: CONTACT_TYPES[c.type], КакСвязаться: '' }));
  switch (i.object) {
    case 'calls':
      return { ...head, Входящий: i.incoming, АбонентКонтакт: first.ref, АбонентКонтакт_Type: CONTACT_TYPES[first.type], АбонентКакСвязаться: '+7 900 000-00-00' };
    case 'lettersIn':
      return { ...head, ОтправительКонтакт: first.ref, ОтправительКонтакт_Type: CONTACT_TYPES[first.type], ОтправительАдресЭП: 'client@example.ru' };
    case 'meetings':
      return { ...head, Участники: lines };
    default:
      return { ...head, ПолучателиПисьма: lines.map((l) => ({ ...l, Адрес: 'client@example.ru' })) };
  }
}

export const INTERACTION_OBJECTS = {
  calls: 'Document_ТелефонныйЗвонок',
  meetings: 'Document_Встреча',
  lettersIn: 'Document_ЭлектронноеПисьмоВходящее',
  lettersOut: 'Document_ЭлектронноеПисьмоИсходящее',
} as const;

export function dealRow(d: Deal, version: number): Row {
  return {
    Ref_Key: d.id,
    DataVersion: dv(version),
    DeletionMark: d.deleted,
    Description: d.name,
    Code: '',
    Партнер_Key: d.partner,
    Статус: d.status,
    Закрыта: d.finished !== null,
    ДатаНачала: `${d.started}T00:00:00`,
    ДатаЗавершения: d.finished ? `${d.finished}T00:00:00` : EMPTY_DATE,
    ПричинаПроигрышаСделки_Key: d.reason ?? EMPTY,
  };
}

const EMPTY_DATE = '0001-01-01T00:00:00';

export function priceRows(records: readonly PriceRecord[]): Row[] {
  const lines = new Map<string, number>();
  return records.map((p) => {
    const line = (lines.get(p.recorder) ?? 0) + 1;
    lines.set(p.recorder, line);
    return {
      Period: `${p.date}T00:00:00`,
      Recorder: p.recorder,
      Recorder_Type: 'StandardODATA.Document_УстановкаЦенНоменклатуры',
      LineNumber: line,
      Active: true,
      ВидЦены_Key: p.type,
      Номенклатура_Key: p.product,
      Характеристика_Key: p.characteristic ?? EMPTY,
      Упаковка_Key: EMPTY,
      Цена: p.price,
    };
  });
}

const CURRENCIES = [
  { id: guid('cur-rub'), name: 'RUB', code: '643' },
  { id: guid('cur-usd'), name: 'USD', code: '840' },
];

export function priceTypeRow(t: PriceType, version: number): Row {
  return {
    Ref_Key: t.id,
    DataVersion: dv(version),
    DeletionMark: t.deleted,
    Description: t.name,
    Code: '',
    ВалютаЦены_Key: CURRENCIES.find((c) => c.name === t.currency)!.id,
    ЦенаВключаетНДС: t.vatIncluded,
    СпособЗаданияЦены: 'Вручную',
  };
}

/** Interactions, deals, prices in 1C's shapes. */
function serveExtras(company: Company, fake: Fake1C): void {
  fake.define(
    'Catalog_КонтактныеЛицаПартнеров',
    { ...catalog, Владелец_Key: G },
    ['Ref_Key'],
    company.contactPersons.map((c) => ({ Ref_Key: c.id, DataVersion: dv(1), DeletionMark: false, Description: c.name, Code: '', Владелец_Key: c.partner })),
  );
  const doc = { Ref_Key: G, DataVersion: S, DeletionMark: B, Number: S, Date: D, Тема: S, Описание: S };
  const rowsOf = (object: Interaction['object']) => company.interactions.filter((i) => i.object === object).map((i) => interactionRow(i, 1));
  fake.define(INTERACTION_OBJECTS.calls, { ...doc, Входящий: B, АбонентКонтакт: S, АбонентКонтакт_Type: S, АбонентКакСвязаться: S }, ['Ref_Key'], rowsOf('calls'));
  fake.define(INTERACTION_OBJECTS.lettersIn, { ...doc, ОтправительКонтакт: S, ОтправительКонтакт_Type: S, ОтправительАдресЭП: S }, ['Ref_Key'], rowsOf('lettersIn'));
  fake.define(INTERACTION_OBJECTS.meetings, { ...doc, Участники: 'Collection(StandardODATA.Document_Встреча_Участники_RowType)' }, ['Ref_Key'], rowsOf('meetings'));
  fake.define(
    INTERACTION_OBJECTS.lettersOut,
    { ...doc, ПолучателиПисьма: 'Collection(StandardODATA.Document_ЭлектронноеПисьмоИсходящее_ПолучателиПисьма_RowType)' },
    ['Ref_Key'],
    rowsOf('lettersOut'),
  );
  fake.define(
    'Catalog_ПричиныПроигрышаСделок',
    catalog,
    ['Ref_Key'],
    company.lossReasons.map((r) => ({ Ref_Key: r.id, DataVersion: dv(1), DeletionMark: false, Description: r.name, Code: '' })),
  );
  fake.define(
    'Catalog_СделкиСКлиентами',
    { ...catalog, Партнер_Key: G, Статус: S, Закрыта: B, ДатаНачала: D, ДатаЗавершения: D, ПричинаПроигрышаСделки_Key: G },
    ['Ref_Key'],
    company.deals.map((d) => dealRow(d, 1)),
  );
  fake.define(
    'Catalog_Валюты',
    catalog,
    ['Ref_Key'],
    CURRENCIES.map((c) => ({ Ref_Key: c.id, DataVersion: dv(1), DeletionMark: false, Description: c.name, Code: c.code })),
  );
  fake.define(
    'Catalog_ВидыЦен',
    { ...catalog, ВалютаЦены_Key: G, ЦенаВключаетНДС: B, СпособЗаданияЦены: S },
    ['Ref_Key'],
    company.priceTypes.map((t) => priceTypeRow(t, 1)),
  );
  const register = {
    Period: D,
    Recorder: G,
    Recorder_Type: S,
    LineNumber: 'Edm.Int64',
    Active: B,
    ВидЦены_Key: G,
    Номенклатура_Key: G,
    Характеристика_Key: G,
    Упаковка_Key: G,
    Цена: N,
  };
  // UT 11.5 publishes the register of release 2.5; UT 11.4 and ERP 2 the older one: the fake serves both.
  fake.define('InformationRegister_ЦеныНоменклатуры25_RecordType', register, ['Recorder', 'LineNumber'], priceRows(company.prices));
  fake.define('InformationRegister_ЦеныНоменклатуры_RecordType', register, ['Recorder', 'LineNumber'], priceRows(company.prices));
}

export function partnerRow(p: Company['partners'][number], version: number): Row {
  return {
    Ref_Key: p.id,
    DataVersion: dv(version),
    DeletionMark: p.deleted,
    Description: p.name,
    Code: '',
    Parent_Key: p.group ?? EMPTY,
    IsFolder: false,
    БизнесРегион_Key: p.region ?? EMPTY,
    ОсновнойМенеджер_Key: p.manager ?? EMPTY,
    ДатаРегистрации: `${p.registeredAt}T00:00:00`,
    ЮрФизЛицо: p.legalForm === 'person' ? 'ЧастноеЛицо' : 'Компания',
    Клиент: p.roles.includes('customer'),
    Поставщик: p.roles.includes('supplier'),
    Конкурент: false,
    ДополнительныеРеквизиты: Object.entries(p.properties ?? {}).map(([name, value], i) => ({
      LineNumber: String(i + 1),
      Свойство_Key: propertyDefinition(name),
      Значение: typeof value === 'string' ? propertyValue(value) : value,
      Значение_Type: typeof value === 'string' ? 'StandardODATA.Catalog_ЗначенияСвойствОбъектов' : typeof value === 'number' ? 'Edm.Double' : 'Edm.Boolean',
      ТекстоваяСтрока: '',
    })),
  };
}

/** A posted document's register records (none when unposted); the second line of every fifth document is on the partner's other analytics key. */
export function registerRows(d: Doc): Row[] {
  if (!d.posted) return [];
  const rows: Row[] = d.lines.map((l, i) => ({
    Period: `${d.date}T12:00:00`,
    Recorder: d.id,
    Recorder_Type: d.isReturn ? 'StandardODATA.Document_ВозвратТоваровОтКлиента' : 'StandardODATA.Document_РеализацияТоваровУслуг',
    LineNumber: i + 1,
    Active: true,
    АналитикаУчетаПоПартнерам_Key: partnerKey(d.partner, i % 2),
    АналитикаУчетаНоменклатуры_Key: productKey(l.product),
    Количество: l.quantity,
    СуммаВыручки: l.revenue,
    Стоимость: l.cost,
    Менеджер_Key: d.manager,
  }));
  return rows;
}

function debtRow(d: Debt, i: number): Row {
  return {
    Period: `${d.period}T10:00:00`,
    Recorder: guid(`debt-doc${i}`),
    LineNumber: 1,
    Active: true,
    RecordType: d.amount >= 0 ? 'Receipt' : 'Expense',
    ОбъектРасчетов_Key: d.object,
    ДатаПлановогоПогашения: `${d.due}T00:00:00`,
    Долг: Math.abs(d.amount),
  };
}

const q = (v: unknown): string => (v === null || v === undefined ? '' : `"${String(v).replace(/"/g, '""')}"`);
const csv = (header: string[], rows: unknown[][]): string => [header.join(','), ...rows.map((r) => r.map(q).join(','))].join('\n') + '\n';

/** The company as the CSV files a user imports, entity by entity, in order. */
export function csvFiles(c: Company): { entity: string; text: string }[] {
  const lines = c.docs.filter((d) => d.posted).flatMap((d) => d.lines.map((l, i) => [`${d.id}-${i}`, d.id, d.date, d.partner, l.product, l.quantity, l.revenue, l.cost, d.manager]));
  const balances = new Map<string, { partner: string; due: string; amount: number }>();
  for (const d of c.debts) {
    const key = `${d.object}|${d.due}`;
    const b = balances.get(key) ?? { partner: d.partner, due: d.due, amount: 0 };
    b.amount += d.amount;
    balances.set(key, b);
  }
  return [
    {
      entity: 'regions',
      text: csv(
        ['id', 'name', 'parent'],
        c.regions.map((r) => [r.id, r.name, r.parent]),
      ),
    },
    {
      entity: 'managers',
      text: csv(
        ['id', 'name'],
        c.managers.map((m) => [m.id, m.name]),
      ),
    },
    {
      entity: 'partnerGroups',
      text: csv(
        ['id', 'name', 'parent'],
        c.partnerGroups.map((g) => [g.id, g.name, g.parent]),
      ),
    },
    {
      entity: 'partners',
      text: csv(
        ['id', 'name', 'roles', 'legalForm', 'group', 'region', 'manager', 'registeredAt', 'deleted', 'properties.Канал', 'properties.Скидка', 'properties.VIP'],
        c.partners.map((p) => [p.id, p.name, p.roles.join(';'), p.legalForm, p.group, p.region, p.manager, p.registeredAt, p.deleted, p.properties?.Канал, p.properties?.Скидка, p.properties?.VIP]),
      ),
    },
    {
      entity: 'productGroups',
      text: csv(
        ['id', 'name', 'parent'],
        c.productGroups.map((g) => [g.id, g.name, g.parent]),
      ),
    },
    {
      entity: 'products',
      text: csv(
        ['id', 'name', 'group', 'properties.Бренд', 'properties.Вес'],
        c.products.map((p) => [p.id, p.name, p.group, p.properties?.Бренд, p.properties?.Вес]),
      ),
    },
    { entity: 'sales', text: csv(['id', 'document', 'date', 'partner', 'product', 'quantity', 'revenue', 'cost', 'manager'], lines) },
    {
      entity: 'settlements',
      text: csv(
        ['id', 'partner', 'date', 'amount', 'dueDate'],
        [...balances].filter(([, b]) => b.amount !== 0).map(([key, b]) => [key, b.partner, c.today, b.amount, b.due]),
      ),
    },
    {
      entity: 'interactions',
      text: csv(
        ['id', 'partner', 'date', 'type', 'direction', 'subject'],
        c.interactions
          .filter((i) => !i.deleted)
          .flatMap((i) => {
            const owners = new Set(i.contacts.flatMap((k) => (k.type === 'partner' ? [k.ref] : k.type === 'person' ? [c.contactPersons.find((p) => p.id === k.ref)!.partner] : [])));
            const type = i.object === 'calls' ? 'call' : i.object === 'meetings' ? 'meeting' : 'email';
            const direction = i.object === 'calls' ? (i.incoming ? 'in' : 'out') : i.object === 'lettersIn' ? 'in' : i.object === 'lettersOut' ? 'out' : null;
            return [...owners].map((partner) => [`${i.id}-${partner}`, partner, i.date, type, direction, i.subject]);
          }),
      ),
    },
    {
      entity: 'deals',
      text: csv(
        ['id', 'partner', 'stage', 'createdAt', 'closedAt', 'outcome', 'lostReason'],
        c.deals
          .filter((d) => !d.deleted)
          .map((d) => [
            d.id,
            d.partner,
            d.status,
            d.started,
            d.finished,
            d.status === 'Выиграна' ? 'won' : d.status === 'Проиграна' ? 'lost' : 'open',
            d.reason ? c.lossReasons.find((r) => r.id === d.reason)!.name : null,
          ]),
      ),
    },
  ];
}
