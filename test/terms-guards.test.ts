/**
 * The segment guard of sales terms (SPEC §2, §5): a dynamic segment is refused everywhere a
 * term would use it, with an error naming the segment and the use; so are missing, archived
 * and wrong-kind segments. A segment that terms use cannot be deleted or archived, and its
 * usage lists them.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadTermsCompany, send, TODAY } from './terms-fixture.js';

describe.each(ENGINES)('sales terms guard on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;

  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    await loadTermsCompany(app);
    const segments = [
      { id: 'dyn-buyers', name: 'Покупатели (динамический)', method: 'dynamic', rule: { measure: 'sales.revenue', op: 'gt', value: 0 } },
      { id: 'dyn-goods', kind: 'product', name: 'Товары (динамический)', method: 'dynamic', rule: { attr: 'name', op: 'beginsWith', value: 'Товар' } },
      { id: 'vip', name: 'VIP', method: 'manual' },
      { id: 'old', name: 'Старый', method: 'manual', archived: true },
    ];
    for (const segment of segments) expect((await send(app, 'POST', '/api/segments', segment)).statusCode).toBe(201);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  const refused = async (method: 'POST' | 'PATCH' | 'PUT', url: string, body: unknown, code: string, mentions: string[]) => {
    const res = await send(app, method, url, body);
    expect(res.statusCode, res.body).toBe(code === 'SEGMENT_REFERENCE_MISSING' || code.endsWith('NOT_ALLOWED') ? 422 : 409);
    expect(res.json().error.code).toBe(code);
    for (const text of mentions) expect(res.json().error.message).toContain(text);
    return res.json().error;
  };

  it('refuses a dynamic segment in every kind of sales term, naming the segment and why', async () => {
    const dynamic = 'SEGMENT_DYNAMIC_NOT_ALLOWED';
    const why = 'is dynamic: its composition is computed each time it is read and never stored';
    const error = await refused('POST', '/api/agreements', { name: 'Опт', segmentId: 'dyn-buyers', priceType: 'wholesale' }, dynamic, [
      'Segment "dyn-buyers" (Покупатели (динамический))',
      why,
      'agreement "Опт"',
    ]);
    expect(error.details).toMatchObject({ id: 'dyn-buyers', method: 'dynamic' });
    await refused('POST', '/api/discounts', { name: 'VIP 5%', percent: 5, conditions: [{ kind: 'partnerInSegment', segment: 'dyn-buyers' }] }, dynamic, [
      'dyn-buyers',
      'discount "VIP 5%" (condition 1, partnerInSegment)',
    ]);
    await refused('POST', '/api/discounts', { name: 'Товары 3%', percent: 3, conditions: [{ kind: 'productInSegment', segment: 'dyn-goods' }] }, dynamic, ['dyn-goods']);
    await refused('POST', '/api/discounts', { name: 'Накопительная', percent: 2, conditions: [{ kind: 'cumulative', months: 12, productSegment: 'dyn-goods', threshold: 1000 }] }, dynamic, [
      'dyn-goods',
      'cumulative',
    ]);
    await refused('POST', '/api/discount-tables', { id: 't', name: 'Таблица', columns: [{ months: 12, threshold: 1000 }], rows: [{ productSegment: 'dyn-goods', percents: [1] }] }, dynamic, [
      'dyn-goods',
      'discount table "Таблица", row 1',
    ]);
    await refused('POST', '/api/shipment-bans', { name: 'Стоп', segmentId: 'dyn-buyers' }, dynamic, ['dyn-buyers', 'shipment ban "Стоп"']);
    await refused('POST', '/api/manual-discount-limits', { name: 'Лимит', segmentId: 'dyn-buyers', maxPercent: 5 }, dynamic, ['manual discount limit "Лимит"']);
    // Changing a saved term to a dynamic segment is refused the same way.
    const agreement = await send(app, 'POST', '/api/agreements', { id: 'retail', name: 'Розница' });
    expect(agreement.statusCode, agreement.body).toBe(201);
    await refused('PATCH', '/api/agreements/retail', { segmentId: 'dyn-buyers' }, dynamic, ['dyn-buyers']);
    // Nothing was saved by the refused requests.
    for (const path of ['discounts', 'shipment-bans', 'manual-discount-limits', 'discount-tables']) {
      expect((await send(app, 'GET', `/api/${path}`)).json().items, path).toEqual([]);
    }
    expect((await send(app, 'GET', '/api/agreements/retail')).json().segmentId).toBeNull();
    expect((await send(app, 'GET', '/api/segments?q=cum-')).json().items).toEqual([]);
  });

  it('refuses missing, archived and wrong-kind segments', async () => {
    await refused('POST', '/api/shipment-bans', { name: 'Стоп', segmentId: 'nobody' }, 'SEGMENT_REFERENCE_MISSING', ['There is no segment "nobody"']);
    await refused('POST', '/api/shipment-bans', { name: 'Стоп', segmentId: 'old' }, 'SEGMENT_ARCHIVED_NOT_ALLOWED', ['"old"', 'archived']);
    await refused('POST', '/api/shipment-bans', { name: 'Стоп', segmentId: 'segment1' }, 'SEGMENT_KIND_NOT_ALLOWED', ['is a product segment', 'needs a partner segment']);
    await refused('POST', '/api/discounts', { name: 'X', percent: 1, conditions: [{ kind: 'productInSegment', segment: 'vip' }] }, 'SEGMENT_KIND_NOT_ALLOWED', [
      'is a partner segment',
      'needs a product segment',
    ]);
  });

  it('a segment used by terms cannot be deleted or archived; its usage lists them', async () => {
    const create = async (path: string, body: object) => {
      const res = await send(app, 'POST', `/api/${path}`, body);
      expect(res.statusCode, res.body).toBe(201);
    };
    await create('agreements', { id: 'vip-terms', name: 'VIP-соглашение', segmentId: 'vip', discountPercent: 3 });
    await create('discounts', { id: 'vip-5', name: 'VIP 5%', percent: 5, conditions: [{ kind: 'partnerInSegment', segment: 'vip' }] });
    await create('shipment-bans', { id: 'vip-ban', name: 'VIP на паузе', segmentId: 'vip', active: false });
    await create('manual-discount-limits', { id: 'vip-limit', name: 'VIP до 15%', segmentId: 'vip', maxPercent: 15 });
    const usage = (await send(app, 'GET', '/api/segments/vip/usage')).json().items;
    expect(usage).toEqual([
      { kind: 'agreement', id: 'vip-terms', name: 'VIP-соглашение' },
      { kind: 'discount', id: 'vip-5', name: 'VIP 5%' },
      { kind: 'manualDiscountLimit', id: 'vip-limit', name: 'VIP до 15%' },
      { kind: 'shipmentBan', id: 'vip-ban', name: 'VIP на паузе' },
    ]);
    const deleted = await send(app, 'DELETE', '/api/segments/vip');
    expect(deleted.statusCode).toBe(409);
    expect(deleted.json().error).toMatchObject({ code: 'SEGMENT_IN_USE', details: { usedBy: usage } });
    expect(deleted.json().error.message).toContain('discount "VIP 5%"');
    const archived = await send(app, 'PATCH', '/api/segments/vip', { archived: true });
    expect(archived.statusCode).toBe(409);
    expect(archived.json().error.code).toBe('SEGMENT_USED_BY_TERMS');
    expect((await send(app, 'GET', '/api/segments/vip')).json().archived).toBe(false);
    // Renaming keeps it usable, and pricing shows the new name.
    expect((await send(app, 'PATCH', '/api/segments/vip', { name: 'Ключевые' })).statusCode).toBe(200);
    await send(app, 'POST', '/api/segments/vip/members', { ids: ['alpha'] });
    const priced = await send(app, 'POST', '/api/orders/price', { partnerId: 'alpha', lines: [{ productId: 'g7', quantity: 1, price: 100 }] });
    expect(priced.json().lines[0].rule).toMatchObject({ discountId: 'vip-5', segmentId: 'vip', segmentName: 'Ключевые' });
    // Once the terms are gone the segment can go too.
    for (const path of ['agreements/vip-terms', 'discounts/vip-5', 'shipment-bans/vip-ban', 'manual-discount-limits/vip-limit']) {
      expect((await send(app, 'DELETE', `/api/${path}`)).statusCode, path).toBe(204);
    }
    expect((await send(app, 'GET', '/api/segments/vip/usage')).json().items).toEqual([]);
    expect((await send(app, 'DELETE', '/api/segments/vip')).statusCode).toBe(204);
  });

  it('a cumulative segment made for a discount is listed as used by it, and goes with it', async () => {
    const res = await send(app, 'POST', '/api/discounts', {
      id: 'loyal',
      name: 'Постоянным',
      percent: 2,
      conditions: [{ kind: 'cumulative', months: 12, productSegment: 'segment5', threshold: 40000 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().createdSegments).toEqual(['cum-segment5-12m-revenue-gte-40000']);
    expect(res.json().conditions[0]).toMatchObject({ kind: 'cumulative', op: 'gte', measure: 'sales.revenue', segment: 'cum-segment5-12m-revenue-gte-40000' });
    expect((await send(app, 'GET', '/api/segments/cum-segment5-12m-revenue-gte-40000/usage')).json().items).toEqual([{ kind: 'discount', id: 'loyal', name: 'Постоянным' }]);
    // The product segment is used by the discount and by the cumulative segment's rule.
    expect((await send(app, 'GET', '/api/segments/segment5/usage')).json().items.map((u: { kind: string; id: string }) => `${u.kind}:${u.id}`)).toEqual([
      'segment:cum-segment5-12m-revenue-gte-40000',
      'discount:loyal',
    ]);
    expect((await send(app, 'DELETE', '/api/segments/cum-segment5-12m-revenue-gte-40000')).statusCode).toBe(409);
    expect((await send(app, 'DELETE', '/api/discounts/loyal')).statusCode).toBe(204);
    expect((await send(app, 'GET', '/api/segments/cum-segment5-12m-revenue-gte-40000')).statusCode).toBe(404);
  });

  it('a campaign that terms are bound to cannot be deleted', async () => {
    expect((await send(app, 'POST', '/api/campaigns', { id: 'spring', name: 'Весна', startsOn: TODAY, endsOn: TODAY })).statusCode).toBe(201);
    expect((await send(app, 'POST', '/api/discounts', { id: 'spring-3', name: 'Весна 3%', percent: 3, campaignId: 'spring' })).statusCode).toBe(201);
    const res = await send(app, 'DELETE', '/api/campaigns/spring');
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'CAMPAIGN_IN_USE', message: 'Campaign "spring" is used by discount "Весна 3%"; it cannot be deleted' });
    const bad = await send(app, 'POST', '/api/discounts', { name: 'Y', percent: 1, campaignId: 'autumn' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'TERM_INVALID' });
  });
});
