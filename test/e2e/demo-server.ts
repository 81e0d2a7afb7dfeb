/**
 * The real service for the browser tests: buildApp on an in-memory DuckDB holding a small
 * company (regions, groups, managers, 32 partners, products, two years of sales, a few
 * segments with a year of history: demo-facts.ts), listening on a free local port, with two
 * users to sign in as (DEMO_USERS): an admin, and a manager who covers one of the managers.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { createServices, type EventsOptions } from '../../src/app/services.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { apiCall, type ApiTarget } from './api.js';
import type { SqlValue } from '../../src/sql/queryable.js';
import type { Database } from '../../src/storage/database.js';
import { DuckDBDatabase } from '../../src/storage/duckdb-database.js';
import { migrate } from '../../src/storage/migrate.js';
import { rebuildClosure } from '../../src/domain/hierarchy/closure.js';
import { ENTITIES } from '../../src/model/entities.js';
import { seedFacts, TODAY } from './demo-facts.js';

export interface DemoServer extends ApiTarget {
  readonly url: string;
  /** An admin API key, for fixtures that call the API directly (api.ts). */
  readonly key: string;
  close(): Promise<void>;
}

export interface DemoUser {
  readonly login: string;
  readonly password: string;
  readonly role: 'admin' | 'analyst' | 'manager';
  readonly managerIds: readonly string[];
}

/**
 * Who the browser tests sign in as: every screen test as the admin; the access tests also as
 * Elena Smirnova, the manager of m1, who sees only m1's partners.
 */
export const DEMO_USERS = {
  admin: { login: 'admin', password: 'Demo-admin-password-1', role: 'admin', managerIds: [] },
  manager: { login: 'e.smirnova', password: 'Demo-manager-password-1', role: 'manager', managerIds: ['m1'] },
} as const satisfies Record<string, DemoUser>;

const REGIONS: [string, string, string | null][] = [
  ['ru', 'Россия', null],
  ['ural', 'Урал', 'ru'],
  ['perm', 'Пермь', 'ural'],
  ['ekb', 'Екатеринбург', 'ural'],
  ['center', 'Центр', 'ru'],
  ['msk', 'Москва', 'center'],
  ['nw', 'Северо-Запад', 'ru'],
  ['spb', 'Санкт-Петербург', 'nw'],
];
const GROUPS: [string, string, string | null][] = [
  ['wholesale', 'Оптовые покупатели', null],
  ['dealers', 'Дилеры', 'wholesale'],
  ['retail', 'Розничные покупатели', null],
  ['vendors', 'Поставщики', null],
];
export const MANAGERS: [string, string][] = [
  ['m1', 'Смирнова Елена'],
  ['m2', 'Кузнецов Андрей'],
  ['m3', 'Орлова Марина'],
];
const TYPES: [string, string][] = [
  ['key', 'Ключевой клиент'],
  ['distributor', 'Дистрибьютор'],
  ['retail', 'Розничный покупатель'],
];

type Roles = ('customer' | 'supplier' | 'competitor' | 'other')[];
interface SeedPartner {
  id: string;
  name: string;
  roles: Roles;
  legalForm: 'company' | 'person';
  group: string;
  region: string;
  manager: string;
  type: string | null;
  registeredAt: string;
  birthDate?: string;
  deleted?: boolean;
  email?: string;
  phone?: string;
}

export const ROMASHKA: SeedPartner = {
  id: 'p001',
  name: 'ООО «Ромашка»',
  roles: ['customer'],
  legalForm: 'company',
  group: 'dealers',
  region: 'perm',
  manager: 'm1',
  type: 'key',
  registeredAt: '2019-04-12',
  email: 'zakupki@romashka.ru',
  phone: '+7 342 215-40-17',
};

