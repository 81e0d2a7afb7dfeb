/**
 * The documented combination rule (docs/sales-terms.md): exclusive, then one main discount
 * (priority displaces max), plus every sum; capped at 100 %; ties broken by priority, percent,
 * id — first as a pure function, then through the API for a partner in many segments.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import { combineDiscounts, type Candidate, type CombineMode } from '../src/domain/terms/combination.js';
import { birthdayWithin } from '../src/domain/terms/discount-conditions.js';
import { parseColumnHeading } from '../src/domain/terms/discount-table-csv.js';
import { roundMoney } from '../src/domain/terms/order-pricing.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadTermsCompany, send } from './terms-fixture.js';

const d = (id: string, percent: number, combine: CombineMode, priority = 0): Candidate => ({ id, percent, combine, priority });
const result = (candidates: Candidate[]) => {
  const r = combineDiscounts(candidates);
  return { percent: r.percent, applied: r.applied.map((c) => c.id), overridden: r.overridden.map((c) => c.id) };
};

describe('combination rule', () => {
  it('max: the largest percent; ties by higher priority, then smaller id', () => {
    expect(result([d('a', 3, 'max'), d('b', 5, 'max'), d('c', 4, 'max')])).toEqual({ percent: 5, applied: ['b'], overridden: ['a', 'c'] });
    expect(result([d('b', 5, 'max', 1), d('a', 5, 'max', 2)]).applied).toEqual(['a']);
    expect(result([d('b', 5, 'max'), d('a', 5, 'max')]).applied).toEqual(['a']);
    expect(result([d('a', 5, 'max'), d('b', 5, 'max')]).applied).toEqual(['a']);
  });

  it('sum: every sum discount is added on top of the main one', () => {
    expect(result([d('m', 5, 'max'), d('s2', 1, 'sum'), d('s1', 2, 'sum', 3)])).toEqual({ percent: 8, applied: ['m', 's1', 's2'], overridden: [] });
    expect(result([d('s1', 0.1, 'sum'), d('s2', 0.2, 'sum')]).percent).toBe(0.3);
  });

  it('priority: the highest-priority one displaces every max discount', () => {
    expect(result([d('m', 10, 'max', 99), d('p1', 2, 'priority', 1), d('p5', 1, 'priority', 5), d('s', 1, 'sum')])).toEqual({
      percent: 2,
      applied: ['p5', 's'],
      overridden: ['m', 'p1'],
    });
    expect(result([d('p2', 1, 'priority', 5), d('p1', 3, 'priority', 5)]).applied).toEqual(['p1']);
  });

  it('exclusive: only one discount, the exclusive one with the highest priority', () => {
    expect(result([d('m', 10, 'max'), d('s', 5, 'sum'), d('x', 1, 'exclusive'), d('p', 7, 'priority', 9)])).toEqual({
      percent: 1,
      applied: ['x'],
      overridden: ['m', 'p', 's'],
    });
    expect(result([d('x1', 9, 'exclusive', 1), d('x2', 2, 'exclusive', 2)]).applied).toEqual(['x2']);
  });

  it('caps at 100 %; markups are percents like any other', () => {
    expect(result([d('m', 50, 'max'), d('s', 60, 'sum')]).percent).toBe(100);
    expect(result([d('a', -5, 'max'), d('b', -2, 'max')])).toMatchObject({ percent: -2, applied: ['b'] });
    expect(result([d('m', 5, 'max'), d('markup', -3, 'sum')]).percent).toBe(2);
    expect(result([])).toEqual({ percent: 0, applied: [], overridden: [] });
  });

  it('the answer does not depend on the order the discounts come in', () => {
    const all = [d('a', 3, 'max'), d('b', 3, 'max', 1), d('c', 2, 'sum'), d('d', 4, 'priority'), d('e', 4, 'priority'), d('f', 1, 'sum', 2)];
    const expected = result(all);
    for (let i = 0; i < 20; i++) {
      const shuffled = [...all].sort(() => Math.sin(i * 7919 + all.length) - 0.5 + Math.random() - 0.5);
      expect(result(shuffled)).toEqual(expected);
    }
    expect(expected).toEqual({ percent: 7, applied: ['d', 'f', 'c'], overridden: ['a', 'b', 'e'] });
  });
});

describe('order arithmetic and calendar', () => {
  it('rounds money half away from zero, to the written decimal', () => {
    expect([roundMoney(1.005), roundMoney(34.965), roundMoney(29.9997), roundMoney(-1.005), roundMoney(3 * 3333.33), roundMoney(1e-9)]).toEqual([1.01, 34.97, 30, -1.01, 9999.99, 0]);
  });

  it('birthdays within N days; February 29 falls on February 28 in common years', () => {
    expect(birthdayWithin('1990-06-15', '2025-06-15', 0)).toBe(true);
    expect(birthdayWithin('1990-06-16', '2025-06-15', 0)).toBe(false);
    expect(birthdayWithin('1990-06-16', '2025-06-15', 1)).toBe(true);
    expect(birthdayWithin('1990-01-02', '2025-12-31', 2)).toBe(true);
    expect(birthdayWithin('1992-02-29', '2025-02-28', 0)).toBe(true);
    expect(birthdayWithin('1992-02-29', '2024-02-28', 0)).toBe(false);
    expect(birthdayWithin('1992-02-29', '2024-02-29', 0)).toBe(true);
  });

  it('reads the column headings of a cumulative table', () => {
    expect(parseColumnHeading('После первой покупки')).toMatchObject({ measure: 'sales.documents', months: null, threshold: 1 });
    expect(parseColumnHeading('от 10000 руб. за 24 месяца')).toMatchObject({ months: 24, threshold: 10000 });
    expect(parseColumnHeading('за 16 мес. от 30 000')).toMatchObject({ months: 16, threshold: 30000 });
    expect(parseColumnHeading('10000/24')).toMatchObject({ months: 24, threshold: 10000 });
    expect(parseColumnHeading('from 2500.5 over 12 months')).toMatchObject({ months: 12, threshold: 2500.5 });
    expect(parseColumnHeading('40000')).toMatchObject({ months: null, threshold: 40000 });
    expect(parseColumnHeading('за год')).toBeNull();
  });
});

describe.each(ENGINES)('combination through the API on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;

  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    await loadTermsCompany(app);
    // alpha is in three manual segments; every discount below applies to it.
    for (const id of ['silver', 'gold', 'partners-club']) {
      expect((await send(app, 'POST', '/api/segments', { id, name: id, method: 'manual' })).statusCode).toBe(201);
      expect((await send(app, 'POST', `/api/segments/${id}/members`, { ids: ['alpha'] })).statusCode).toBe(200);
    }
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const discount = async (id: string, percent: number, combine: CombineMode, segment: string, extra: object = {}) => {
    const res = await send(app, 'POST', '/api/discounts', { id, name: id, percent, combine, conditions: [{ kind: 'partnerInSegment', segment }], ...extra });
    expect(res.statusCode, res.body).toBe(201);
  };
  const percents = async () => {
    const res = await send(app, 'POST', '/api/orders/price', {
      partnerId: 'alpha',
      lines: [
        { productId: 'g1', quantity: 1, price: 100 },
        { productId: 'g7', quantity: 1, price: 100 },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().lines.map((l: { discountPercent: number; applied: { discountId: string }[] }) => [l.discountPercent, l.applied.map((a) => a.discountId)]);
  };

  it('max, then sum, then priority, then exclusive — each step as documented', async () => {
    await discount('silver-3', 3, 'max', 'silver');
    await discount('gold-5', 5, 'max', 'gold');
    // A tie on percent: the higher priority wins, then the smaller id.
    await discount('club-5', 5, 'max', 'partners-club', { priority: 1 });
    expect(await percents()).toEqual([
      [5, ['club-5']],
      [5, ['club-5']],
    ]);
    await discount('club-sum-2', 2, 'sum', 'partners-club');
    // A sum discount only for segment1's products.
    const res = await send(app, 'POST', '/api/discounts', {
      id: 'segment1-sum-1',
      name: 'segment1 +1',
      percent: 1,
      combine: 'sum',
      conditions: [
        { kind: 'partnerInSegment', segment: 'gold' },
        { kind: 'productInSegment', segment: 'segment1' },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(await percents()).toEqual([
      [8, ['club-5', 'club-sum-2', 'segment1-sum-1']],
      [7, ['club-5', 'club-sum-2']],
    ]);
    await discount('gold-priority-1', 1, 'priority', 'gold', { priority: 10 });
    expect(await percents()).toEqual([
      [4, ['gold-priority-1', 'club-sum-2', 'segment1-sum-1']],
      [3, ['gold-priority-1', 'club-sum-2']],
    ]);
    await discount('silver-exclusive', 2.5, 'exclusive', 'silver');
    expect(await percents()).toEqual([
      [2.5, ['silver-exclusive']],
      [2.5, ['silver-exclusive']],
    ]);
    // A markup as the only discount makes the line dearer.
    for (const id of ['silver-3', 'gold-5', 'club-5', 'club-sum-2', 'segment1-sum-1', 'gold-priority-1', 'silver-exclusive']) {
      expect((await send(app, 'PATCH', `/api/discounts/${id}`, { active: false })).statusCode).toBe(200);
    }
    await discount('markup', -10, 'max', 'silver');
    const priced = await send(app, 'POST', '/api/orders/price', { partnerId: 'alpha', lines: [{ productId: 'g7', quantity: 1, price: 100 }] });
    expect(priced.json().lines[0]).toMatchObject({ discountPercent: -10, discountAmount: -10, amountAfterDiscount: 110 });
  });
});
