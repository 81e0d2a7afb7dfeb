/**
 * The in-process copy of the order facts holds the prices history (issue 19): orders priced
 * from it — lines without a price on random dates, under random agreements, in set-by-hand and
 * derived types — agree with the one-query path exactly, answers and refusals alike (fast-check).
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PARTNERS } from '../src/domain/access/principal.js';
import { keepOrderFactsInMemory, type OrderFactsCache } from '../src/domain/terms/order-facts-cache.js';
import { orderFacts, readOrderFacts } from '../src/domain/terms/order-facts.js';
import { priceWithFacts } from '../src/domain/terms/order-pricing.js';
import type { Order } from '../src/domain/terms/order.schema.js';
import { termsSnapshot } from '../src/domain/terms/terms-snapshot.js';
import { AppError } from '../src/errors/app-error.js';
import { addDays } from '../src/rules/calendar.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { buildTestApp } from './support/test-app.js';
import { importJson, loadTermsCompany, PARTNERS, PRODUCTS, send, TODAY } from './terms-fixture.js';

/** An answer or a refusal, comparable. */
const outcome = (run: () => unknown): unknown => {
  try {
    return { ok: run() };
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, details: error.details };
    throw error;
  }
};

describe.each(ENGINES.filter((e) => e.name !== 'postgres'))('prices from the order facts copy on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  let cache: OrderFactsCache;
  const ok = async (method: 'POST' | 'PUT', url: string, body: unknown, status = method === 'POST' ? 201 : 200) => {
    const res = await send(app, method, url, body);
    expect(res.statusCode, res.body).toBe(status);
  };

  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    await loadTermsCompany(app);
    await ok('POST', '/api/price-types', { id: 'retail', name: 'Розничная', isDefault: true });
    await ok('POST', '/api/price-types', { id: 'purchase', name: 'Закупочная', vatIncluded: false, vatRate: 10 });
    await ok('POST', '/api/price-types', { id: 'opt', name: 'Оптовая', baseTypeId: 'retail', markupPercent: -7, rounding: '0.99' });
    await ok('POST', '/api/price-types', { id: 'dealer', name: 'Дилерская', baseTypeId: 'opt', markupPercent: 3.5, rounding: '10', vatIncluded: false });
    await ok('POST', '/api/price-types', { id: 'resale', name: 'Перепродажа', baseTypeId: 'purchase', markupPercent: 40, rounding: '1' });
    await ok('POST', '/api/segments', { id: 'vip', name: 'VIP', method: 'manual' });
    await ok('POST', '/api/segments/vip/members', { ids: ['gamma', 'beta'] }, 200);
    await ok('POST', '/api/agreements', { id: 'vip-terms', name: 'VIP', segmentId: 'vip', priceType: 'dealer', discountPercent: 1, priority: 2 });
    await ok('POST', '/api/agreements', { id: 'opt-terms', name: 'Опт', priceType: 'opt', validFrom: addDays(TODAY, -100) });
    await ok('POST', '/api/agreements', { id: 'resale-terms', name: 'Перепродажа', priceType: 'resale', validTo: addDays(TODAY, -50) });
    // Prices of g1…g7 in the two set-by-hand types, from 400 days ago, changing on random days (g8 has none).
    const rows: object[] = [];
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const type of ['retail', 'purchase']) {
      for (const product of PRODUCTS.slice(0, 7)) {
        for (let day = -400; day < 30; day += 1 + Math.floor(next() * 40))
          rows.push({ priceType: type, product: product.id, validFrom: addDays(TODAY, day), price: Math.round(100 + next() * 100_000) / 100 });
      }
    }
    await importJson(app, 'prices', rows);
    cache = keepOrderFactsInMemory(db)!;
    expect(await cache.ready()).toBe(true);
    expect(cache.stats().prices).toBe(rows.length);
  });
  afterAll(async () => {
    await cache?.stop();
    await app.close();
    await db.close();
  });

  it('agrees with the one-query path on random orders', async () => {
    const line = fc.record(
      {
        productId: fc.constantFrom(...PRODUCTS.map((p) => p.id)),
        quantity: fc.integer({ min: 1, max: 20 }),
        price: fc.option(
          fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100),
          { nil: undefined },
        ),
      },
      { requiredKeys: ['productId', 'quantity'] },
    );
    const order = fc.record(
      {
        partnerId: fc.constantFrom(...PARTNERS.map((p) => p.id)),
        date: fc.integer({ min: -420, max: 40 }).map((d) => addDays(TODAY, d)),
        agreementId: fc.option(fc.constantFrom('vip-terms', 'opt-terms', 'resale-terms'), { nil: undefined }),
        manualDiscount: fc.option(fc.constantFrom(0, 2.5, 5), { nil: undefined }),
        lines: fc.array(line, { minLength: 1, maxLength: 6 }),
      },
      { requiredKeys: ['partnerId', 'date', 'lines'] },
    );
    let priced = 0;
    await fc.assert(
      fc.asyncProperty(order, async (o) => {
        const request = JSON.parse(JSON.stringify(o)) as Order;
        const products = request.lines.map((l) => l.productId);
        const raw = await readOrderFacts(db, ALL_PARTNERS, request.partnerId, products, request.date!);
        const snapshot = await termsSnapshot(db, raw.revision);
        const oneQuery = outcome(() => priceWithFacts(snapshot, request, orderFacts(raw, snapshot.segments)));
        const copy = cache.lookup(ALL_PARTNERS, request.partnerId, products);
        expect(copy).not.toBeNull();
        const fromCopy = outcome(() => priceWithFacts(copy!.snapshot, request, copy!.facts));
        expect(fromCopy).toEqual(oneQuery);
        if ((oneQuery as { ok?: unknown }).ok) priced++;
      }),
      { numRuns: 150, seed: 19 },
    );
    // Both answers and refusals were met (no price before the first row, no price for g8).
    expect(priced).toBeGreaterThan(20);
    expect(priced).toBeLessThan(150);
  });
});
