/**
 * Prices by segment (issue 19) through the API, on every engine, every figure worked out by
 * hand: price types set by hand and derived (markup, rounding, VAT basis), the prices history
 * (the price on a date is the latest on or before it), agreements naming a price type that
 * exists and chosen by priority, order lines without a price, VAT included and not, the partner's
 * price list (JSON and XLSX), and prices imported with row-level errors.
 */
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../src/rules/calendar.js';
import type { Database } from '../src/storage/database.js';
import { ENGINES } from './engines.js';
import { buildTestApp } from './support/test-app.js';
import { daysAgo, loadTermsCompany, send, TODAY } from './terms-fixture.js';

const TOMORROW = addDays(TODAY, 1);

describe.each(ENGINES)('prices by segment on $name', (engine) => {
  let db: Database;
  let app: FastifyInstance;
  const ok = async (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body: unknown, status = method === 'POST' ? 201 : 200) => {
    const res = await send(app, method, url, body);
    expect(res.statusCode, res.body).toBe(status);
    return res.statusCode === 204 ? null : res.json();
  };
  const price = (body: object) => send(app, 'POST', '/api/orders/price', body);
  const priced = async (body: object) => {
    const res = await price(body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const setPrice = (priceTypeId: string, productId: string, validFrom: string, value: number) => ok('PUT', '/api/prices', { priceTypeId, productId, validFrom, price: value });

  beforeAll(async () => {
    db = await engine.create();
    app = await buildTestApp({ db });
    await loadTermsCompany(app);
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it('no price type yet: a line without a price is refused with a clear error; a manual price is kept and marked', async () => {
    const refused = await price({ partnerId: 'alpha', lines: [{ productId: 'g1', quantity: 1 }] });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('PRICE_TYPE_NOT_RESOLVED');
    expect(refused.json().error.message).toContain('line 1 (product "g1")');
    expect(refused.json().error.message).toContain('no agreement is open to partner "alpha"');
    const manual = await priced({ partnerId: 'alpha', lines: [{ productId: 'g1', quantity: 2, price: 10 }] });
    expect(manual.lines[0]).toMatchObject({ price: 10, priceSource: 'manual', priceType: null, priceRow: null, amount: 20 });
    expect(manual.priceType).toBeNull();
    expect(manual.totals).toMatchObject({ amount: 20, vatIncluded: null, vatAmount: null });
  });

  it('price types: set by hand or derived; a derived type cannot loop, an agreement cannot name an unknown type', async () => {
    await ok('POST', '/api/price-types', { id: 'retail', name: 'Розничная', isDefault: true });
    await ok('POST', '/api/price-types', { id: 'purchase', name: 'Закупочная', vatIncluded: false });
    const wholesale = await ok('POST', '/api/price-types', { id: 'wholesale', name: 'Оптовая', baseTypeId: 'retail', markupPercent: -10, rounding: '10' });
    expect(wholesale).toMatchObject({ currency: 'RUB', vatIncluded: true, vatRate: 20, baseTypeId: 'retail', markupPercent: -10, rounding: '10', isDefault: false });
    await ok('POST', '/api/price-types', { id: 'dealer', name: 'Дилерская', baseTypeId: 'purchase', markupPercent: 15, rounding: '0.99' });

    const cycle = await send(app, 'PATCH', '/api/price-types/retail', { baseTypeId: 'wholesale', markupPercent: 5 });
    expect(cycle.statusCode).toBe(422);
    expect(cycle.json().error).toMatchObject({ code: 'PRICE_TYPE_CYCLE', details: { cycle: 'retail → wholesale → retail' } });
    const self = await send(app, 'PATCH', '/api/price-types/dealer', { baseTypeId: 'dealer' });
    expect(self.json().error.code).toBe('PRICE_TYPE_CYCLE');
    const unknownBase = await send(app, 'POST', '/api/price-types', { name: 'X', baseTypeId: 'nope' });
    expect(unknownBase.json().error.code).toBe('PRICE_TYPE_UNKNOWN');

    const unknown = await send(app, 'POST', '/api/agreements', { name: 'Bad', priceType: 'NONEXISTENT' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.code).toBe('PRICE_TYPE_UNKNOWN');
    expect(unknown.json().error.message).toContain('agreement "Bad"');
    expect(unknown.json().error.details.known).toEqual(expect.arrayContaining(['retail', 'wholesale', 'purchase', 'dealer']));

    // A second default takes the mark from the first.
    await ok('PATCH', '/api/price-types/purchase', { isDefault: true });
    expect((await send(app, 'GET', '/api/price-types/retail')).json().isDefault).toBe(false);
    await ok('PATCH', '/api/price-types/retail', { isDefault: true });
    expect((await send(app, 'GET', '/api/price-types/purchase')).json().isDefault).toBe(false);

    // Prices are set in set-by-hand types only.
    const derivedRow = await send(app, 'PUT', '/api/prices', { priceTypeId: 'wholesale', productId: 'g1', validFrom: TODAY, price: 1 });
    expect(derivedRow.statusCode).toBe(422);
  });

  it('the price on the order date is the latest on or before it: a change the day after is not used', async () => {
    await setPrice('retail', 'g1', daysAgo(30), 1000);
    await setPrice('retail', 'g1', TOMORROW, 1100);
    await setPrice('retail', 'g7', daysAgo(10), 333.33);
    await setPrice('purchase', 'g1', daysAgo(30), 700);
    // No agreement is open to alpha: the default type (retail).
    const today = await priced({ partnerId: 'alpha', date: TODAY, lines: [{ productId: 'g1', quantity: 2 }] });
    expect(today.agreement).toBeNull();
    expect(today.priceType).toMatchObject({ id: 'retail', source: 'default', vatIncluded: true });
    expect(today.lines[0]).toMatchObject({
      price: 1000,
      priceSource: 'priceType',
      priceType: { id: 'retail' },
      priceRow: { priceTypeId: 'retail', validFrom: daysAgo(30), price: 1000 },
      amount: 2000,
    });
    const tomorrow = await priced({ partnerId: 'alpha', date: TOMORROW, lines: [{ productId: 'g1', quantity: 2 }] });
    expect(tomorrow.lines[0]).toMatchObject({ price: 1100, priceRow: { validFrom: TOMORROW } });
    // Before the first price: none, said so.
    const early = await price({ partnerId: 'alpha', date: daysAgo(31), lines: [{ productId: 'g1', quantity: 1 }] });
    expect(early.statusCode).toBe(422);
    expect(early.json().error).toMatchObject({ code: 'PRICE_NOT_FOUND', details: { line: 1, productId: 'g1', priceTypeId: 'retail', date: daysAgo(31) } });
    // 20 % VAT inside 2,000: 2,000 × 20 / 120 = 333.33.
    expect(today.totals).toMatchObject({ amount: 2000, vatIncluded: true, vatRate: 20, vatAmount: 333.33, amountWithVat: 2000 });
  });

  it("derived type with markup and rounding: the agreement's type, the base row shown; manual lines kept", async () => {
    await ok('POST', '/api/agreements', { id: 'opt', name: 'Оптовое', priceType: 'wholesale', discountPercent: 2 });
    const order = await priced({
      partnerId: 'alpha',
      date: TODAY,
      lines: [
        { productId: 'g1', quantity: 2 },
        { productId: 'g7', quantity: 1 },
        { productId: 'g2', quantity: 1, price: 50 },
      ],
    });
    expect(order.agreement).toEqual({ id: 'opt', name: 'Оптовое', priceType: 'wholesale', discountPercent: 2, chosen: 'automatic' });
    expect(order.priceType).toMatchObject({ id: 'wholesale', source: 'agreement' });
    // 1,000 − 10 % = 900 → to 10: 900; 333.33 − 10 % = 299.997 → 300.00 → to 10: 300.
    expect(order.lines.map((l: { price: number; priceSource: string }) => [l.price, l.priceSource])).toEqual([
      [900, 'priceType'],
      [300, 'priceType'],
      [50, 'manual'],
    ]);
    expect(order.lines[0].priceRow).toEqual({ priceTypeId: 'retail', validFrom: daysAgo(30), price: 1000 });
    expect(order.lines[0].priceType).toMatchObject({ id: 'wholesale', name: 'Оптовая' });
    // Then the discounts as before: the agreement's 2 % on 1,800 + 300 + 50 = 2,150 → 43; VAT of 2,107 inside: 351.17.
    expect(order.lines.map((l: { discountAmount: number }) => l.discountAmount)).toEqual([36, 6, 1]);
    expect(order.totals).toEqual({ amount: 2150, discountAmount: 43, amountAfterDiscount: 2107, vatIncluded: true, vatRate: 20, vatAmount: 351.17, amountWithVat: 2107 });
  });

  it('VAT not included: converted into a VAT-included derived type, and added on top of an order in a type without it', async () => {
    await ok('POST', '/api/agreements', { id: 'dealers', name: 'Дилерское', priceType: 'dealer', priority: 5 });
    // dealers (priority 5) wins over opt (0): 700 without VAT → 840 with 20 % → +15 % = 966 → .99 up: 966.99.
    const dealer = await priced({ partnerId: 'alpha', date: TODAY, lines: [{ productId: 'g1', quantity: 1 }] });
    expect(dealer.agreement).toMatchObject({ id: 'dealers', chosen: 'automatic' });
    expect(dealer.lines[0]).toMatchObject({ price: 966.99, priceRow: { priceTypeId: 'purchase', price: 700 } });
    // Named: the order's own choice.
    const named = await priced({ partnerId: 'alpha', agreementId: 'opt', date: TODAY, lines: [{ productId: 'g1', quantity: 1 }] });
    expect(named.agreement).toMatchObject({ id: 'opt', chosen: 'named' });
    await ok('POST', '/api/agreements', { id: 'buyers', name: 'По закупочной', priceType: 'purchase', priority: 10 });
    const purchase = await priced({ partnerId: 'alpha', date: TODAY, lines: [{ productId: 'g1', quantity: 3 }] });
    // 3 × 700 = 2,100 without VAT; 20 % on top: 420; 2,520 with it.
    expect(purchase.totals).toEqual({ amount: 2100, discountAmount: 0, amountAfterDiscount: 2100, vatIncluded: false, vatRate: 20, vatAmount: 420, amountWithVat: 2520 });
    await ok('DELETE', '/api/agreements/buyers', undefined, 204);
  });

  it('which agreement applies: validity, segment, priority, then a segment over everyone, then the id', async () => {
    await ok('POST', '/api/segments', { id: 'key-clients', kind: 'partner', name: 'Ключевые', method: 'manual' });
    await ok('POST', '/api/segments/key-clients/members', { ids: ['alpha'] }, 200);
    await ok('POST', '/api/agreements', { id: 'key', name: 'Ключевым', segmentId: 'key-clients', priceType: 'retail', priority: 5 });
    // Same priority as dealers: the one for a segment wins.
    expect((await priced({ partnerId: 'alpha', date: TODAY, lines: [{ productId: 'g1', quantity: 1 }] })).agreement.id).toBe('key');
    // beta is not in the segment: dealers.
    expect((await priced({ partnerId: 'beta', date: TODAY, lines: [{ productId: 'g1', quantity: 1 }] })).agreement.id).toBe('dealers');
    // Out of its validity: the next one.
    await ok('PATCH', '/api/agreements/key', { validTo: daysAgo(1) });
    expect((await priced({ partnerId: 'alpha', date: TODAY, lines: [{ productId: 'g1', quantity: 1 }] })).agreement.id).toBe('dealers');
    await ok('DELETE', '/api/agreements/key', undefined, 204);
    // A price type in use is not deleted.
    const inUse = await send(app, 'DELETE', '/api/price-types/dealer');
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error).toMatchObject({ code: 'PRICE_TYPE_IN_USE' });
    expect(inUse.json().error.details.usedBy).toEqual(['agreement "Дилерское" (dealers)']);
  });

  it("an agreement without a price type: the default type; the partner's price list in JSON and XLSX", async () => {
    await ok('PATCH', '/api/agreements/dealers', { priceType: null });
    const order = await priced({ partnerId: 'alpha', date: TODAY, lines: [{ productId: 'g7', quantity: 1 }] });
    expect(order.agreement).toMatchObject({ id: 'dealers', priceType: null });
    expect(order.priceType).toMatchObject({ id: 'retail', source: 'default' });
    expect(order.lines[0].price).toBe(333.33);
    await ok('PATCH', '/api/agreements/dealers', { priceType: 'dealer' });

    const list = await send(app, 'GET', `/api/partners/alpha/prices?date=${TODAY}&products=g1,g7`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json()).toMatchObject({
      partnerId: 'alpha',
      partnerName: 'ООО Альфа',
      agreement: { id: 'dealers' },
      priceType: { id: 'dealer' },
      priceTypeSource: 'agreement',
      items: [
        { productId: 'g1', productName: 'Товар 1', price: 966.99, row: { priceTypeId: 'purchase', validFrom: daysAgo(30), price: 700 } },
        { productId: 'g7', price: null, row: null },
      ],
    });
    const bySegment = await send(app, 'GET', `/api/partners/alpha/prices?date=${TODAY}&productSegment=segment1&agreementId=opt`);
    expect(bySegment.json().items.map((i: { productId: string; price: number | null }) => [i.productId, i.price])).toEqual([
      ['g1', 900],
      ['g8', null],
    ]);
    expect((await send(app, 'GET', `/api/partners/alpha/prices?date=${TODAY}`)).statusCode).toBe(400);

    for (const [lang, title, header] of [
      ['en', 'Price list for "ООО Альфа"', 'Price (RUB)'],
      ['ru', 'Прайс-лист для «ООО Альфа»', 'Цена (RUB)'],
    ] as const) {
      const xlsx = await app.inject({ method: 'GET', url: `/api/partners/alpha/price-list.xlsx?date=${TODAY}&products=g1,g7`, headers: { 'accept-language': `${lang};q=1` } });
      expect(xlsx.statusCode).toBe(200);
      expect(xlsx.headers['content-type']).toContain('spreadsheetml');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      const sheet = book.worksheets[0]!;
      expect(String(sheet.getCell('A1').value)).toContain(title);
      expect(sheet.getCell('D5').value).toBe(header);
      expect(sheet.getCell('A6').value).toBe('g1');
      expect(sheet.getCell('D6').value).toBe(966.99);
    }
  });

  it('prices import from CSV through the importer, with row-level errors; the next order sees them', async () => {
    const csv = ['priceType;product;validFrom;price', `retail;g2;${daysAgo(3)};250`, `retail;nope;${daysAgo(3)};1`, `ghost;g2;${daysAgo(3)};1`, `retail;g3;${daysAgo(3)};-5`].join('\n');
    const bad = await app.inject({ method: 'POST', url: '/api/import/prices', headers: { 'content-type': 'text/csv' }, payload: csv });
    expect(bad.statusCode).toBe(422);
    const errors = bad.json().error.details.errors as { line: number; column: string | null; reason: string }[];
    expect(errors.map((e) => [e.line, e.column])).toEqual(
      expect.arrayContaining([
        [3, 'product'],
        [4, 'priceType'],
        [5, 'price'],
      ]),
    );
    expect(errors.find((e) => e.line === 4)!.reason).toBe('unknown price type "ghost"');
    const good = await app.inject({ method: 'POST', url: '/api/import/prices?skipBad=true', headers: { 'content-type': 'text/csv' }, payload: csv });
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json()).toMatchObject({ inserted: 1, skipped: 3 });
    // Importing the same row again changes nothing; a new price for the same date replaces it.
    const again = await app.inject({
      method: 'POST',
      url: '/api/import/prices',
      headers: { 'content-type': 'application/json' },
      payload: [{ priceType: 'retail', product: 'g2', validFrom: daysAgo(3), price: 260 }],
    });
    expect(again.json()).toMatchObject({ inserted: 0, updated: 1 });
    const order = await priced({ partnerId: 'beta', agreementId: 'opt', date: TODAY, lines: [{ productId: 'g2', quantity: 1 }] });
    // 260 − 10 % = 234 → to 10: 230.
    expect(order.lines[0]).toMatchObject({ price: 230, priceRow: { priceTypeId: 'retail', validFrom: daysAgo(3), price: 260 } });
    // A derived type's prices are computed: its rows are refused, each said where.
    const derived = await app.inject({
      method: 'POST',
      url: '/api/import/prices',
      headers: { 'content-type': 'application/json' },
      payload: [{ priceType: 'wholesale', product: 'g2', validFrom: TODAY, price: 1 }],
    });
    expect(derived.statusCode).toBe(422);
    expect(derived.json().error.details.errors[0]).toMatchObject({ line: 1, element: 0, column: 'priceType', value: 'wholesale' });
    expect(derived.json().error.details.errors[0].reason).toContain('derived from "retail"');
    // An XLSX sheet as a spreadsheet saves it: dates as dates, prices as numbers.
    const sheetBook = new ExcelJS.Workbook();
    const sheet = sheetBook.addWorksheet('Цены');
    sheet.addRow(['priceType', 'product', 'validFrom', 'price']);
    sheet.addRow(['retail', 'g3', new Date(`${daysAgo(2)}T00:00:00Z`), 199.9]);
    sheet.addRow(['retail', 'g4', 'вчера', 10]);
    const file = Buffer.from(await sheetBook.xlsx.writeBuffer());
    const xlsxBad = await app.inject({ method: 'POST', url: '/api/import/prices', headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }, payload: file });
    expect(xlsxBad.statusCode).toBe(422);
    expect(xlsxBad.json().error.details.errors).toMatchObject([{ line: 3, column: 'validFrom', value: 'вчера' }]);
    const xlsx = await app.inject({
      method: 'POST',
      url: '/api/import/prices?skipBad=true',
      headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      payload: file,
    });
    expect(xlsx.json()).toMatchObject({ format: 'xlsx', rows: 2, inserted: 1, skipped: 1 });
    expect((await priced({ partnerId: 'beta', agreementId: 'opt', date: TODAY, lines: [{ productId: 'g3', quantity: 1 }] })).lines[0]).toMatchObject({
      // 199.90 − 10 % = 179.91 → to 10: 180.
      price: 180,
      priceRow: { priceTypeId: 'retail', validFrom: daysAgo(2), price: 199.9 },
    });
    const history = await send(app, 'GET', '/api/prices?priceTypeId=retail&productId=g1');
    expect(history.json()).toEqual({
      items: [
        { priceTypeId: 'retail', productId: 'g1', validFrom: TOMORROW, price: 1100 },
        { priceTypeId: 'retail', productId: 'g1', validFrom: daysAgo(30), price: 1000 },
      ],
      total: 2,
    });
    expect((await send(app, 'GET', `/api/prices?priceTypeId=retail&productId=g1&date=${TODAY}`)).json().items).toEqual([
      { priceTypeId: 'retail', productId: 'g1', validFrom: daysAgo(30), price: 1000 },
    ]);
  });
});
