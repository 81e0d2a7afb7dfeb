/**
 * Seed 002 end to end through the API: the cumulative discount table (6 product segments ×
 * 5 thresholds/periods) uploaded as CSV, its periodic segments generated, an order priced line
 * by line against percents worked out by hand; re-uploads update instead of duplicating.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './support/test-app.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { loadTermsCompany, SEED_002_CSV, send, TODAY } from './terms-fixture.js';

interface PricedLine {
  productId: string;
  amount: number;
  discountPercent: number;
  discountAmount: number;
  amountAfterDiscount: number;
  rule: { discountId: string; segmentId: string | null; productSegmentId: string | null; tableId: string | null } | null;
  overridden: { discountId: string }[];
}

describe.each(ENGINES)('seed 002 cumulative discount table on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  const uploadCsv = (csv: string, query = 'name=Накопительная%20скидка') =>
    app.inject({ method: 'PUT', url: `/api/discount-tables/seed002/csv?${query}`, headers: { 'content-type': 'text/csv; charset=utf-8' }, payload: csv });

  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    await loadTermsCompany(app);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('creates the whole table from one CSV: 30 discounts and 30 periodic segments, generated at once', async () => {
    const res = await uploadCsv(SEED_002_CSV);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.discounts).toEqual({ created: 30, updated: 0, unchanged: 0, removed: 0 });
    expect(body.segments.created).toHaveLength(30);
    expect(body.segments.generated).toBe(30);
    expect(body.table.columns.map((c: { months: number | null; threshold: number }) => [c.months, c.threshold])).toEqual([
      [null, 1],
      [24, 10000],
      [20, 20000],
      [16, 30000],
      [12, 40000],
    ]);
    expect(body.table.rows[0]).toEqual({ productSegment: 'segment1', percents: [1, 1.5, 2, 2.5, 3] });
    const cell = body.cells.find((c: { productSegment: string; column: string }) => c.productSegment === 'segment1' && c.column === '24m-revenue-gte-10000');
    expect(cell).toEqual({
      productSegment: 'segment1',
      column: '24m-revenue-gte-10000',
      percent: 1.5,
      discountId: 'seed002-segment1-24m-revenue-gte-10000',
      segmentId: 'cum-segment1-24m-revenue-gte-10000',
    });
    const segment = (await send(app, 'GET', '/api/segments/cum-segment1-24m-revenue-gte-10000')).json();
    expect(segment).toMatchObject({
      method: 'periodic',
      schedule: '0 3 * * *',
      name: 'Покупки «Сегмент1» за 24 мес.: на сумму от 10\u00a0000 ₽',
      rule: { measure: 'sales.revenue', period: { last: { months: { param: 'months' } } }, where: { productSegment: { param: 'productSegment' } }, op: 'gte', value: { param: 'threshold' } },
      parameters: { threshold: 10000, months: 24, productSegment: 'segment1' },
    });
  });

  it('the stored compositions are the partners who reached each cell (worked out by hand)', async () => {
    const members = async (id: string) => (await send(app, 'GET', `/api/segments/${id}/members?limit=100`)).json().items.map((p: { id: string }) => p.id);
    // "After the first purchase": alpha bought in every segment but... all six; gamma bought only g7 (no segment).
    for (const n of [1, 2, 3, 4, 5, 6]) expect(await members(`cum-segment${n}-all-documents-gte-1`)).toEqual(['alpha']);
    expect(await members('cum-segment1-24m-revenue-gte-10000')).toEqual(['alpha']);
    expect(await members('cum-segment1-20m-revenue-gte-20000')).toEqual([]);
    expect(await members('cum-segment2-20m-revenue-gte-20000')).toEqual(['alpha']);
    expect(await members('cum-segment2-16m-revenue-gte-30000')).toEqual([]);
    // segment4: exactly 10,000 twenty-two months ago — "from 10,000" includes it.
    expect(await members('cum-segment4-24m-revenue-gte-10000')).toEqual(['alpha']);
    expect(await members('cum-segment4-20m-revenue-gte-20000')).toEqual([]);
    expect(await members('cum-segment5-12m-revenue-gte-40000')).toEqual(['alpha']);
    // segment6: 15,000 less a 6,000 return is 9,000.
    expect(await members('cum-segment6-24m-revenue-gte-10000')).toEqual([]);
  });

  it("prices an order line by line: the best cell reached for the line's product segment", async () => {
    const refresh = await send(app, 'POST', '/api/segments/cum-segment2-20m-revenue-gte-20000/refresh', {});
    expect(refresh.statusCode, refresh.body).toBe(200);
    const res = await send(app, 'POST', '/api/orders/price', {
      partnerId: 'alpha',
      lines: [
        { productId: 'g1', quantity: 2, price: 1000 },
        { productId: 'g2', quantity: 1, price: 3000 },
        { productId: 'g3', quantity: 4, price: 250 },
        { productId: 'g4', quantity: 3, price: 333.33 },
        { productId: 'g5', quantity: 1, price: 10000 },
        { productId: 'g6', quantity: 10, price: 99.9 },
        { productId: 'g7', quantity: 1, price: 500 },
        { productId: 'g8', quantity: 2, price: 750 },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.date).toBe(TODAY);
    const lines: PricedLine[] = body.lines;
    const row = (l: PricedLine) => [l.productId, l.amount, l.discountPercent, l.discountAmount, l.amountAfterDiscount, l.rule?.discountId ?? null];
    expect(lines.map(row)).toEqual([
      // segment1: 12,000 over 24 months → "from 10,000 / 24" = 1.5 (beats "first purchase" 1).
      ['g1', 2000, 1.5, 30, 1970, 'seed002-segment1-24m-revenue-gte-10000'],
      // segment2: 45,000 over 20 months but 20,000 over 16 → "from 20,000 / 20" = 2.5.
      ['g2', 3000, 2.5, 75, 2925, 'seed002-segment2-20m-revenue-gte-20000'],
      // segment3: one purchase 30 months ago → "after the first purchase" = 2.
      ['g3', 1000, 2, 20, 980, 'seed002-segment3-all-documents-gte-1'],
      // segment4: exactly 10,000 within 24 months → 3; 999.99 × 3 % = 29.9997 → 30.00.
      ['g4', 999.99, 3, 30, 969.99, 'seed002-segment4-24m-revenue-gte-10000'],
      // segment5: 41,000 a month ago → every column → 5.
      ['g5', 10000, 5, 500, 9500, 'seed002-segment5-12m-revenue-gte-40000'],
      // segment6: 9,000 after the return → only "after the first purchase" = 3.5; 999 × 3.5 % = 34.965 → 34.97.
      ['g6', 999, 3.5, 34.97, 964.03, 'seed002-segment6-all-documents-gte-1'],
      // g7 is in no product segment.
      ['g7', 500, 0, 0, 500, null],
      // g8 is in segments 1 and 3: 1.5 (segment1, 24 months) against 2 (segment3, first purchase) → 2.
      ['g8', 1500, 2, 30, 1470, 'seed002-segment3-all-documents-gte-1'],
    ]);
    expect(lines[0]!.rule).toMatchObject({ segmentId: 'cum-segment1-24m-revenue-gte-10000', productSegmentId: 'segment1', tableId: 'seed002' });
    expect(lines[0]!.overridden.map((o) => o.discountId)).toEqual(['seed002-segment1-all-documents-gte-1']);
    expect(lines[7]!.overridden.map((o) => o.discountId)).toEqual(['seed002-segment1-24m-revenue-gte-10000', 'seed002-segment1-all-documents-gte-1']);
    expect(body.totals).toMatchObject({ amount: 19998.99, discountAmount: 719.97, amountAfterDiscount: 19279.02 });
  });

  it('a partner without purchases gets no cumulative discount', async () => {
    const res = await send(app, 'POST', '/api/orders/price', { partnerId: 'gamma', lines: [{ productId: 'g5', quantity: 1, price: 100 }] });
    expect(res.json().lines[0]).toMatchObject({ discountPercent: 0, rule: null });
  });

  it('uploading the same table again changes nothing; a changed cell is updated, not duplicated', async () => {
    const again = await uploadCsv(SEED_002_CSV);
    expect(again.json().discounts).toEqual({ created: 0, updated: 0, unchanged: 30, removed: 0 });
    expect(again.json().segments).toMatchObject({ created: [], reused: 30, generated: 0, dropped: [] });
    const changed = await uploadCsv(SEED_002_CSV.replace('Сегмент1;1;1,5;', 'Сегмент1;1;1,75;'));
    expect(changed.json().discounts).toEqual({ created: 0, updated: 1, unchanged: 29, removed: 0 });
    expect((await send(app, 'GET', '/api/discounts')).json().items).toHaveLength(30);
    const priced = await send(app, 'POST', '/api/orders/price', { partnerId: 'alpha', lines: [{ productId: 'g1', quantity: 1, price: 1000 }] });
    expect(priced.json().lines[0]).toMatchObject({ discountPercent: 1.75, discountAmount: 17.5 });
  });

  it('a table without a column drops its discounts and the segments nothing else uses', async () => {
    const fourColumns = SEED_002_CSV.split('\r\n')
      .map((line) => line.split(';').slice(0, 5).join(';'))
      .join('\r\n');
    const res = await uploadCsv(fourColumns);
    expect(res.json().discounts).toMatchObject({ created: 0, removed: 6 });
    expect(res.json().segments.dropped).toHaveLength(6);
    expect((await send(app, 'GET', '/api/segments/cum-segment5-12m-revenue-gte-40000')).statusCode).toBe(404);
    const priced = await send(app, 'POST', '/api/orders/price', { partnerId: 'alpha', lines: [{ productId: 'g5', quantity: 1, price: 100 }] });
    expect(priced.json().lines[0]).toMatchObject({ discountPercent: 4.5, rule: { discountId: 'seed002-segment5-16m-revenue-gte-30000' } });
    expect((await uploadCsv(SEED_002_CSV)).json().discounts).toMatchObject({ created: 6, removed: 0 });
  });

  it('the same table in one JSON call, with the same ids: nothing duplicated', async () => {
    const columns = [
      { measure: 'sales.documents', months: null, threshold: 1, label: 'После первой покупки' },
      { months: 24, threshold: 10000, label: 'от 10000 руб. за 24 месяца' },
      { months: 20, threshold: 20000, label: 'от 20000 руб. за 20 месяцев' },
      { months: 16, threshold: 30000, label: 'от 30000 руб. за 16 месяцев' },
      { months: 12, threshold: 40000, label: 'от 40000 руб. за 12 месяцев' },
    ];
    const rows = [1, 2, 3, 4, 5, 6].map((n) => ({ productSegment: `segment${n}`, percents: [0, 0.5, 1, 1.5, 2].map((d) => n * 0.5 + 0.5 + d) }));
    const res = await send(app, 'POST', '/api/discount-tables', { id: 'seed002', name: 'Накопительная скидка', columns, rows });
    expect(res.statusCode, res.body).toBe(200);
    // Same cells and labels as the CSV uploaded last, so the same ids and nothing to change.
    expect(res.json().discounts).toEqual({ created: 0, updated: 0, unchanged: 30, removed: 0 });
  });

  it('refuses a CSV with bad cells, with line and column, and saves nothing', async () => {
    const before = (await send(app, 'GET', '/api/discounts')).json().items.length;
    const res = await uploadCsv('Сегмент;от 10000 за 24 мес.;за год\nСегмент1;1,5;x\nНетТакого;1;2', 'name=Bad');
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('DISCOUNT_TABLE_INVALID');
    expect(res.json().error.details.issues).toEqual([
      { line: 1, column: 3, value: 'за год', reason: expect.stringContaining('no threshold') },
      { line: 2, column: 3, value: 'x', reason: 'not a percent from -1000 to 100' },
    ]);
    expect((await send(app, 'GET', '/api/discounts')).json().items.length).toBe(before);
  });
});
