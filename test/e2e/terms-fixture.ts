/**
 * What the sales-terms screens need beyond the browser tests' company (demo-server.ts): two
 * product segments — the discount categories of seed 002's table — and the classic segment
 * of a shipment ban, customers with overdue receivables. Added through the API, as a user
 * would; and the percents a cumulative table gives, worked out from the fixture's sales.
 */
import { apiCall, type ApiTarget } from './api.js';
import { addDays, makeSales, monthsBack, PRODUCT_GROUPS, PRODUCTS, TODAY, type SaleLine } from './demo-facts.js';
import { PARTNERS } from './demo-server.js';

/** Product segments: one product group each (with the groups below it), generated. */
export const PRODUCT_SEGMENTS = [
  { id: 'power-tools', name: 'Электроинструмент', group: 'tools' },
  { id: 'consumables', name: 'Расходные материалы', group: 'consumables' },
] as const;

/**
 * Customers with overdue receivables (docs/sales-terms.md, shipment bans). In the fixture
 * (demo-facts.ts) p001 and p008 owe money past its due date; p003's debt is not due yet.
 */
export const OVERDUE = { id: 'overdue', name: 'Просроченная дебиторская задолженность' } as const;

const call = apiCall;

/** Creates and generates the segments above on a running demo server. */
export async function seedTermsFixture(target: ApiTarget): Promise<void> {
  for (const s of PRODUCT_SEGMENTS) {
    await call(target, 'POST', '/segments', {
      id: s.id,
      kind: 'product',
      name: s.name,
      description: `Категория накопительной скидки: группа «${PRODUCT_GROUPS.find(([id]) => id === s.group)![1]}»`,
      method: 'periodic',
      schedule: '0 2 * * *',
      rule: { attr: 'group', op: 'inHierarchy', value: s.group },
    });
    await call(target, 'POST', `/segments/${s.id}/refresh`);
  }
  await call(target, 'POST', '/segments', {
    id: OVERDUE.id,
    name: OVERDUE.name,
    description: 'Партнёры с просроченным долгом — для запрета отгрузки',
    method: 'periodic',
    schedule: '0 * * * *',
    rule: { measure: 'settlements.overdueReceivable', op: 'gt', value: 0 },
  });
  await call(target, 'POST', `/segments/${OVERDUE.id}/refresh`);
  // Price types and a year of prices (issue 19): retail set by hand (the default), wholesale and
  // small wholesale computed from it; each product's retail price is its list price from a year
  // ago and 5 % more from the first of last month.
  await call(target, 'POST', '/price-types', { id: 'retail', name: 'Розничная', isDefault: true });
  await call(target, 'POST', '/price-types', { id: 'wholesale', name: 'Оптовая', baseTypeId: 'retail', markupPercent: -10, rounding: '1' });
  await call(target, 'POST', '/price-types', { id: 'small-wholesale', name: 'Мелкооптовая', baseTypeId: 'retail', markupPercent: -5, rounding: '0.99' });
  for (const product of PRODUCTS) {
    await call(target, 'PUT', '/prices', { priceTypeId: 'retail', productId: product.id, validFrom: PRICES_FROM, price: product.price });
    await call(target, 'PUT', '/prices', { priceTypeId: 'retail', productId: product.id, validFrom: PRICES_RAISED, price: retailPrice(product.price) });
  }
}

/** The fixture's retail prices: the list price from a year ago, 5 % more (to kopecks) from the first of last month. */
export const PRICES_FROM = addDays(TODAY, -365);
export const PRICES_RAISED = `${monthsBack(TODAY, 1).slice(0, 8)}01`;
export const retailPrice = (listPrice: number): number => Math.round(listPrice * 105) / 100;

/** A column of a cumulative table: purchases of the row's products from `threshold` over `months` (null: all time). */
export interface TableColumnSpec {
  measure: 'sales.revenue' | 'sales.documents';
  months: number | null;
  threshold: number;
}

const SALES: readonly SaleLine[] = makeSales(PARTNERS);

function groupOf(productId: string): string {
  return PRODUCTS.find((p) => p.id === productId)!.group;
}

/** Whether a product group is the given one or lies below it. */
function within(group: string, top: string): boolean {
  for (let g: string | null = group; g; g = PRODUCT_GROUPS.find(([id]) => id === g)![2]) if (g === top) return true;
  return false;
}

/** The partner's purchases of a product group (and below) by the measure, over the last `months` months up to today. */
export function purchases(partnerId: string, top: string, column: TableColumnSpec): number {
  // "The last N months" as the rule language reads it: from the day after the same date N months ago, to today.
  const from = column.months === null ? '0000-01-01' : addDays(monthsBack(TODAY, column.months), 1);
  const lines = SALES.filter((s) => s.partner === partnerId && s.date >= from && s.date <= TODAY && within(groupOf(s.product), top));
  return column.measure === 'sales.documents' ? new Set(lines.map((s) => s.document)).size : lines.reduce((sum, s) => sum + s.revenue, 0);
}

