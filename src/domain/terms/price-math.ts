import type { PriceRounding, PriceSource, PriceType } from './prices.schema.js';

/**
 * The price of a product in a price type on a date — pure, so the in-process copy and the
 * one-query path compute it the same way (docs/sales-terms.md#prices):
 *
 * - a type set by hand: its latest row on or before the date;
 * - a derived type: its base type's price on the date (converted when one includes VAT and the
 *   other does not, at the derived type's VAT rate), plus the markup, rounded by its rule.
 */

/** What pricing reads of the prices history. */
export interface PriceBook {
  /** The latest row of this type and product on or before the date, or null. */
  latest(priceTypeId: string, productId: string, date: string): PriceSource | null;
}

export interface ResolvedPrice {
  readonly price: number;
  /** The row used (of the set-by-hand type at the root of a derived one). */
  readonly row: PriceSource;
}

/** Money to whole kopecks/cents, half away from zero, rounding what was written (1.005 → 101). */
export function toCents(value: number): number {
  const sign = value < 0 ? -1 : 1;
  const text = String(Math.abs(value));
  const scaled = text.includes('e') ? Math.abs(value) * 100 : Number(`${text}e2`);
  return sign * Math.round(scaled) || 0;
}

/** Applies a rounding rule to an amount in cents (non-negative). */
export function roundCents(cents: number, rounding: PriceRounding | null): number {
  switch (rounding) {
    case null:
    case '0.01':
      return cents;
    case '0.99':
      return Math.ceil((cents + 1) / 100) * 100 - 1;
    case '9.99':
      return Math.ceil((cents + 1) / 1000) * 1000 - 1;
    default: {
      const step = toCents(Number(rounding));
      return Math.round(cents / step) * step;
    }
  }
}

/** A base price turned into a derived type's: VAT basis, markup, rounding. */
export function derivePrice(base: number, baseType: Pick<PriceType, 'vatIncluded'>, type: Pick<PriceType, 'vatIncluded' | 'vatRate' | 'markupPercent' | 'rounding'>): number {
  let value = base;
  if (baseType.vatIncluded && !type.vatIncluded) value = (value * 100) / (100 + type.vatRate);
  else if (!baseType.vatIncluded && type.vatIncluded) value = (value * (100 + type.vatRate)) / 100;
  value = (value * (100 + (type.markupPercent ?? 0))) / 100;
  return roundCents(toCents(value), type.rounding) / 100;
}

/** Most derivation steps followed (types refuse cycles on save; this bounds a corrupt chain). */
const MAX_DEPTH = 32;

/** The price of a product in a type on a date, or null when there is none. */
export function resolvePrice(types: ReadonlyMap<string, PriceType>, book: PriceBook, priceTypeId: string, productId: string, date: string): ResolvedPrice | null {
  const chain: PriceType[] = [];
  let type = types.get(priceTypeId);
  while (type && type.baseTypeId !== null && chain.length < MAX_DEPTH) {
    chain.push(type);
    type = types.get(type.baseTypeId);
  }
  if (!type || type.baseTypeId !== null) return null;
  const row = book.latest(type.id, productId, date);
  if (!row) return null;
  let price = row.price;
  let base: PriceType = type;
  for (let i = chain.length - 1; i >= 0; i--) {
    price = derivePrice(price, base, chain[i]!);
    base = chain[i]!;
  }
  return { price, row };
}

/** The set-by-hand type a type's prices come from (itself when set by hand); undefined when the chain is broken. */
export function rootTypeOf(types: ReadonlyMap<string, PriceType>, priceTypeId: string): string | undefined {
  let type = types.get(priceTypeId);
  for (let i = 0; type && type.baseTypeId !== null && i < MAX_DEPTH; i++) type = types.get(type.baseTypeId);
  return type && type.baseTypeId === null ? type.id : undefined;
}

/**
 * A price book over rows held in memory: per type and product, dates ascending with their
 * prices; the latest on or before a date by binary search.
 */
export class MemoryPriceBook implements PriceBook {
  private readonly byType = new Map<string, Map<string, { dates: string[]; prices: number[] }>>();

  add(priceTypeId: string, productId: string, validFrom: string, price: number): void {
    let products = this.byType.get(priceTypeId);
    if (!products) this.byType.set(priceTypeId, (products = new Map()));
    let history = products.get(productId);
    if (!history) products.set(productId, (history = { dates: [], prices: [] }));
    const { dates, prices } = history;
    // Rows come sorted by date; an out-of-order one is put in its place.
    let i = dates.length;
    while (i > 0 && dates[i - 1]! > validFrom) i--;
    if (i > 0 && dates[i - 1] === validFrom) prices[i - 1] = price;
    else {
      dates.splice(i, 0, validFrom);
      prices.splice(i, 0, price);
    }
  }

  latest(priceTypeId: string, productId: string, date: string): PriceSource | null {
    const history = this.byType.get(priceTypeId)?.get(productId);
    if (!history) return null;
    const { dates, prices } = history;
    let lo = 0;
    let hi = dates.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (dates[mid]! <= date) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? null : { priceTypeId, validFrom: dates[lo - 1]!, price: prices[lo - 1]! };
  }

  /** The earliest date of a product's prices in a type (for "the first price is from …"). */
  first(priceTypeId: string, productId: string): string | null {
    return this.byType.get(priceTypeId)?.get(productId)?.dates[0] ?? null;
  }

  get rows(): number {
    let n = 0;
    for (const products of this.byType.values()) for (const h of products.values()) n += h.dates.length;
    return n;
  }
}
