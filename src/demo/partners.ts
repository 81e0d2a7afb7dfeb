import type { Queryable } from '../sql/queryable.js';
import { dayOf, isLeapYear, monthAndDay } from './calendar.js';
import type { DemoPlan } from './demo-plan.js';
import { companyName, fullName, personName } from './names.js';
import { DEMO_PARTNER_GROUPS, DEMO_PARTNER_TYPES, groupCode, typeCode } from './partner-groups.js';
import { cumulative, Random } from './random.js';
import { DEMO_REGIONS, PARTNER_REGIONS } from './regions.js';
import { ABSENT, caseOf, dayDate, idText, orNull, present } from './sql-text.js';
import { StagedTable, type LoadPipeline } from './staged-table.js';

/** Partner kinds: a company, a sole trader (ИП, a person in law) or a private person. */
export const COMPANY = 0;
export const SOLE_TRADER = 1;
export const PRIVATE_PERSON = 2;

/** Role flags. */
export const CUSTOMER = 1;
export const SUPPLIER = 2;
export const COMPETITOR = 4;
export const OTHER = 8;

/** How a customer pays: in advance, on time, late, or not at all lately (overdue debts). */
export const PREPAY = 0;
export const ON_TIME = 1;
export const LATE = 2;
export const DEFAULTER = 3;

/**
 * What the fact generators need to know of each partner, one typed array per attribute
 * (a million partners take ~40 MB).
 */
export class PartnerProfiles {
  readonly kind: Uint8Array;
  readonly roles: Uint8Array;
  readonly group: Uint8Array;
  readonly manager: Int32Array;
  readonly registered: Int32Array;
  /** The last day the partner buys: today, or the day it churned. */
  readonly lastActive: Int32Array;
  /** Buying power: sale lines are shared out in proportion (0: never buys). */
  readonly weight: Float64Array;
  readonly payer: Uint8Array;
  readonly paymentDays: Uint8Array;
  /** Mean survey score the partner gives. */
  readonly satisfaction: Float32Array;
  /** Top product group it buys most from. */
  readonly favourite: Uint8Array;
  /** Its discount off list prices, 0…0.2. */
  readonly discount: Float32Array;

  constructor(readonly count: number) {
    this.kind = new Uint8Array(count);
    this.roles = new Uint8Array(count);
    this.group = new Uint8Array(count);
    this.manager = new Int32Array(count);
    this.registered = new Int32Array(count);
    this.lastActive = new Int32Array(count);
    this.weight = new Float64Array(count);
    this.payer = new Uint8Array(count);
    this.paymentDays = new Uint8Array(count);
    this.satisfaction = new Float32Array(count);
    this.favourite = new Uint8Array(count);
    this.discount = new Float32Array(count);
  }
}

const CHANNELS = ['Сайт', 'Рекомендация', 'Выставка', 'Холодный звонок', 'Тендер', 'Маркетплейс'];
const COMPANY_MAILBOXES = ['info', 'office', 'zakaz', 'sales', 'snab', 'buh'];
const MAIL_DOMAINS = ['mail.ru', 'yandex.ru', 'gmail.com', 'bk.ru', 'list.ru', 'inbox.ru'];
/** Shares of the six top product groups in what customers favour. */
const FAVOURITES = cumulative([30, 12, 14, 22, 12, 10]);
const REGION_WEIGHTS = cumulative(PARTNER_REGIONS.map((r) => r.weight));
const REGION_CODES = PARTNER_REGIONS.map((r) => DEMO_REGIONS.indexOf(r));

/** Every 120th person has a birthday today (more than chance would give, so the birthday segment is never empty), every 200th was born on February 29. */
const BIRTHDAY_TODAY_EVERY = 120;
const FEB_29_EVERY = 200;
// Big batches: DuckDB builds the primary-key indexes of partners and their properties far cheaper from few large inserts.
const BATCH = 500_000;

const COLUMNS = [
  ['n', 'int'],
  ['name', 'text'],
  ['roles', 'int'],
  ['kind', 'int'],
  ['grp', 'int'],
  ['region', 'int'],
  ['manager', 'int'],
  ['ptype', 'int'],
  ['birth', 'int'],
  ['registered', 'int'],
  ['deleted', 'int'],
  ['email', 'text'],
  ['phone', 'text'],
  ['inn', 'text'],
  ['employees', 'int'],
  ['contract', 'int'],
  ['prepay', 'int'],
  ['channel', 'int'],
] as const;

