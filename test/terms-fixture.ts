/**
 * A small trading company for the sales-terms tests, loaded through the import API, with dates
 * relative to today (periodic segments are generated as of today). Every figure the tests
 * expect is worked out by hand from these rows.
 */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { addDays, addMonths, todayIso } from '../src/rules/calendar.js';

export const TODAY = todayIso();
export const monthsAgo = (n: number): string => addMonths(TODAY, -n);
export const daysAgo = (n: number): string => addDays(TODAY, -n);
/** A birth date whose anniversary is today (February 29 stays February 29: it is matched on the 28th in common years). */
export const BIRTHDAY_TODAY = `1990-${TODAY.slice(5)}` === '1990-02-29' ? '1992-02-29' : `1990-${TODAY.slice(5)}`;

export const PARTNERS = [
  { id: 'alpha', name: 'ООО Альфа', roles: ['customer'], legalForm: 'company' },
  { id: 'beta', name: 'Бетова Анна', roles: ['customer'], legalForm: 'person', birthDate: BIRTHDAY_TODAY },
  { id: 'gamma', name: 'ООО Гамма (должник)', roles: ['customer'], legalForm: 'company' },
  { id: 'delta', name: 'ИП Дельтов', roles: ['customer'], legalForm: 'person', birthDate: '1985-01-01', deleted: true },
];

/** g1…g6: one per product segment 1…6; g7 in none; g8 in segments 1 and 3. */
export const PRODUCTS = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ id: `g${n}`, name: `Товар ${n}` }));

export const PRODUCT_SEGMENTS: readonly { id: string; name: string; products: string[] }[] = [
  { id: 'segment1', name: 'Сегмент1', products: ['g1', 'g8'] },
  { id: 'segment2', name: 'Сегмент2', products: ['g2'] },
  { id: 'segment3', name: 'Сегмент3', products: ['g3', 'g8'] },
  { id: 'segment4', name: 'Сегмент4', products: ['g4'] },
  { id: 'segment5', name: 'Сегмент5', products: ['g5'] },
  { id: 'segment6', name: 'Сегмент6', products: ['g6'] },
];

const sale = (id: string, date: string, partner: string, product: string, quantity: number, revenue: number) => ({
  id,
  document: `D-${id}`,
  date,
  partner,
  product,
  quantity,
  revenue,
  cost: Math.round(revenue * 0.6),
});

/**
 * alpha's purchases by product segment (24 / 20 / 16 / 12 months):
 * segment1 12,000 five months ago (12k everywhere); segment2 25,000 18 months ago + 20,000 two
 * months ago (45k / 45k / 20k / 20k); segment3 500 thirty months ago (only "after the first
 * purchase"); segment4 exactly 10,000 22 months ago (10k / 0 / 0 / 0); segment5 41,000 a month
 * ago; segment6 15,000 three months ago less a 6,000 return two months ago (9k).
 */
export const SALES = [
  sale('a1', monthsAgo(5), 'alpha', 'g1', 12, 12000),
  sale('a2', monthsAgo(18), 'alpha', 'g2', 25, 25000),
  sale('a3', monthsAgo(2), 'alpha', 'g2', 20, 20000),
  sale('a4', monthsAgo(30), 'alpha', 'g3', 1, 500),
  sale('a5', monthsAgo(22), 'alpha', 'g4', 10, 10000),
  sale('a6', monthsAgo(1), 'alpha', 'g5', 41, 41000),
  sale('a7', monthsAgo(3), 'alpha', 'g6', 15, 15000),
  sale('a8', monthsAgo(2), 'alpha', 'g6', -6, -6000),
  sale('g1', monthsAgo(4), 'gamma', 'g7', 5, 5000),
];

/** gamma owes 5,000 due 30 days ago (overdue); alpha owes 1,000 due in 10 days (not overdue). */
export const SETTLEMENTS = [
  { id: 's1', partner: 'gamma', date: daysAgo(60), amount: 5000, dueDate: daysAgo(30) },
  { id: 's2', partner: 'alpha', date: daysAgo(5), amount: 1000, dueDate: addDays(TODAY, 10) },
];

export async function importJson(app: FastifyInstance, entity: string, rows: readonly object[]): Promise<void> {
  const res = await app.inject({ method: 'POST', url: `/api/import/${entity}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(rows) });
  expect(res.statusCode, res.body).toBe(200);
}

export async function send(app: FastifyInstance, method: 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'GET', url: string, payload?: unknown) {
  return app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** Partners, products, sales and settlements through the import API; the six product segments (manual) through the segments API. */
export async function loadTermsCompany(app: FastifyInstance): Promise<void> {
  await importJson(app, 'partners', PARTNERS);
  await importJson(app, 'products', PRODUCTS);
  await importJson(app, 'sales', SALES);
  await importJson(app, 'settlements', SETTLEMENTS);
  for (const segment of PRODUCT_SEGMENTS) {
    const created = await send(app, 'POST', '/api/segments', { id: segment.id, kind: 'product', name: segment.name, method: 'manual' });
    expect(created.statusCode, created.body).toBe(201);
    const added = await send(app, 'POST', `/api/segments/${segment.id}/members`, { ids: segment.products });
    expect(added.statusCode, added.body).toBe(200);
  }
}

/** Seed 002's table, as the article's author would save it from a spreadsheet. */
export const SEED_002_CSV = [
  'Сегмент номенклатуры;После первой покупки;от 10000 руб. за 24 месяца;от 20000 руб. за 20 месяцев;от 30000 руб. за 16 месяцев;от 40000 руб. за 12 месяцев',
  'Сегмент1;1;1,5;2;2,5;3',
  'Сегмент2;1,5;2;2,5;3;3,5',
  'Сегмент3;2;2,5;3;3,5;4',
  'Сегмент4;2,5;3;3,5;4;4,5',
  'Сегмент5;3;3,5;4;4,5;5',
  'Сегмент6;3,5;4;4,5;5;5,5',
].join('\r\n');