const HANDMADE: SeedPartner[] = [
  ROMASHKA,
  {
    id: 'p002',
    name: 'ИП Иванов Иван Иванович',
    roles: ['customer', 'supplier'],
    legalForm: 'person',
    group: 'retail',
    region: 'msk',
    manager: 'm2',
    type: 'retail',
    registeredAt: '2021-09-01',
    birthDate: '1984-06-23',
    email: 'ivanov@mail.ru',
    phone: '+7 495 101-22-33',
  },
  {
    id: 'p003',
    name: 'АО «Уральские самоцветы»',
    roles: ['customer'],
    legalForm: 'company',
    group: 'wholesale',
    region: 'ekb',
    manager: 'm1',
    type: 'key',
    registeredAt: '2018-02-20',
    email: 'office@uralgems.ru',
    phone: '+7 343 300-10-10',
  },
  {
    id: 'p004',
    name: 'ООО «ТехноСнаб»',
    roles: ['supplier'],
    legalForm: 'company',
    group: 'vendors',
    region: 'spb',
    manager: 'm3',
    type: null,
    registeredAt: '2017-11-05',
    email: 'sales@technosnab.ru',
  },
  { id: 'p005', name: 'ООО «Бета-Трейд»', roles: ['competitor'], legalForm: 'company', group: 'wholesale', region: 'msk', manager: 'm2', type: null, registeredAt: '2020-01-15' },
  {
    id: 'p006',
    name: 'Петрова Анна Сергеевна',
    roles: ['customer'],
    legalForm: 'person',
    group: 'retail',
    region: 'perm',
    manager: 'm1',
    type: 'retail',
    registeredAt: '2022-07-30',
    birthDate: '1990-03-08',
    phone: '+7 912 888-44-55',
  },
  {
    id: 'p007',
    name: 'ЗАО «Вектор»',
    roles: ['customer'],
    legalForm: 'company',
    group: 'dealers',
    region: 'ekb',
    manager: 'm3',
    type: 'distributor',
    registeredAt: '2016-05-18',
    deleted: true,
    email: 'info@vector-zao.ru',
  },
  {
    id: 'p008',
    name: 'ООО «Северный ветер»',
    roles: ['customer', 'other'],
    legalForm: 'company',
    group: 'wholesale',
    region: 'spb',
    manager: 'm2',
    type: 'distributor',
    registeredAt: '2023-03-01',
    email: 'hello@sevveter.ru',
    phone: '+7 812 640-00-01',
  },
];

const FIRMS: [string, string][] = [
  ['Альфа', 'alfa'],
  ['Гранит', 'granit'],
  ['Меридиан', 'meridian'],
  ['Орион', 'orion'],
  ['Прогресс', 'progress'],
  ['Сигма', 'sigma'],
  ['Спектр', 'spektr'],
  ['Стройресурс', 'stroyresurs'],
  ['Таврида', 'tavrida'],
  ['Фортуна', 'fortuna'],
  ['Эталон', 'etalon'],
  ['Юпитер', 'yupiter'],
];
const FORMS = ['ООО', 'ООО', 'АО', 'ООО ТД', 'ПАО', 'ООО'];
const ROLE_CYCLE: Roles[] = [['customer'], ['customer'], ['customer', 'supplier'], ['supplier'], ['customer'], ['competitor'], ['customer', 'other']];
const REGION_IDS = ['perm', 'ekb', 'msk', 'spb'];

/** 24 more partners, deterministic, so the list has more than one page. */
function generated(): SeedPartner[] {
  return Array.from({ length: 24 }, (_, i): SeedPartner => {
    const [firm, slug] = FIRMS[i % FIRMS.length]!;
    const form = FORMS[i % FORMS.length]!;
    return {
      id: `p${String(i + 9).padStart(3, '0')}`,
      name: `${form} «${firm}${i >= FIRMS.length ? '-Регион' : ''}»`,
      roles: ROLE_CYCLE[i % ROLE_CYCLE.length]!,
      legalForm: 'company',
      group: ROLE_CYCLE[i % ROLE_CYCLE.length]!.includes('customer') ? (i % 3 === 0 ? 'dealers' : 'wholesale') : 'vendors',
      deleted: i === 13,
      region: REGION_IDS[i % REGION_IDS.length]!,
      manager: MANAGERS[i % MANAGERS.length]![0],
      type: i % 2 ? 'distributor' : null,
      registeredAt: `20${String(15 + (i % 9)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + ((i * 7) % 28)).padStart(2, '0')}`,
      email: i % 4 === 0 ? undefined : `info@${slug}${i >= FIRMS.length ? '-region' : ''}.ru`,
      phone: i % 3 === 1 ? `+7 ${342 + (i % 5)} ${String(200 + i * 13).slice(0, 3)}-${String(10 + i).padStart(2, '0')}-${String(40 + i).padStart(2, '0')}` : undefined,
    };
  });
}

export const PARTNERS: readonly SeedPartner[] = [...HANDMADE, ...generated()];