/**
 * The percent a cumulative table (combined "maximum", as by default) gives a line: among the
 * cells of the product's row whose threshold the partner reached, the largest; 0 when none.
 */
export function tablePercent(table: { columns: readonly TableColumnSpec[]; rows: readonly { group: string; percents: readonly number[] }[] }, partnerId: string, productId: string): number {
  const row = table.rows.find((r) => within(groupOf(productId), r.group));
  if (!row) return 0;
  const reached = table.columns.map((c, i) => (purchases(partnerId, row.group, c) >= c.threshold ? row.percents[i]! : null)).filter((p): p is number => p !== null);
  return reached.length ? Math.max(...reached) : 0;
}

/** The cumulative table of the tests and screenshots: first purchase, 50,000 over 12 months, 1,000,000 over 24 months. */
export const TOOLS_TABLE = {
  id: 'tools-cumulative',
  name: 'Накопительная скидка на инструмент',
  columns: [
    { label: 'После первой покупки', measure: 'sales.documents', months: null, threshold: 1 },
    { label: 'от 50 000 руб. за 12 месяцев', measure: 'sales.revenue', months: 12, threshold: 50_000 },
    { label: 'от 1 000 000 руб. за 24 месяца', measure: 'sales.revenue', months: 24, threshold: 1_000_000 },
  ] satisfies (TableColumnSpec & { label: string })[],
  rows: [
    { group: 'tools', productSegment: PRODUCT_SEGMENTS[0].id, percents: [1, 3, 5] },
    { group: 'consumables', productSegment: PRODUCT_SEGMENTS[1].id, percents: [2, 4, 6] },
  ],
};

/**
 * Sales terms a sales department would have set up, for the screenshots: agreements, discounts
 * (one adding to the table's, one for large orders, a birthday one in a campaign), the table,
 * a shipment ban for debtors and manual discount limits.
 */
export async function seedTermsShowcase(target: ApiTarget): Promise<void> {
  const year = TODAY.slice(0, 4);
  await call(target, 'POST', '/campaigns', { id: `birthdays-${year}`, name: `Дни рождения ${year}`, startsOn: `${year}-01-01`, endsOn: `${year}-12-31`, description: 'Скидка именинникам' });
  await call(target, 'POST', '/agreements', { id: 'wholesale', name: 'Оптовое', segmentId: 'tools-key', priceType: 'wholesale', discountPercent: 4 });
  await call(target, 'POST', '/agreements', { id: 'vip', name: 'Ключевые клиенты', segmentId: 'vip', priceType: 'wholesale', discountPercent: 6, validFrom: `${year}-01-01` });
  await call(target, 'POST', '/agreements', { id: 'retail', name: 'Розничное', segmentId: null, priceType: 'retail', discountPercent: 0 });
  await call(target, 'POST', '/agreements', {
    id: 'big-buyers',
    name: 'Крупным покупателям',
    segmentId: 'big-buyers',
    priceType: 'small-wholesale',
    discountPercent: 2,
    validTo: addDays(TODAY, -30),
    active: true,
  });
  await call(target, 'POST', '/discounts', { id: 'vip-plus-1', name: 'VIP: +1 %', percent: 1, combine: 'sum', conditions: [{ kind: 'partnerInSegment', segment: 'vip' }] });
  await call(target, 'POST', '/discounts', { id: 'big-order', name: 'Заказ от 100 000', percent: 2, combine: 'sum', conditions: [{ kind: 'orderAmount', min: 100_000 }] });
  await call(target, 'POST', '/discounts', {
    id: 'birthday',
    name: 'День рождения',
    percent: 7,
    combine: 'exclusive',
    priority: 10,
    campaignId: `birthdays-${year}`,
    conditions: [{ kind: 'birthday', withinDays: 0 }],
  });
  await call(target, 'POST', '/discounts', {
    id: 'discs-markup',
    name: 'Наценка на расходные материалы',
    percent: -3,
    combine: 'max',
    conditions: [{ kind: 'productInSegment', segment: PRODUCT_SEGMENTS[1].id }],
  });
  await call(target, 'POST', '/discount-tables', { ...TOOLS_TABLE, rows: TOOLS_TABLE.rows.map(({ productSegment, percents }) => ({ productSegment, percents })) });
  await call(target, 'POST', '/shipment-bans', { id: 'debtors', name: 'Стоп по долгам', segmentId: OVERDUE.id, reason: 'просроченная дебиторская задолженность' });
  await call(target, 'POST', '/manual-discount-limits', { id: 'vip-10', name: 'VIP — до 10 %', segmentId: 'vip', maxPercent: 10 });
  await call(target, 'POST', '/manual-discount-limits', { id: 'default-3', name: 'Остальным — до 3 %', segmentId: null, maxPercent: 3 });
}
