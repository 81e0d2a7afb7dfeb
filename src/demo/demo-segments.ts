import { rebuildInOrder } from '../domain/segments/batch-refresh.js';
import { segmentInputSchema } from '../domain/segments/segment.schema.js';
import type { SegmentService } from '../domain/segments/segments.service.js';
import { findSegment } from '../domain/segments/segments.repository.js';
import { PRODUCT_CATALOGUE } from './products.js';

/**
 * Ready-made segments for the demo company, as a 1C or Bitrix24 user would set them up: the
 * six product discount categories of seed 002 ("Сегмент1" … "Сегмент6", one top product group
 * each) and partner segments for birthdays, overdue debts, Perm, silence, turnover, VIPs,
 * churn, unhappy customers, lost deals and seed 002's cumulative discount table (first row).
 */
const productSegments = PRODUCT_CATALOGUE.map((top, i) => ({
  id: `segment${i + 1}`,
  kind: 'product',
  name: `Сегмент${i + 1}`,
  description: `Категория накопительной скидки: ${top.name}`,
  method: 'periodic',
  schedule: '0 2 * * *',
  rule: { attr: 'group', op: 'inHierarchy', value: top.id },
}));

const customer = { attr: 'roles', op: 'contains', value: 'customer' };
const notDeleted = { attr: 'deleted', op: 'eq', value: false };

/** Seed 002's table, first row: purchases of Сегмент1 over 24/20/16/12 months from 10/20/30/40 thousand. */
const cumulativeDiscount = [
  [24, 10_000],
  [20, 20_000],
  [16, 30_000],
  [12, 40_000],
].map(([months, amount]) => ({
  id: `segment1-${months}m-${amount! / 1000}k`,
  name: `Сегмент1: за ${months} мес. от ${amount!.toLocaleString('ru-RU')} руб.`,
  description: 'Накопительная скидка: одна схема, параметры — период, сегмент номенклатуры и сумма',
  method: 'periodic',
  schedule: '0 3 * * *',
  rule: {
    measure: 'sales.revenue',
    period: { last: { months: { param: 'months' } } },
    where: { productSegment: { param: 'productSegment' } },
    op: 'gt',
    value: { param: 'amount' },
  },
  parameters: { months, productSegment: 'segment1', amount },
}));

const partnerSegments = [
  {
    id: 'birthday-today',
    name: 'День рождения сегодня',
    description: 'Частные лица и ИП, у которых сегодня день рождения (29 февраля — 28-го в невисокосный год)',
    method: 'periodic',
    schedule: 'every 1200 seconds',
    checkOnCreate: true,
    rule: { all: [{ attr: 'legalForm', op: 'eq', value: 'person' }, notDeleted, { attr: 'birthDate', op: 'anniversaryWithin', value: 0 }] },
  },
  {
    id: 'overdue-receivables',
    name: 'Просроченная дебиторская задолженность',
    description: 'Партнёры с просроченным долгом — для запрета отгрузки',
    method: 'periodic',
    schedule: '0 * * * *',
    rule: { measure: 'settlements.overdueReceivable', op: 'gt', value: 0 },
  },
  {
    id: 'perm',
    name: 'Клиенты из Перми',
    description: 'Покупатели из Перми и её районов',
    method: 'dynamic',
    rule: { all: [customer, { attr: 'region', op: 'inHierarchy', value: 'perm' }] },
  },
  {
    id: 'silent-180-days',
    name: 'Нет взаимодействий 180 дней',
    description: 'Покупатели, с которыми полгода не было звонков, писем, встреч и опросов',
    method: 'dynamic',
    rule: { all: [customer, notDeleted, { measure: 'interactions.count', period: { last: { days: 180 } }, op: 'eq', value: 0 }] },
  },
  {
    id: 'quarter-turnover-10k',
    name: 'Оборот за квартал больше 10 000 руб.',
    method: 'periodic',
    schedule: '0 4 * * *',
    rule: { measure: 'sales.revenue', period: { current: 'quarter' }, op: 'gt', value: 10_000 },
  },
  {
    id: 'vip',
    name: 'VIP-клиенты',
    description: 'Ключевые клиенты и те, кто купил за год на миллион и больше',
    method: 'periodic',
    schedule: '0 4 * * *',
    rule: {
      all: [
        notDeleted,
        {
          any: [
            { attr: 'type', op: 'eq', value: 'key' },
            { measure: 'sales.revenue', period: { last: { years: 1 } }, op: 'gte', value: 1_000_000 },
          ],
        },
      ],
    },
  },
  {
    id: 'churned',
    name: 'Ушедшие клиенты',
    description: 'Покупали, но больше года ничего не покупают',
    method: 'dynamic',
    rule: { all: [customer, { measure: 'sales.daysSinceLast', op: 'gt', value: 365 }] },
  },
  {
    id: 'detractors',
    name: 'Недовольные клиенты',
    description: 'Средняя оценка в опросах за год 6 и ниже',
    method: 'dynamic',
    rule: { measure: 'interactions.averageScore', period: { last: { years: 1 } }, where: { type: 'survey' }, op: 'lte', value: 6 },
  },
  {
    id: 'lost-deals',
    name: 'Проигранные сделки за полгода',
    method: 'dynamic',
    rule: { measure: 'deals.lostCount', period: { last: { months: 6 } }, op: 'gte', value: 1 },
  },
  {
    id: 'wholesale',
    name: 'Оптовые покупатели',
    method: 'dynamic',
    rule: { attr: 'group', op: 'inHierarchy', value: 'wholesale' },
  },
  ...cumulativeDiscount,
];

export const DEMO_SEGMENTS: readonly Record<string, unknown>[] = [...productSegments, ...partnerSegments];

export interface DemoSegmentsResult {
  /** Segments created now (those that existed already are left as they are). */
  readonly created: readonly string[];
  /** Stored segments generated now. */
  readonly generated: readonly string[];
  readonly seconds: number;
}

/**
 * Creates the demo segments that do not exist yet and, with `generate` (default), builds the
 * compositions of the periodic ones, product segments first.
 */
export async function createDemoSegments(segments: SegmentService, options: { readonly generate?: boolean } = {}): Promise<DemoSegmentsResult> {
  const { db } = segments;
  const started = performance.now();
  const created: string[] = [];
  for (const definition of DEMO_SEGMENTS) {
    const input = segmentInputSchema.parse(definition);
    if (await findSegment(db, input.id)) continue;
    await segments.create(input);
    created.push(input.id);
  }
  const stored = DEMO_SEGMENTS.filter((s) => s.method === 'periodic' && created.includes(String(s.id))).map((s) => String(s.id));
  const generated = options.generate === false ? [] : (await rebuildInOrder(db, stored, 'demo')).map((r) => r.segmentId);
  return { created, generated, seconds: (performance.now() - started) / 1000 };
}