async function seed(db: Database): Promise<void> {
  const insert = async (sql: string, rows: SqlValue[][]) => {
    for (const row of rows) await db.run(sql, row);
  };
  await insert('INSERT INTO regions (id, name, parent_id) VALUES ($1, $2, $3)', REGIONS);
  await insert('INSERT INTO partner_groups (id, name, parent_id) VALUES ($1, $2, $3)', GROUPS);
  await insert('INSERT INTO managers (id, name) VALUES ($1, $2)', MANAGERS);
  await insert('INSERT INTO partner_types (id, name) VALUES ($1, $2)', TYPES);
  await insert(
    `INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, group_id, region_id, manager_id, type_id, birth_date, registered_at, deleted, email, phone)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CAST($12 AS DATE), CAST($13 AS DATE), $14, $15, $16)`,
    PARTNERS.map((p) => [
      p.id,
      p.name,
      p.roles.includes('customer'),
      p.roles.includes('supplier'),
      p.roles.includes('competitor'),
      p.roles.includes('other'),
      p.legalForm,
      p.group,
      p.region,
      p.manager,
      p.type,
      p.birthDate ?? null,
      p.registeredAt,
      p.deleted ?? false,
      p.email ?? null,
      p.phone ?? null,
    ]),
  );
  await rebuildClosure(db, ENTITIES.regions);
  await rebuildClosure(db, ENTITIES.partnerGroups);
  await insert('INSERT INTO property_definitions (entity, name, type) VALUES ($1, $2, $3)', [
    ['partners', 'Количество сотрудников', 'number'],
    ['partners', 'Сайт', 'string'],
    ['partners', 'Дата договора', 'date'],
    ['partners', 'Работает по предоплате', 'boolean'],
  ]);
  await insert('INSERT INTO partner_properties (partner_id, name, value_text, value_number, value_date, value_boolean) VALUES ($1, $2, $3, $4, CAST($5 AS DATE), $6)', [
    [ROMASHKA.id, 'Количество сотрудников', null, 120, null, null],
    [ROMASHKA.id, 'Сайт', 'romashka.ru', null, null, null],
    [ROMASHKA.id, 'Дата договора', null, null, '2021-03-15', null],
    [ROMASHKA.id, 'Работает по предоплате', null, null, null, true],
  ]);
}

export interface DemoServerOptions {
  /** Wraps the database the service uses (not the seeding): e.g. a gate that holds a generation. */
  readonly database?: (db: Database) => Database;
  /** Segment events (webhooks): the secret key and the targets allowed; none given, webhooks cannot be created. */
  readonly events?: EventsOptions;
}

/**
 * The browser suite's seeded company, made once per run (test/e2e/global-setup.ts) instead of
 * once per file: seeding (24 monthly generations among it) costs about 3 s of CPU, a copy of
 * the finished database 0.3 s. The file's name carries the day its facts are dated from, so a
 * run that passes midnight seeds afresh rather than reading yesterday's company.
 */
export const DEMO_TEMPLATE_ENV = 'SEGMENTA_E2E_DEMO_TEMPLATE';
export const demoTemplateName = (): string => `demo-${TODAY}.duckdb`;

/** Writes the seeded company into a new DuckDB file at `path` (read-only afterwards). */
export async function writeDemoTemplate(path: string): Promise<void> {
  const db = await DuckDBDatabase.open(path);
  try {
    await migrate(db);
    await seed(db);
    await seedFacts(db, PARTNERS);
    await db.checkpoint();
  } finally {
    await db.close();
  }
}

/** The seeded company in `db` (new, in memory): a copy of the run's template when there is one for today, else seeded here. */
async function seedDemoDatabase(db: Database): Promise<void> {
  const template = process.env[DEMO_TEMPLATE_ENV];
  if (template && basename(template) === demoTemplateName() && existsSync(template)) {
    await db.run(`ATTACH '${template.replaceAll("'", "''")}' AS demo_template (READ_ONLY)`);
    await db.run('COPY FROM DATABASE demo_template TO memory');
    await db.run('DETACH demo_template');
    // The copy is migrated; run all the same, so a database behind is never served.
    await migrate(db);
    return;
  }
  await migrate(db);
  await seed(db);
  await seedFacts(db, PARTNERS);
}

export async function startDemoServer(webRoot: string, port = 0, options: DemoServerOptions = {}): Promise<DemoServer> {
  const db = await DuckDBDatabase.open(':memory:');
  let app: TestApp | undefined;
  try {
    await seedDemoDatabase(db);
    const served = options.database ? options.database(db) : db;
    // Connector secrets sealed with a key of this run only (never a key file on disk).
    const connectors = { secretKey: { key: randomBytes(32) } };
    app = await buildTestApp({ db: served, services: createServices(served, { connectors, ...(options.events ? { events: options.events } : {}) }) }, { webRoot });
    const address = await app.listen({ host: '127.0.0.1', port });
    const server = app;
    const target = { url: address, key: app.testKey };
    for (const user of Object.values(DEMO_USERS)) await apiCall(target, 'POST', '/users', { login: user.login, role: user.role, managerIds: user.managerIds, password: user.password });
    return {
      ...target,
      close: async () => {
        await server.close();
        await db.close();
      },
    };
  } catch (error) {
    await app?.close();
    await db.close();
    throw error;
  }
}
