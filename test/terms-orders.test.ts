/**
 * Orders against sales terms through the API: the birthday discount of seed 002 (a condition,
 * and a periodic birthday segment, bound to a campaign's period), order amount, agreements,
 * the overdue-receivables shipment ban, manual discount limits, and the order check.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import { addDays } from '../src/rules/calendar.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { daysAgo, loadTermsCompany, send, TODAY } from './terms-fixture.js';

describe.each(ENGINES)('orders and sales terms on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  const ok = async (method: 'POST' | 'PATCH', url: string, body: unknown, status = method === 'POST' ? 201 : 200) => {
    const res = await send(app, method, url, body);
    expect(res.statusCode, res.body).toBe(status);
    return res.json();
  };
  const price = (body: object) => send(app, 'POST', '/api/orders/price', body);
  const check = async (body: object) => {
    const res = await send(app, 'POST', '/api/orders/check', body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    await loadTermsCompany(app);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it("the birthday discount (a condition) applies within its campaign on the partner's birthday", async () => {
    await ok('POST', '/api/campaigns', { id: 'birthdays', name: 'Дни рождения', startsOn: daysAgo(10), endsOn: addDays(TODAY, 10) });
    await ok('POST', '/api/discounts', { id: 'birthday-5', name: 'С днём рождения', percent: 5, combine: 'sum', conditions: [{ kind: 'birthday' }], campaignId: 'birthdays' });
    const lines = [
      { productId: 'g1', quantity: 1, price: 1990 },
      { productId: 'g7', quantity: 3, price: 33.33 },
    ];
    const beta = (await price({ partnerId: 'beta', lines })).json();
    // 1,990 × 5 % = 99.50; 99.99 × 5 % = 4.9995 → 5.00.
    expect(beta.lines.map((l: { discountPercent: number; discountAmount: number; amountAfterDiscount: number }) => [l.discountPercent, l.discountAmount, l.amountAfterDiscount])).toEqual([
      [5, 99.5, 1890.5],
      [5, 5, 94.99],
    ]);
    expect(beta.lines[0].rule).toMatchObject({ discountId: 'birthday-5', campaignId: 'birthdays', segmentId: null });
    // alpha has no birth date; beta on another day has no birthday.
    expect((await price({ partnerId: 'alpha', lines })).json().lines[0].discountPercent).toBe(0);
    expect((await price({ partnerId: 'beta', date: addDays(TODAY, 2), lines })).json().lines[0].discountPercent).toBe(0);
    // The campaign over: no discount even on the birthday.
    await ok('PATCH', '/api/campaigns/birthdays', { startsOn: daysAgo(10), endsOn: daysAgo(1) });
    expect((await price({ partnerId: 'beta', lines })).json().lines[0].discountPercent).toBe(0);
    await ok('PATCH', '/api/campaigns/birthdays', { endsOn: addDays(TODAY, 10) });
  });

  it("seed 002's birthday segment: a periodic segment of today's birthdays read by a discount", async () => {
    await ok('POST', '/api/segments', {
      id: 'birthday-today',
      name: 'День рождения сегодня',
      method: 'periodic',
      schedule: 'every 1200 seconds',
      rule: {
        all: [
          { attr: 'legalForm', op: 'eq', value: 'person' },
          { attr: 'deleted', op: 'ne', value: true },
          { attr: 'birthDate', op: 'anniversaryWithin', value: 0 },
        ],
      },
    });
    expect((await send(app, 'POST', '/api/segments/birthday-today/refresh', {})).json()).toMatchObject({ size: 1 });
    await ok('POST', '/api/discounts', {
      id: 'birthday-segment-7',
      name: 'Именинникам 7%',
      percent: 7,
      conditions: [{ kind: 'partnerInSegment', segment: 'birthday-today' }],
      campaignId: 'birthdays',
    });
    const res = (await price({ partnerId: 'beta', lines: [{ productId: 'g7', quantity: 1, price: 1000 }] })).json();
    // max 7 (the segment) plus sum 5 (the condition) = 12.
    expect(res.lines[0]).toMatchObject({ discountPercent: 12, discountAmount: 120, rule: { discountId: 'birthday-segment-7', segmentId: 'birthday-today', segmentName: 'День рождения сегодня' } });
    expect(res.lines[0].applied.map((a: { discountId: string }) => a.discountId)).toEqual(['birthday-segment-7', 'birthday-5']);
    await ok('PATCH', '/api/discounts/birthday-segment-7', { active: false });
    await ok('PATCH', '/api/discounts/birthday-5', { active: false });
  });

  it('an order-amount discount applies from the amount on, before discounts', async () => {
    await ok('POST', '/api/discounts', { id: 'big-order', name: 'Крупный заказ', percent: 2, conditions: [{ kind: 'orderAmount', min: 10000 }] });
    const below = (await price({ partnerId: 'alpha', lines: [{ productId: 'g7', quantity: 3, price: 3333.33 }] })).json();
    expect(below.totals.amount).toBe(9999.99);
    expect(below.lines[0].discountPercent).toBe(0);
    const at = (
      await price({
        partnerId: 'alpha',
        lines: [
          { productId: 'g7', quantity: 3, price: 3333.33 },
          { productId: 'g1', quantity: 1, price: 0.01 },
        ],
      })
    ).json();
    expect(at.totals).toMatchObject({ amount: 10000, discountAmount: 200, amountAfterDiscount: 9800 });
    await ok('PATCH', '/api/discounts/big-order', { active: false });
  });

  it("agreements: open to their segment's partners; an agreement's discount prices the order", async () => {
    await ok('POST', '/api/segments', { id: 'key-clients', name: 'Ключевые клиенты', method: 'manual' });
    await ok('POST', '/api/segments/key-clients/members', { ids: ['alpha'] }, 200);
    // An agreement names a price type that exists (issue 19).
    await ok('POST', '/api/price-types', { id: 'wholesale', name: 'Оптовая' });
    await ok('POST', '/api/price-types', { id: 'retail', name: 'Розничная' });
    await ok('POST', '/api/agreements', { id: 'wholesale', name: 'Оптовое', segmentId: 'key-clients', priceType: 'wholesale', discountPercent: 4 });
    await ok('POST', '/api/agreements', { id: 'retail', name: 'Розничное', priceType: 'retail' });
    await ok('POST', '/api/agreements', { id: 'expired', name: 'Прошлогоднее', validTo: daysAgo(1) });
    const open = async (partner: string) => (await send(app, 'GET', `/api/partners/${partner}/agreements`)).json().items.map((a: { id: string }) => a.id);
    expect(await open('alpha')).toEqual(['wholesale', 'retail']);
    expect(await open('beta')).toEqual(['retail']);
    expect((await send(app, 'GET', `/api/partners/alpha/agreements?date=${daysAgo(2)}`)).json().items.map((a: { id: string }) => a.id)).toEqual(['wholesale', 'expired', 'retail']);
    const priced = (await price({ partnerId: 'alpha', agreementId: 'wholesale', lines: [{ productId: 'g7', quantity: 2, price: 125 }] })).json();
    expect(priced.agreement).toEqual({ id: 'wholesale', name: 'Оптовое', priceType: 'wholesale', discountPercent: 4, chosen: 'named' });
    expect(priced.lines[0]).toMatchObject({ discountPercent: 4, discountAmount: 10, rule: { source: 'agreement', discountId: 'wholesale', segmentId: 'key-clients' } });
    const refused = await price({ partnerId: 'beta', agreementId: 'wholesale', lines: [{ productId: 'g7', quantity: 1, price: 1 }] });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: 'AGREEMENT_NOT_OPEN', details: { reason: 'the partner is not in its segment "key-clients"' } });
  });

  it('the overdue-receivables shipment ban stops orders of the partners in its segment, and says why', async () => {
    await ok('POST', '/api/segments', {
      id: 'overdue',
      name: 'Просроченная дебиторка',
      method: 'periodic',
      rule: {
        all: [
          { attr: 'roles', op: 'contains', value: 'customer' },
          { measure: 'settlements.overdueReceivable', op: 'gt', value: 0 },
        ],
      },
    });
    expect((await send(app, 'POST', '/api/segments/overdue/refresh', {})).json()).toMatchObject({ size: 1 });
    await ok('POST', '/api/shipment-bans', { id: 'debtors', name: 'Стоп по долгам', segmentId: 'overdue', reason: 'просроченная дебиторская задолженность' });
    const gamma = await check({ partnerId: 'gamma', lines: [{ productId: 'g7', quantity: 1, price: 100 }] });
    expect(gamma).toMatchObject({ partnerId: 'gamma', date: TODAY, allowed: false });
    expect(gamma.reasons).toEqual([
      {
        code: 'SHIPMENT_BANNED',
        message: 'Shipping to partner "gamma" is banned by "Стоп по долгам": the partner is in segment "overdue" (Просроченная дебиторка): просроченная дебиторская задолженность',
        details: expect.objectContaining({ banId: 'debtors', segmentId: 'overdue' }),
      },
    ]);
    // alpha owes 1,000 that is not due yet: not in the segment, allowed.
    expect(await check({ partnerId: 'alpha' })).toMatchObject({ allowed: true, reasons: [] });
    // An inactive ban stops nobody.
    await ok('PATCH', '/api/shipment-bans/debtors', { active: false });
    expect((await check({ partnerId: 'gamma' })).allowed).toBe(true);
    await ok('PATCH', '/api/shipment-bans/debtors', { active: true });
  });

  it("manual discounts are checked against the limit of the partner's segments, else the default", async () => {
    await ok('POST', '/api/manual-discount-limits', { id: 'key-10', name: 'Ключевым до 10%', segmentId: 'key-clients', maxPercent: 10 });
    await ok('POST', '/api/manual-discount-limits', { id: 'default-3', name: 'Всем до 3%', maxPercent: 3 });
    expect(await check({ partnerId: 'alpha', manualDiscount: 10 })).toMatchObject({ allowed: true, manualDiscount: { limit: 10, limitId: 'key-10', segmentId: 'key-clients', allowed: true } });
    const beta = await check({ partnerId: 'beta', manualDiscount: 5 });
    expect(beta).toMatchObject({ allowed: false, manualDiscount: { requested: 5, limit: 3, limitId: 'default-3', segmentId: null, allowed: false } });
    expect(beta.reasons.map((r: { code: string }) => r.code)).toEqual(['MANUAL_DISCOUNT_OVER_LIMIT']);
    expect(beta.reasons[0].message).toBe('A manual discount of 5% is above the limit of 3% that applies to partner "beta" (Всем до 3%)');
    // Pricing adds the manual discount to every line and reports the limit.
    const priced = (await price({ partnerId: 'alpha', agreementId: 'wholesale', manualDiscount: 2.5, lines: [{ productId: 'g7', quantity: 1, price: 200 }] })).json();
    expect(priced.lines[0]).toMatchObject({ automaticPercent: 4, manualPercent: 2.5, discountPercent: 6.5, discountAmount: 13, amountAfterDiscount: 187 });
    expect(priced.manualDiscount).toMatchObject({ requested: 2.5, limit: 10, allowed: true });
    // Several reasons at once: banned, and over the limit.
    const gamma = await check({ partnerId: 'gamma', manualDiscount: 4, agreementId: 'wholesale' });
    expect(gamma.reasons.map((r: { code: string }) => r.code)).toEqual(['SHIPMENT_BANNED', 'MANUAL_DISCOUNT_OVER_LIMIT', 'AGREEMENT_NOT_OPEN']);
  });

  it('a partner marked for deletion is not shipped to', async () => {
    const delta = await check({ partnerId: 'delta' });
    expect(delta.allowed).toBe(false);
    expect(delta.reasons.map((r: { code: string }) => r.code)).toEqual(['PARTNER_MARKED_DELETED']);
  });

  it('unknown partners and products are refused; an order needs lines', async () => {
    const partner = await price({ partnerId: 'nobody', lines: [{ productId: 'g1', quantity: 1, price: 1 }] });
    expect(partner.statusCode).toBe(404);
    expect(partner.json().error).toMatchObject({ code: 'ENTITY_NOT_FOUND', details: { entity: 'partner', id: 'nobody' } });
    const product = await price({
      partnerId: 'alpha',
      lines: [
        { productId: 'g1', quantity: 1, price: 1 },
        { productId: 'zz', quantity: 1, price: 1 },
      ],
    });
    expect(product.statusCode).toBe(404);
    expect(product.json().error).toMatchObject({ code: 'ENTITY_NOT_FOUND', details: { entity: 'product', missing: ['zz'] } });
    expect((await price({ partnerId: 'alpha', lines: [] })).statusCode).toBe(400);
    expect((await price({ partnerId: 'alpha', lines: [{ productId: 'g1', quantity: 0, price: 1 }] })).statusCode).toBe(400);
  });

  it('the OpenAPI document describes the sales-terms and order routes', async () => {
    const doc = (await send(app, 'GET', '/api/openapi.json')).json();
    for (const path of [
      '/api/orders/price',
      '/api/orders/check',
      '/api/discounts',
      '/api/discount-tables',
      '/api/discount-tables/{id}/csv',
      '/api/shipment-bans',
      '/api/manual-discount-limits',
      '/api/agreements',
      '/api/campaigns',
      '/api/partners/{id}/agreements',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.components.schemas.OrderPrice).toBeDefined();
  });
});
