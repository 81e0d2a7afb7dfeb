/**
 * Orders priced from the in-process copy of the order facts (order-facts-cache.ts): the same
 * answers as the one-query path, the copy really answering, and any write — a term, a
 * membership, a partner — seen by the very next order.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import { keepOrderFactsInMemory, type OrderFactsCache } from '../src/domain/terms/order-facts-cache.js';
import { addDays } from '../src/rules/calendar.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { BIRTHDAY_TODAY, daysAgo, importJson, loadTermsCompany, PARTNERS, PRODUCTS, SEED_002_CSV, send, TODAY } from './terms-fixture.js';

/** A small seeded generator: the same orders on every engine and run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(ENGINES)('order facts kept in memory on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  let cache: OrderFactsCache | null;
  const post = async (url: string, body: unknown, status = 200) => {
    const res = await send(app, 'POST', url, body);
    expect(res.statusCode, res.body).toBe(status);
    return res.json();
  };
  const lineOf = (productId: string) => ({ productId, quantity: 2, price: 1000 });
  /** Reads the copy afresh where there is one (PostgreSQL keeps none: every order is one query). */
  const readCopy = async () => {
    if (cache) expect(await cache.ready()).toBe(true);
  };
  /** How many orders the copy answered while `work` ran (0 where there is no copy). */
  const fromCopy = async (work: () => Promise<void>): Promise<number> => {
    const before = cache?.stats().hits ?? 0;
    await work();
    return (cache?.stats().hits ?? 0) - before;
  };
  const copied = (n: number) => (cache ? n : 0);
  const percents = async (partnerId: string, products: string[]) =>
    (await post('/api/orders/price', { partnerId, lines: products.map(lineOf) })).lines.map((l: { discountPercent: number }) => l.discountPercent);

  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    await loadTermsCompany(app);
    const table = await app.inject({ method: 'PUT', url: '/api/discount-tables/seed002/csv?name=seed002', headers: { 'content-type': 'text/csv; charset=utf-8' }, payload: SEED_002_CSV });
    expect(table.statusCode, table.body).toBe(200);
    await post('/api/campaigns', { id: 'birthdays', name: 'Дни рождения', startsOn: daysAgo(3), endsOn: addDays(TODAY, 3) }, 201);
    await post('/api/discounts', { id: 'birthday-5', name: 'С днём рождения', percent: 5, combine: 'sum', conditions: [{ kind: 'birthday' }], campaignId: 'birthdays' }, 201);
    await post('/api/discounts', { id: 'big-order', name: 'Крупный заказ', percent: 2, combine: 'sum', conditions: [{ kind: 'orderAmount', min: 5000 }] }, 201);
    await post('/api/segments', { id: 'vip', name: 'VIP', method: 'manual' }, 201);
    await post('/api/segments/vip/members', { ids: ['gamma'] });
    await post('/api/discounts', { id: 'vip-10', name: 'VIP 10%', percent: 10, combine: 'max', conditions: [{ kind: 'partnerInSegment', segment: 'vip' }] }, 201);
    await post('/api/shipment-bans', { id: 'no-vip', name: 'Стоп VIP', segmentId: 'vip' }, 201);
    await post('/api/manual-discount-limits', { id: 'vip-limit', name: 'VIP до 7%', segmentId: 'vip', maxPercent: 7 }, 201);
    await post('/api/agreements', { id: 'vip-terms', name: 'Соглашение VIP', segmentId: 'vip', discountPercent: 1 }, 201);
  });
  afterAll(async () => {
    await cache?.stop();
    await app.close();
    await db.close();
  });

  it('is kept only where this process alone writes (DuckDB, PGlite), not on a PostgreSQL server', () => {
    cache = keepOrderFactsInMemory(db);
    expect(cache === null).toBe(engine.name === 'postgres');
  });

  it('prices, checks and lists agreements exactly as the one-query path, from memory', async () => {
    const rnd = random(11);
    const partners = PARTNERS.map((p) => p.id);
    const products = PRODUCTS.map((p) => p.id);
    const requests = Array.from({ length: 40 }, (_, i) => ({
      partnerId: partners[Math.floor(rnd() * partners.length)]!,
      ...(i % 3 === 0 ? { manualDiscount: 5 } : {}),
      ...(i % 4 === 0 ? { agreementId: 'vip-terms' } : {}),
      lines: Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => ({
        productId: products[Math.floor(rnd() * products.length)]!,
        quantity: 1 + Math.floor(rnd() * 5),
        price: 500 + Math.floor(rnd() * 2000),
      })),
    }));
    const answers = async () =>
      Promise.all(
        requests.map(async (body) => [
          (await send(app, 'POST', '/api/orders/price', body)).body,
          (await send(app, 'POST', '/api/orders/check', body)).body,
          (await send(app, 'GET', `/api/partners/${body.partnerId}/agreements`)).body,
        ]),
      );
    // Before the copy exists: the one-query path.
    const expected = await answers();
    expect(expected.flat().some((body) => body.includes('"discountPercent":1'))).toBe(true);
    await readCopy();
    if (cache) expect(cache.stats()).toMatchObject({ partners: PARTNERS.length, memberships: expect.any(Number) });
    const misses = cache?.stats().misses ?? 0;
    // Every one of the 120 requests was answered from memory, with the same answers.
    expect(await fromCopy(async () => expect(await answers()).toEqual(expected))).toBe(copied(120));
    expect(cache?.stats().misses ?? 0).toBe(misses);
  });

  it('sees a changed term, a new member, a new partner and a deletion mark on the very next order', async () => {
    await readCopy();
    expect(await percents('gamma', ['g7'])).toEqual([10]);
    // A term changed.
    expect((await send(app, 'PATCH', '/api/discounts/vip-10', { percent: 12 })).statusCode).toBe(200);
    expect(await percents('gamma', ['g7'])).toEqual([12]);
    // A partner added to a segment the terms use.
    expect(await percents('alpha', ['g7'])).toEqual([0]);
    await post('/api/segments/vip/members', { ids: ['alpha'] });
    expect(await percents('alpha', ['g7'])).toEqual([12]);
    // A new partner, and a partner marked for deletion.
    await importJson(app, 'partners', [{ id: 'epsilon', name: 'ООО Эпсилон', roles: ['customer'], legalForm: 'company' }]);
    expect(await percents('epsilon', ['g7', 'g7', 'g7'])).toEqual([2, 2, 2]);
    await importJson(app, 'partners', [{ id: 'beta', name: 'Бетова Анна', roles: ['customer'], legalForm: 'person', deleted: true }]);
    const beta = await post('/api/orders/check', { partnerId: 'beta' });
    expect(beta.reasons.map((r: { code: string }) => r.code)).toEqual(['PARTNER_MARKED_DELETED']);
    // Read again, the copy answers with all of it.
    await readCopy();
    const answered = await fromCopy(async () => {
      expect(await percents('alpha', ['g7'])).toEqual([12]);
      expect(await percents('epsilon', ['g7', 'g7', 'g7'])).toEqual([2, 2, 2]);
      expect((await post('/api/orders/check', { partnerId: 'beta' })).allowed).toBe(false);
    });
    expect(answered).toBe(copied(3));
  });

  it('keeps members whose ids hold the separator the copy joins ids with', async () => {
    const odd = 'odd\u001fpartner';
    await importJson(app, 'partners', [{ id: odd, name: 'Странный код', roles: ['customer'], legalForm: 'company' }]);
    await post('/api/segments/vip/members', { ids: [odd] });
    await readCopy();
    const answered = await fromCopy(async () => {
      expect(await percents(odd, ['g7'])).toEqual([12]);
      expect(await percents('gamma', ['g7'])).toEqual([12]);
    });
    expect(answered).toBe(copied(2));
  });

  it('catches up on members whose ids the database and JavaScript sort differently', async () => {
    // Case, Cyrillic, a full-width letter and a character outside the BMP: a collation or
    // UTF-8 byte order puts these elsewhere than JavaScript's UTF-16 order does.
    const odd = ['Яков', 'яков', 'B-1', 'b-1', '\uff21-full', '\u{1f600}-smile', 'ё-2', 'Ё-2'];
    await importJson(
      app,
      'partners',
      odd.map((id) => ({ id, name: id, roles: ['customer'], legalForm: 'company' })),
    );
    await post('/api/segments/vip/members', { ids: odd.filter((_, i) => i % 2 === 0) });
    await readCopy();
    await post('/api/segments/vip/members/remove', { ids: odd.filter((_, i) => i % 4 === 0) });
    await post('/api/segments/vip/members', { ids: odd.filter((_, i) => i % 4 === 1) });
    const inVip = new Set(odd.filter((_, i) => i % 4 === 1 || i % 4 === 2));
    const answers = async () => Promise.all(odd.map((id) => percents(id, ['g7'])));
    const expected = await answers(); // the copy is stale: the one-query path
    expect(expected.map((p, i) => (inVip.has(odd[i]!) ? p : null)).filter(Boolean)).toEqual([...inVip].map(() => [12]));
    expect(expected.filter((p, i) => !inVip.has(odd[i]!) && p[0] === 12)).toEqual([]);
    await readCopy();
    expect(await fromCopy(async () => expect(await answers()).toEqual(expected))).toBe(copied(odd.length));
    await post('/api/segments/vip/members/remove', { ids: odd });
  });

  it('catches up after a write by reading again only what moved: a changed segment, the partners, nothing for an unrelated write', async () => {
    await readCopy();
    if (!cache) return; // PostgreSQL keeps no copy: the other tests cover its one-query path
    const before = cache.stats();
    // A member leaves and one enters a segment the terms use (a composition change).
    await post('/api/segments/vip/members/remove', { ids: ['alpha'] });
    await post('/api/segments/vip/members', { ids: ['beta'] });
    const expected = [await percents('alpha', ['g7']), await percents('beta', ['g7']), await percents('gamma', ['g7'])];
    expect(await cache.ready()).toBe(true);
    expect(cache.stats()).toMatchObject({ fullReads: before.fullReads, catchUps: before.catchUps + 1, segmentsReread: before.segmentsReread + 1 });
    // Partners, products and prices were not written: their tables were not hashed again.
    expect(cache.stats().tablesHashed).toBe(before.tablesHashed);
    expect(await fromCopy(async () => expect([await percents('alpha', ['g7']), await percents('beta', ['g7']), await percents('gamma', ['g7'])]).toEqual(expected))).toBe(3);
    expect(expected[0]).not.toEqual(expected[2]);

    // A write the copy does not hold (a segment the terms do not use): nothing read again.
    await post('/api/segments', { id: 'unused', name: 'Не в условиях', method: 'manual' }, 201);
    await post('/api/segments/unused/members', { ids: ['alpha'] });
    expect(await cache.ready()).toBe(true);
    expect(cache.stats()).toMatchObject({ fullReads: before.fullReads, catchUps: before.catchUps + 2, segmentsReread: before.segmentsReread + 1 });

    // A partner's deletion mark: the partners read again, still no whole read.
    await importJson(app, 'partners', [{ id: 'gamma', name: 'ООО Гамма (должник)', roles: ['customer'], legalForm: 'company', deleted: true }]);
    expect(await cache.ready()).toBe(true);
    expect(cache.stats().tablesHashed).toBeGreaterThan(before.tablesHashed);
    const check = await fromCopy(async () => expect((await post('/api/orders/check', { partnerId: 'gamma' })).reasons.map((r: { code: string }) => r.code)).toContain('PARTNER_MARKED_DELETED'));
    expect(check).toBe(1);
    expect(cache.stats().fullReads).toBe(before.fullReads);
    await importJson(app, 'partners', [{ id: 'gamma', name: 'ООО Гамма (должник)', roles: ['customer'], legalForm: 'company', deleted: false }]);

    // A change of the terms reads the whole copy again.
    expect((await send(app, 'PATCH', '/api/discounts/vip-10', { percent: 11 })).statusCode).toBe(200);
    expect(await cache.ready()).toBe(true);
    expect(cache.stats().fullReads).toBe(before.fullReads + 1);
    expect(await fromCopy(async () => expect(await percents('gamma', ['g7'])).toEqual([11]))).toBe(1);
  });

  it('after random writes, the copy caught up answers as the one-query path', async () => {
    const rnd = random(23);
    const ids = [...PARTNERS.map((p) => p.id), 'epsilon'];
    const products = PRODUCTS.map((p) => p.id);
    const answers = async () => Promise.all(ids.map(async (partnerId) => (await send(app, 'POST', '/api/orders/price', { partnerId, lines: products.map(lineOf) })).body));
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 3; i++) {
        const partner = ids[Math.floor(rnd() * ids.length)]!;
        const what = rnd();
        if (what < 0.35) await post('/api/segments/vip/members', { ids: [partner] });
        else if (what < 0.7) await post('/api/segments/vip/members/remove', { ids: [partner] });
        else if (what < 0.85) await post('/api/segments/segment1/members', { ids: [products[Math.floor(rnd() * products.length)]!] });
        else await importJson(app, 'partners', [{ id: partner, name: partner, roles: ['customer'], legalForm: 'person', birthDate: rnd() < 0.5 ? BIRTHDAY_TODAY : '1970-01-01' }]);
      }
      const expected = await answers(); // the copy is stale: the one-query path
      await readCopy();
      expect(await fromCopy(async () => expect(await answers()).toEqual(expected))).toBe(copied(ids.length));
    }
  });

  it('unknown partners and products get the usual 404, with or without a current copy', async () => {
    await readCopy();
    const partner = await send(app, 'POST', '/api/orders/price', { partnerId: 'nobody', lines: [lineOf('g1')] });
    expect(partner.statusCode).toBe(404);
    expect(partner.json().error.code).toBe('ENTITY_NOT_FOUND');
    const product = await send(app, 'POST', '/api/orders/price', { partnerId: 'alpha', lines: [lineOf('no-such')] });
    expect(product.statusCode).toBe(404);
    expect(product.json().error.details).toMatchObject({ missing: ['no-such'] });
  });
});
