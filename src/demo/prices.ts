import type { Queryable } from '../sql/queryable.js';
import { sql } from '../sql/sql.js';
import { dayText, monthAndDay, dayOf } from './calendar.js';
import type { DemoPlan } from './demo-plan.js';

/**
 * The demo's price types and prices (docs/sales-terms.md#prices), so the order try-out prices
 * lines out of the box: a retail type set by hand (the default, VAT included) with a price per
 * product from the first of each of the last 24 months, creeping up to the list price; a
 * purchase type without VAT changing every quarter; and three types derived from them —
 * wholesale (retail −10 %, to 1 rouble), small wholesale (retail −5 %, to .99) and dealer
 * (purchase +25 %, VAT included, to 10 roubles).
 */
export const DEMO_PRICE_TYPES = [
  { id: 'retail', name: 'Розничная', vatIncluded: true, baseTypeId: null, markupPercent: null, rounding: null, isDefault: true },
  { id: 'purchase', name: 'Закупочная', vatIncluded: false, baseTypeId: null, markupPercent: null, rounding: null, isDefault: false },
  { id: 'wholesale', name: 'Оптовая', vatIncluded: true, baseTypeId: 'retail', markupPercent: -10, rounding: '1', isDefault: false },
  { id: 'small-wholesale', name: 'Мелкооптовая', vatIncluded: true, baseTypeId: 'retail', markupPercent: -5, rounding: '0.99', isDefault: false },
  { id: 'dealer', name: 'Дилерская', vatIncluded: true, baseTypeId: 'purchase', markupPercent: 25, rounding: '10', isDefault: false },
] as const;

const MONTHS = 24;

/** Price types the database lacks are added (an operator's own are kept); the prices are new rows. */
export async function loadDemoPrices(db: Queryable, plan: DemoPlan): Promise<number> {
  const existing = new Set((await db.query<{ id: string }>('SELECT id FROM price_types')).map((r) => r.id));
  const anyDefault = (await db.query('SELECT id FROM price_types WHERE is_default = TRUE')).length > 0;
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
  for (const t of DEMO_PRICE_TYPES) {
    if (existing.has(t.id)) continue;
    await db.run(
      sql`INSERT INTO price_types (id, name, description, currency, vat_included, vat_rate, base_type_id, markup_percent, rounding, is_default, created_at, updated_at)
          VALUES (${t.id}, ${t.name}, ${'Демо'}, ${'RUB'}, ${t.vatIncluded}, ${sql.raw('20')}, ${t.baseTypeId}, ${sql.hook((p) => db.dialect.cast(p, 'decimal'), t.markupPercent)}, ${t.rounding}, ${t.isDefault && !anyDefault}, CAST(${now} AS TIMESTAMP), CAST(${now} AS TIMESTAMP))`,
    );
  }
  await db.run('UPDATE terms_revision SET revision = revision + 1 WHERE id = 1');
  const { year, month } = monthAndDay(plan.today);
  const firstOfMonth = (back: number): string => {
    const m = year * 12 + (month - 1) - back;
    return dayText(dayOf(Math.floor(m / 12), (m % 12) + 1, 1));
  };
  const rows: (string | null)[][] = [];
  const add = (type: string, product: string, from: string, kopecks: number) => rows.push([`${type}|${product}|${from}`, type, product, from, (Math.round(kopecks) / 100).toFixed(2)]);
  for (const [i, p] of plan.catalogue.products.entries()) {
    // Up about 0.8 % a month (products differ a little), to the list price this month.
    const monthly = 0.006 + ((i * 7919) % 50) / 10_000;
    for (let back = MONTHS - 1; back >= 0; back--) add('retail', p.id, firstOfMonth(back), p.price / Math.pow(1 + monthly, back));
    // Purchase (without VAT): the cost share of the list price, each quarter.
    for (let back = MONTHS - 1; back >= 0; back -= 3) add('purchase', p.id, firstOfMonth(back), (p.price * p.costShare) / 1.2 / Math.pow(1 + monthly, back));
  }
  for (let i = 0; i < rows.length; i += 50_000) await db.appendRows('prices', ['id', 'price_type_id', 'product_id', 'valid_from', 'price'], rows.slice(i, i + 50_000));
  return rows.length;
}
