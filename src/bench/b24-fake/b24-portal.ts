import { isoMoscow, type FakeBitrix24 } from './fake-b24.js';

/**
 * Fills a fake portal with a small company's CRM, deterministic: users, company and contact
 * types, an industry list, company user fields (INN as text, a 1C id as text, a list field
 * "Канал" with items, a number field), companies, contacts linked to them, deals and activities.
 */
export interface PortalSize {
  readonly companies: number;
  readonly contacts?: number;
  readonly deals?: number;
  readonly activities?: number;
  readonly users?: number;
}

export const CHANNELS = ['Опт', 'Розница', 'Интернет'] as const;
const TYPES = ['CUSTOMER', 'SUPPLIER', 'COMPETITOR', 'PARTNER', 'OTHER'] as const;

/** The INN the fake gives company n (10 digits). */
export const innOf = (n: number): string => String(7700000000 + n);

export function seedPortal(fake: FakeBitrix24, size: PortalSize, base = new Date('2026-11-01T09:00:00Z')): void {
  const at = (minutes: number) => isoMoscow(new Date(base.getTime() + minutes * 60_000));
  const users = size.users ?? 3;
  for (let i = 1; i <= users; i++) fake.users.push({ ID: String(i), ACTIVE: true, NAME: ['Анна', 'Борис', 'Вера', 'Глеб'][i % 4], LAST_NAME: `Менеджер${i}`, EMAIL: `m${i}@example.ru` });
  const names: Record<string, string> = { CUSTOMER: 'Клиент', SUPPLIER: 'Поставщик', COMPETITOR: 'Конкурент', PARTNER: 'Партнёр', OTHER: 'Другое' };
  for (const t of TYPES) fake.statuses.push({ ID: fake.newId(), ENTITY_ID: 'COMPANY_TYPE', STATUS_ID: t, NAME: names[t], SORT: '10' });
  for (const [id, name] of [
    ['CLIENT', 'Клиенты'],
    ['SUPPLIER', 'Поставщики'],
  ])
    fake.statuses.push({ ID: fake.newId(), ENTITY_ID: 'CONTACT_TYPE', STATUS_ID: id, NAME: name, SORT: '10' });
  for (const [id, name] of [
    ['IT', 'Информационные технологии'],
    ['MANUFACTURING', 'Производство'],
  ])
    fake.statuses.push({ ID: fake.newId(), ENTITY_ID: 'INDUSTRY', STATUS_ID: id, NAME: name, SORT: '10' });
  const field = (name: string, type: string, label: string, list?: readonly string[]) =>
    fake.companyFields.push({
      ID: fake.newId(),
      ENTITY_ID: 'CRM_COMPANY',
      FIELD_NAME: name,
      USER_TYPE_ID: type,
      MULTIPLE: 'N',
      MANDATORY: 'N',
      EDIT_FORM_LABEL: label,
      ...(list ? { LIST: list.map((v, i) => ({ ID: String(40 + i), VALUE: v, SORT: String(10 * (i + 1)), DEF: 'N' as const })) } : {}),
    });
  field('UF_CRM_INN', 'string', 'ИНН');
  field('UF_CRM_1C_ID', 'string', 'Код 1С');
  field('UF_CRM_CHANNEL', 'enumeration', 'Канал', CHANNELS);
  field('UF_CRM_STAFF', 'double', 'Сотрудников');

  for (let n = 1; n <= size.companies; n++) {
    fake.companies.push({
      ID: String(n),
      TITLE: `ООО «Компания ${n}»`,
      COMPANY_TYPE: TYPES[n % TYPES.length],
      INDUSTRY: n % 2 ? 'IT' : 'MANUFACTURING',
      ASSIGNED_BY_ID: String((n % users) + 1),
      DATE_CREATE: at(n),
      DATE_MODIFY: at(n),
      OPENED: 'Y',
      HAS_EMAIL: 'Y',
      HAS_PHONE: n % 3 ? 'Y' : 'N',
      EMAIL: [{ ID: String(n * 10), VALUE_TYPE: 'WORK', VALUE: `info${n}@company.ru`, TYPE_ID: 'EMAIL' }],
      ...(n % 3 ? { PHONE: [{ ID: String(n * 10 + 1), VALUE_TYPE: 'WORK', VALUE: `+7 495 000-${String(n).padStart(4, '0')}`, TYPE_ID: 'PHONE' }] } : {}),
      UF_CRM_INN: innOf(n),
      UF_CRM_1C_ID: '',
      UF_CRM_CHANNEL: n % 4 === 0 ? '' : String(40 + (n % CHANNELS.length)),
      UF_CRM_STAFF: String(n * 3),
    });
  }
  const contacts = size.contacts ?? Math.ceil(size.companies / 2);
  for (let n = 1; n <= contacts; n++) {
    fake.contacts.push({
      ID: String(n),
      NAME: `Иван${n}`,
      SECOND_NAME: '',
      LAST_NAME: `Петров${n}`,
      TYPE_ID: n % 2 ? 'CLIENT' : 'SUPPLIER',
      COMPANY_ID: n % 5 === 0 ? null : String(((n - 1) % size.companies) + 1),
      BIRTHDATE: n % 3 ? `19${70 + (n % 30)}-0${(n % 9) + 1}-15T03:00:00+03:00` : '',
      ASSIGNED_BY_ID: String((n % users) + 1),
      DATE_CREATE: at(n),
      DATE_MODIFY: at(n),
      EMAIL: [{ ID: String(n * 10 + 5), VALUE_TYPE: 'HOME', VALUE: `ivan${n}@mail.ru`, TYPE_ID: 'EMAIL' }],
    });
  }
  const deals = size.deals ?? size.companies;
  const stages = [
    ['NEW', 'P'],
    ['WON', 'S'],
    ['LOSE', 'F'],
  ] as const;
  for (let n = 1; n <= deals; n++) {
    const [stage, semantic] = stages[n % 3]!;
    fake.deals.push({
      ID: String(n),
      TITLE: `Сделка ${n}`,
      TYPE_ID: n % 2 ? 'SALE' : 'SERVICE',
      STAGE_ID: stage,
      STAGE_SEMANTIC_ID: semantic,
      CLOSED: semantic === 'P' ? 'N' : 'Y',
      OPPORTUNITY: `${n * 1000}.00`,
      CURRENCY_ID: 'RUB',
      COMPANY_ID: n % 7 === 0 ? '0' : String(((n - 1) % size.companies) + 1),
      CONTACT_ID: n % 7 === 0 ? String(((n - 1) % Math.max(1, contacts)) + 1) : null,
      ASSIGNED_BY_ID: String((n % users) + 1),
      DATE_CREATE: at(n),
      DATE_MODIFY: at(n),
      CLOSEDATE: at(n + 60 * 24 * 10),
    });
  }
  const activities = size.activities ?? size.companies;
  for (let n = 1; n <= activities; n++) {
    const toCompany = n % 4 !== 0;
    fake.activities.push({
      ID: String(n * 3),
      OWNER_TYPE_ID: toCompany ? '4' : '3',
      OWNER_ID: toCompany ? String(((n - 1) % size.companies) + 1) : String(((n - 1) % Math.max(1, contacts)) + 1),
      TYPE_ID: String((n % 4) + 1),
      PROVIDER_ID: 'CRM_MEETING',
      DIRECTION: n % 2 ? '1' : '2',
      SUBJECT: `Звонок ${n}`,
      COMPLETED: n % 3 ? 'Y' : 'N',
      START_TIME: at(n * 30),
      CREATED: at(n * 30),
      LAST_UPDATED: at(n * 30),
      RESPONSIBLE_ID: String((n % users) + 1),
    });
  }
}
