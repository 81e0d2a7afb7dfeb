/** The price arithmetic of derived price types, worked out by hand (src/domain/terms/price-math.ts). */
import { describe, expect, it } from 'vitest';
import { derivePrice, MemoryPriceBook, resolvePrice, roundCents } from '../src/domain/terms/price-math.js';
import type { PriceType } from '../src/domain/terms/prices.schema.js';

const type = (id: string, extra: Partial<PriceType> = {}): PriceType => ({
  id,
  name: id,
  description: null,
  currency: 'RUB',
  vatIncluded: true,
  vatRate: 20,
  baseTypeId: null,
  markupPercent: null,
  rounding: null,
  isDefault: false,
  createdAt: '',
  updatedAt: '',
  ...extra,
});

describe('price arithmetic', () => {
  it('rounds to a step (nearest, half up) or up to .99 / 9.99', () => {
    expect(roundCents(12350, '1')).toBe(12400); // 123.50 → 124
    expect(roundCents(12349, '1')).toBe(12300);
    expect(roundCents(12500, '10')).toBe(13000); // 125 → 130
    expect(roundCents(12340, '0.99')).toBe(12399); // 123.40 → 123.99
    expect(roundCents(12399, '0.99')).toBe(12399); // already .99
    expect(roundCents(12400, '0.99')).toBe(12499); // 124.00 → 124.99
    expect(roundCents(12340, '9.99')).toBe(12999); // 123.40 → 129.99
    expect(roundCents(12345, '0.1')).toBe(12350);
    expect(roundCents(12345, null)).toBe(12345);
  });

  it('derives: VAT basis, markup, rounding', () => {
    // 1,000 with VAT − 10 % → 900.
    expect(derivePrice(1000, { vatIncluded: true }, { vatIncluded: true, vatRate: 20, markupPercent: -10, rounding: '10' })).toBe(900);
    // 700 without VAT → 840 with 20 % → +15 % = 966 → 966.99.
    expect(derivePrice(700, { vatIncluded: false }, { vatIncluded: true, vatRate: 20, markupPercent: 15, rounding: '0.99' })).toBe(966.99);
    // 1,200 with VAT → 1,000 without → +5 % = 1,050.
    expect(derivePrice(1200, { vatIncluded: true }, { vatIncluded: false, vatRate: 20, markupPercent: 5, rounding: '1' })).toBe(1050);
    // 33.33 + 1 % = 33.6633 → 33.66 (to kopecks).
    expect(derivePrice(33.33, { vatIncluded: true }, { vatIncluded: true, vatRate: 20, markupPercent: 1, rounding: '0.01' })).toBe(33.66);
  });

  it('follows a chain of derived types to the set-by-hand one, on the date', () => {
    const types = new Map([
      ['base', type('base')],
      ['opt', type('opt', { baseTypeId: 'base', markupPercent: -10, rounding: '1' })],
      ['deal', type('deal', { baseTypeId: 'opt', markupPercent: -10, rounding: '1' })],
    ]);
    const book = new MemoryPriceBook();
    book.add('base', 'g', '2025-01-01', 1000);
    book.add('base', 'g', '2025-03-01', 2000);
    book.add('base', 'g', '2025-02-01', 1500); // out of order: put in its place
    expect(resolvePrice(types, book, 'deal', 'g', '2025-02-28')).toEqual({ price: 1215, row: { priceTypeId: 'base', validFrom: '2025-02-01', price: 1500 } });
    expect(resolvePrice(types, book, 'deal', 'g', '2025-03-01')!.price).toBe(1620);
    expect(resolvePrice(types, book, 'deal', 'g', '2024-12-31')).toBeNull();
    expect(resolvePrice(types, book, 'missing', 'g', '2025-03-01')).toBeNull();
    expect(book.rows).toBe(3);
  });
});