/** Partner property names, typed in property_definitions. */
export const PARTNER_PROPERTIES = [
  { name: 'ИНН', type: 'string' },
  { name: 'Количество сотрудников', type: 'number' },
  { name: 'Дата договора', type: 'date' },
  { name: 'Работает по предоплате', type: 'boolean' },
  { name: 'Канал привлечения', type: 'string' },
] as const;

function shapeStatements(db: Queryable, table: string, plan: DemoPlan): string[] {
  const d = db.dialect;
  const pid = idText('P', 'n', plan.widths.partner);
  const property = (name: string, text: string, number: string, date: string, bool: string, where: string) =>
    `SELECT ${pid}, '${name}', ${text}, ${number}, ${date}, ${bool} FROM ${table} WHERE ${where}`;
  // Typed NULLs: PostgreSQL types a UNION's columns from its first branch.
  const noText = d.cast('NULL', 'text');
  const noNumber = d.cast('NULL', 'decimal');
  const noDate = d.cast('NULL', 'date');
  const noBoolean = d.cast('NULL', 'boolean');
  return [
    `INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, group_id, region_id, manager_id, type_id, birth_date, registered_at, deleted, email, phone)
     SELECT ${pid}, name, (roles & 1) <> 0, (roles & 2) <> 0, (roles & 4) <> 0, (roles & 8) <> 0,
       CASE WHEN kind = ${COMPANY} THEN 'company' ELSE 'person' END,
       ${caseOf(
         'grp',
         DEMO_PARTNER_GROUPS.map((g) => g.id),
       )}, ${caseOf(
         'region',
         DEMO_REGIONS.map((r) => r.id),
       )},
       ${idText('M', 'manager', plan.managers.idWidth)}, ${caseOf(
         'ptype',
         DEMO_PARTNER_TYPES.map((t) => t.id),
       )},
       ${dayDate(d, orNull('birth'))}, ${dayDate(d, 'registered')}, deleted = 1, email, phone
     FROM ${table}`,
    `INSERT INTO partner_properties (partner_id, name, value_text, value_number, value_date, value_boolean)
     ${property('ИНН', 'inn', noNumber, noDate, noBoolean, 'inn IS NOT NULL')}
     UNION ALL ${property('Количество сотрудников', noText, d.cast('employees', 'decimal'), noDate, noBoolean, present('employees'))}
     UNION ALL ${property('Дата договора', noText, noNumber, dayDate(d, 'contract'), noBoolean, present('contract'))}
     UNION ALL ${property('Работает по предоплате', noText, noNumber, noDate, 'prepay = 1', present('prepay'))}
     UNION ALL ${property('Канал привлечения', caseOf('channel', CHANNELS), noNumber, noDate, noBoolean, present('channel'))}`,
  ];
}

/** One batch of partner rows, column by column; integers not set are ABSENT. */
class PartnerBatch {
  readonly ints: Record<string, Int32Array> = {};
  readonly texts: Record<string, (string | null)[]> = {};
  length = 0;
  constructor(size: number) {
    for (const [name, type] of COLUMNS) {
      if (type === 'int') this.ints[name] = new Int32Array(size).fill(ABSENT);
      else this.texts[name] = new Array<string | null>(size).fill(null);
    }
  }
  values() {
    return COLUMNS.map(([name, type]) => (type === 'int' ? this.ints[name]!.subarray(0, this.length) : this.texts[name]!.slice(0, this.length)));
  }
}

function digitsText(random: Random, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += random.int(10);
  return text;
}

function cityPhone(random: Random, code: string): string {
  const rest = digitsText(random, 10 - code.length);
  const groups = rest.length === 7 ? [rest.slice(0, 3), rest.slice(3, 5), rest.slice(5)] : [rest.slice(0, rest.length - 4), rest.slice(-4, -2), rest.slice(-2)];
  return `+7 (${code}) ${groups.join('-')}`;
}

const mobilePhone = (random: Random): string => {
  const d = digitsText(random, 9);
  return `+7 9${d.slice(0, 2)} ${d.slice(2, 5)}-${d.slice(5, 7)}-${d.slice(7)}`;
};

