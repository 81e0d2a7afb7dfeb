import { SalesCalendar, dayNumber, todayUtc } from './calendar.js';
import { buildManagers, type DemoManagers } from './managers.js';
import { buildProducts, productCount, type ProductCatalogue } from './products.js';
import { digits } from './sql-text.js';

export interface DemoOptions {
  /** Same seed, same company (default 1). */
  readonly seed?: number;
  /** Number of partners (default 5,000). */
  readonly partners?: number;
  /** Number of sale lines (default 20 per partner). */
  readonly sales?: number;
  /** The last day of the history, YYYY-MM-DD (default today, UTC). */
  readonly today?: string;
}

export const DEFAULT_DEMO_PARTNERS = 5_000;
export const SALES_PER_PARTNER = 20;

/** Everything the generators share: sizes, id widths, the calendar and the small directories. */
export interface DemoPlan {
  readonly seed: number;
  readonly partners: number;
  readonly sales: number;
  readonly today: number;
  readonly calendar: SalesCalendar;
  readonly managers: DemoManagers;
  readonly catalogue: ProductCatalogue;
  /** Digits in ids (lpad cuts longer numbers, so they fit the largest). */
  readonly widths: { readonly partner: number; readonly product: number; readonly fact: number };
  /** How many of each fact to aim for, besides sale lines. */
  readonly targets: { readonly interactions: number; readonly deals: number };
}

export function planDemo(options: DemoOptions = {}): DemoPlan {
  const seed = options.seed ?? 1;
  const partners = options.partners ?? DEFAULT_DEMO_PARTNERS;
  const sales = options.sales ?? partners * SALES_PER_PARTNER;
  if (!Number.isInteger(seed)) throw new Error(`the demo seed must be a whole number, got ${seed}`);
  if (!Number.isInteger(partners) || partners < 1) throw new Error(`the demo needs at least one partner, got ${partners}`);
  if (!Number.isInteger(sales) || sales < 0) throw new Error(`the number of sale lines must be a whole number ≥ 0, got ${sales}`);
  const today = dayNumber(options.today ?? todayUtc());
  if (Number.isNaN(today)) throw new Error(`not a date: ${options.today}`);
  const products = productCount(partners);
  return {
    seed,
    partners,
    sales,
    today,
    calendar: new SalesCalendar(today),
    managers: buildManagers(seed, partners),
    catalogue: buildProducts(seed, products, Math.max(5, digits(products))),
    widths: {
      partner: Math.max(6, digits(partners)),
      product: Math.max(5, digits(products)),
      // Facts of every kind stay below sale lines plus a few dozen per partner.
      fact: Math.max(8, digits(sales + partners * 60)),
    },
    targets: {
      interactions: Math.round(sales * 0.15),
      deals: Math.round(Math.max(sales * 0.03, partners * 0.2)),
    },
  };
}
