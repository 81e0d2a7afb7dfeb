import type { FakeAmo, FakeField } from './fake-amo.js';

/**
 * A small amoCRM account for tests (and a bench): managers, a sales pipeline, companies with
 * INN, an industry list, tags, revenue, a contract date, a VIP checkbox, phones and e-mails;
 * contacts of some companies; leads in every status. Deterministic for the same sizes.
 */

export interface AmoAccountSizes {
  readonly companies?: number;
  readonly contacts?: number;
  readonly leads?: number;
}

export const INDUSTRIES = ['Розница', 'Опт', 'Производство'];
export const PIPELINE = {
  id: 7001,
  name: 'Продажи',
  statuses: [
    { id: 7101, name: 'Первичный контакт' },
    { id: 7102, name: 'Переговоры' },
    { id: 142, name: 'Успешно реализовано' },
    { id: 143, name: 'Закрыто и не реализовано' },
  ],
};

/** The INN of company number i (1-based): ten digits. */
export const innOf = (i: number): string => String(7700000000 + i);

export function seedAccount(fake: FakeAmo, sizes: AmoAccountSizes = {}): { fields: Record<string, FakeField> } {
  const field = (entity: 'companies' | 'contacts', name: string, type: string, code: string | null = null, enums: string[] | null = null): FakeField => {
    const f: FakeField = { id: fake.id(), name, code, type, enums: enums ? enums.map((value, i) => ({ id: fake.id(), value, sort: (i + 1) * 10 })) : null };
    fake.fields[entity].push(f);
    return f;
  };
  fake.users.push({ id: 501, name: 'Анна Смирнова', email: 'anna@example.ru' }, { id: 502, name: 'Борис Орлов', email: 'boris@example.ru' }, { id: 503, name: 'Вера Ким', email: 'vera@example.ru' });
  fake.pipelines.push(PIPELINE);
  const fields = {
    inn: field('companies', 'ИНН', 'text'),
    industry: field('companies', 'Отрасль', 'select', null, INDUSTRIES),
    tags: field('companies', 'Метки', 'multiselect', null, ['Сеть', 'Франшиза', 'Госзаказ']),
    revenue: field('companies', 'Выручка', 'numeric'),
    contract: field('companies', 'Дата договора', 'date'),
    vip: field('companies', 'VIP', 'checkbox'),
    phone: field('companies', 'Телефон', 'multitext', 'PHONE', ['WORK', 'MOB']),
    email: field('companies', 'Email', 'multitext', 'EMAIL', ['WORK']),
    position: field('contacts', 'Должность', 'text', 'POSITION'),
    contactPhone: field('contacts', 'Телефон', 'multitext', 'PHONE', ['WORK', 'MOB']),
  };
  const companies = sizes.companies ?? 30;
  for (let i = 1; i <= companies; i++) {
    const t = fake.tick();
    fake.companies.push({
      id: 10_000 + i,
      name: `ООО «Компания ${i}»`,
      responsible_user_id: 501 + (i % 3),
      created_at: t - 86_400 * i,
      updated_at: t,
      custom_fields_values: [
        { field_id: fields.inn.id, values: [{ value: innOf(i) }] },
        { field_id: fields.industry.id, values: [{ enum_id: fields.industry.enums![i % 3]!.id }] },
        ...(i % 4 === 0 ? [{ field_id: fields.tags.id, values: [{ enum_id: fields.tags.enums![0]!.id }, { enum_id: fields.tags.enums![2]!.id }] }] : []),
        { field_id: fields.revenue.id, values: [{ value: String(i * 1000) }] },
        { field_id: fields.contract.id, values: [{ value: 1_700_000_000 + i * 86_400 }] },
        ...(i % 5 === 0 ? [{ field_id: fields.vip.id, values: [{ value: true }] }] : []),
        { field_id: fields.phone.id, values: [{ value: `+7 495 000-00-${String(i).padStart(2, '0')}`, enum_code: 'WORK' }] },
        { field_id: fields.email.id, values: [{ value: `office${i}@example.ru`, enum_code: 'WORK' }] },
      ],
    });
  }
  const contacts = sizes.contacts ?? 20;
  for (let i = 1; i <= contacts; i++) {
    const t = fake.tick();
    fake.contacts.push({
      id: 20_000 + i,
      name: `Контакт ${i}`,
      first_name: 'Контакт',
      last_name: String(i),
      responsible_user_id: 501 + (i % 3),
      created_at: t - 3600 * i,
      updated_at: t,
      company_id: i % 2 === 0 ? 10_000 + i : null,
      custom_fields_values: [{ field_id: fields.position.id, values: [{ value: i % 2 ? 'Директор' : 'Закупщик' }] }],
    });
  }
  const leads = sizes.leads ?? 40;
  for (let i = 1; i <= leads; i++) {
    const t = fake.tick();
    const status = PIPELINE.statuses[i % 4]!.id;
    fake.leads.push({
      id: 30_000 + i,
      name: `Сделка ${i}`,
      price: i * 500,
      status_id: status,
      pipeline_id: PIPELINE.id,
      responsible_user_id: 501 + (i % 3),
      created_at: t - 86_400 * 10,
      updated_at: t,
      closed_at: status === 142 || status === 143 ? t - 86_400 : null,
      // Some leads have a company, some only a contact (a private person's lead).
      company_id: i % 3 === 0 ? null : 10_000 + ((i % companies) + 1),
      contact_ids: i % 3 === 0 ? [20_000 + ((i % contacts) + 1)] : [],
      loss_reason: status === 143 ? { id: 901, name: 'Дорого' } : null,
    });
  }
  return { fields };
}