/**
 * Generates the partners: companies (~55%), sole traders (~15%) and private persons (~30%);
 * customers mostly, some suppliers, competitors and others; a long tail of buying power; birth
 * dates for persons (some today, some on February 29); typed additional properties. Rows go to
 * the database in batches through `pipeline`; the returned profiles drive the facts.
 */
export async function generatePartners(db: Queryable, plan: DemoPlan, pipeline: LoadPipeline, onBatch: (done: number) => void): Promise<PartnerProfiles> {
  const profiles = new PartnerProfiles(plan.partners);
  const table = new StagedTable(db, 'demo_partners', COLUMNS, (staged) => shapeStatements(db, staged, plan));
  const today = plan.today;
  const todayDate = monthAndDay(today);
  let persons = 0;
  let batch = new PartnerBatch(Math.min(BATCH, plan.partners));
  for (let i = 0; i < plan.partners; i++) {
    const random = Random.stream(plan.seed, 0x50415254, i);
    const row = batch.length++;
    const ints = batch.ints;
    const texts = batch.texts;
    const kindRoll = random.next();
    const kind = kindRoll < 0.55 ? COMPANY : kindRoll < 0.7 ? SOLE_TRADER : PRIVATE_PERSON;
    let roles = CUSTOMER;
    if (kind === COMPANY) {
      const r = random.next();
      roles = r < 0.84 ? CUSTOMER : r < 0.89 ? SUPPLIER : r < 0.92 ? CUSTOMER | SUPPLIER : r < 0.95 ? COMPETITOR : r < 0.97 ? OTHER : CUSTOMER | OTHER;
    } else if (kind === SOLE_TRADER && random.chance(0.05)) {
      roles = SUPPLIER;
    }
    const customer = (roles & CUSTOMER) !== 0;
    const regionIndex = random.weighted(REGION_WEIGHTS);
    const region = PARTNER_REGIONS[regionIndex]!;
    const registered = today - Math.round(3650 * Math.pow(random.next(), 1.6));

    // Buying power: one customer in ten is a lead that never bought; the rest a long tail.
    let weight = 0;
    if (customer && !random.chance(0.1)) {
      const scale = kind === COMPANY ? 3 : kind === SOLE_TRADER ? 1.2 : 0.25;
      weight = Math.min(400, random.pareto(1.2)) * scale;
    }
    let group: string;
    let type: string | null;
    if (customer) {
      if (kind === PRIVATE_PERSON) group = 'retail';
      else if (kind === SOLE_TRADER) group = random.pick(['retail', 'retail', 'wholesale-small', 'wholesale-small', 'dealers']);
      else if (weight >= 30) group = 'wholesale-large';
      else group = random.pick(['wholesale-small', 'wholesale-small', 'dealers', 'builders', 'builders']);
      type = weight >= 60 ? 'key' : group === 'dealers' ? 'reseller' : 'client';
      if (random.chance(0.08)) type = null;
    } else if (roles & SUPPLIER) {
      group = random.chance(0.7) ? 'suppliers-local' : 'suppliers-import';
      type = 'supplier';
    } else if (roles & COMPETITOR) {
      group = 'competitors';
      type = 'competitor';
    } else {
      group = 'other';
      type = random.chance(0.5) ? 'partner' : 'other';
    }

    // Some customers stopped buying (churned) well before today.
    const firstSale = Math.max(plan.calendar.first, registered);
    let lastActive = today;
    if (weight > 0 && today - firstSale > 240 && random.chance(0.18)) {
      lastActive = firstSale + Math.round((today - 180 - firstSale) * random.next());
    }
    let payer: number;
    let paymentDays = 0;
    if (kind === PRIVATE_PERSON) payer = PREPAY;
    else {
      const p = random.next();
      payer = p < 0.15 ? PREPAY : p < 0.83 ? ON_TIME : p < 0.93 ? LATE : DEFAULTER;
      if (payer !== PREPAY) paymentDays = random.pick([14, 14, 30, 30, 30, 45, 60]);
    }
    const s = random.next();
    profiles.kind[i] = kind;
    profiles.roles[i] = roles;
    profiles.group[i] = groupCode(group);
    profiles.registered[i] = registered;
    profiles.lastActive[i] = lastActive;
    profiles.weight[i] = weight;
    profiles.payer[i] = payer;
    profiles.paymentDays[i] = paymentDays;
    profiles.satisfaction[i] = s < 0.6 ? 9.2 : s < 0.85 ? 7.5 : 4;
    profiles.favourite[i] = random.weighted(FAVOURITES);
    profiles.discount[i] = kind === PRIVATE_PERSON ? 0 : group === 'dealers' ? 0.1 + 0.1 * random.next() : 0.12 * random.next();
    const manager = random.weighted(plan.managers.load);
    profiles.manager[i] = manager;

    // The row.
    let name: string;
    let email: string | null = null;
    let phone: string | null = null;
    let birth = ABSENT;
    if (kind === COMPANY) {
      const city = region.parent === 'perm' ? DEMO_REGIONS.find((r) => r.id === 'perm')! : region;
      const company = companyName(random, city.name.length <= 8 ? { name: city.name, slug: city.slug ?? city.id } : null);
      name = company.name;
      if (random.chance(0.85)) email = `${random.pick(COMPANY_MAILBOXES)}@${company.slug}${random.chance(0.3) ? random.between(1, 99) : ''}.ru`;
      if (random.chance(0.9)) phone = cityPhone(random, region.phoneCode ?? '342');
      texts.inn![row] = (region.phoneCode === '342' ? '59' : String(random.between(10, 89))) + digitsText(random, 8);
      if (random.chance(0.5)) ints.employees![row] = Math.min(5000, Math.round(3 * random.pareto(1.1)));
    } else {
      const person = personName(random);
      name = kind === SOLE_TRADER ? `ИП ${fullName(person)}` : fullName(person);
      if (random.chance(0.6)) email = `${person.latin}${random.between(1, 99)}@${random.pick(MAIL_DOMAINS)}`;
      if (random.chance(0.75)) phone = mobilePhone(random);
      if (kind === SOLE_TRADER) texts.inn![row] = (region.phoneCode === '342' ? '59' : String(random.between(10, 89))) + digitsText(random, 10);
      // Persons are 20 to 72 years old.
      persons++;
      let year = todayDate.year - random.between(20, 72);
      if (persons % BIRTHDAY_TODAY_EVERY === 7) {
        if (todayDate.month === 2 && todayDate.day === 29) while (!isLeapYear(year)) year--;
        birth = dayOf(year, todayDate.month, todayDate.day);
      } else if (persons % FEB_29_EVERY === 13) {
        while (!isLeapYear(year)) year--;
        birth = dayOf(year, 2, 29);
      } else {
        birth = dayOf(year, 1, 1) + random.int(isLeapYear(year) ? 366 : 365);
      }
    }
    ints.n![row] = i + 1;
    texts.name![row] = name;
    ints.roles![row] = roles;
    ints.kind![row] = kind;
    ints.grp![row] = groupCode(group);
    ints.region![row] = REGION_CODES[regionIndex]!;
    ints.manager![row] = manager + 1;
    ints.ptype![row] = type === null ? ABSENT : typeCode(type);
    ints.birth![row] = birth;
    ints.registered![row] = registered;
    ints.deleted![row] = random.chance(0.01) ? 1 : 0;
    texts.email![row] = email;
    texts.phone![row] = phone;
    // Properties are set where a manager would fill them in, not on every card.
    if (customer && kind !== PRIVATE_PERSON) {
      if (payer === PREPAY) ints.prepay![row] = 1;
      else if (random.chance(0.1)) ints.prepay![row] = 0;
      if (weight > 0 && random.chance(0.6)) ints.contract![row] = Math.min(today, registered + random.int(60));
    }
    if (customer && random.chance(0.3)) ints.channel![row] = random.int(CHANNELS.length);

    if (batch.length === BATCH || i === plan.partners - 1) {
      const full = batch;
      const done = i + 1;
      await pipeline.submit(async (db) => {
        await table.load(full.values(), full.length, db);
        onBatch(done);
      });
      if (i < plan.partners - 1) batch = new PartnerBatch(Math.min(BATCH, plan.partners - done));
    }
  }
  await pipeline.drain();
  return profiles;
}

/** The id of the partner at `index` (0-based), as the loader writes it. */
export const partnerIdOf = (plan: DemoPlan, index: number): string => `P${String(index + 1).padStart(plan.widths.partner, '0')}`;
