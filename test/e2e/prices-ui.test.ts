/**
 * Prices by segment on screen (issue 19), in Chromium against the real service: the price types
 * list (set by hand, derived, the default), a derived type made in the form, an agreement whose
 * price type is chosen from the list, and the order try-out priced without typing a price — each
 * line saying which price type and which day's price it took. The prices screen filters the
 * history and refuses a bad import file row by row.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { derivePrice } from '../../src/domain/terms/price-math.js';
import { browserSuite } from './browser-suite.js';
import { DESKTOP, shouldSkipBrowserSuite } from './browser.js';
import { PRODUCTS } from './demo-facts.js';
import { PARTNERS } from './demo-server.js';
import { PRICES_RAISED, retailPrice, seedTermsFixture } from './terms-fixture.js';
import { choose, fillNumber } from './terms-ui.js';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const readText = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
const ruDate = (d: string) => `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`;
const money = (n: number) => new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n).replace(/\s+/g, ' ');

const CUSTOMER = PARTNERS.find((p) => p.id === 'p003')!;
const PRODUCT = PRODUCTS.find((p) => p.id === 'g01')!;
const RETAIL = retailPrice(PRODUCT.price);
const WHOLESALE = derivePrice(RETAIL, { vatIncluded: true }, { vatIncluded: true, vatRate: 20, markupPercent: -10, rounding: '1' });
const DEALER = derivePrice(WHOLESALE, { vatIncluded: true }, { vatIncluded: true, vatRate: 20, markupPercent: -3, rounding: '10' });

describe.skipIf(shouldSkipBrowserSuite())('prices in Chromium', () => {
  const suite = browserSuite({ seed: seedTermsFixture });

  it('makes a derived price type, gives it to an agreement from the list, and prices an order without typing prices', async () => {
    const page = await suite.open('/sales-terms/priceTypes', DESKTOP);
    const list = page.getByTestId('price-types');
    const retail = list.locator('tbody tr').filter({ hasText: /^Розничная/ });
    await retail.waitFor();
    expect(await readText(retail)).toContain('по умолчанию');
    expect(await readText(list.locator('tbody tr').filter({ hasText: /^Оптовая/ }))).toContain('От «Розничная» −10 %, округление до 1');

    await page.getByTestId('price-types-create').click();
    const form = page.getByTestId('price-type-form');
    await form.getByTestId('price-type-name').fill('Дилерская');
    await form.getByTestId('price-type-id').fill('dealer');
    await form.getByText('Рассчитываются от другого вида').click();
    await choose(page, form.getByTestId('price-type-base'), 'Оптовая');
    await fillNumber(form.getByTestId('price-type-markup'), -3);
    await choose(page, form.getByTestId('price-type-rounding'), 'до 10');
    await form.getByTestId('term-save').click();
    await list
      .locator('tbody tr')
      .filter({ hasText: /^Дилерская/ })
      .getByText('От «Оптовая» −3 %, округление до 10')
      .waitFor();

    // The agreement's price type is picked from the list of types.
    await page.getByTestId('terms-tab-agreements').click();
    await page.getByTestId('agreements-create').click();
    const agreement = page.getByTestId('agreement-form');
    await agreement.getByTestId('agreement-name').fill('Для дилеров');
    await choose(page, agreement.getByTestId('agreement-price-type'), 'Дилерская (RUB)');
    await fillNumber(agreement.getByTestId('agreement-priority'), 5);
    await agreement.getByTestId('term-save').click();
    await page.getByTestId('agreements').locator('tbody tr').filter({ hasText: 'Для дилеров' }).getByText('Дилерская').waitFor();

    // The try-out: no price typed; the line takes the agreement's type on the order date.
    await page.getByTestId('terms-tab-order').click();
    await choose(page, page.getByTestId('order-partner'), CUSTOMER.name, CUSTOMER.name.replace(/^[^«]*«/, '').slice(0, 6));
    const line = page.getByTestId('order-line').first();
    await choose(page, line.getByTestId('order-line-product'), PRODUCT.name, PRODUCT.name.slice(0, 5));
    await fillNumber(line.getByTestId('order-line-quantity'), 2);
    expect(await line.getByTestId('order-line-price').inputValue()).toBe('');
    await page.getByTestId('order-price').click();
    const priced = page.getByTestId('price-result').getByTestId('priced-line').first();
    await priced.waitFor();
    expect(await readText(priced)).toContain(`2 × ${money(DEALER)}`);
    expect(await readText(priced.getByTestId('line-price-source'))).toBe(`Дилерская, цена с ${ruDate(PRICES_RAISED)}`);
    expect(await readText(page.getByTestId('order-agreement-used'))).toContain('Для дилеров');
    expect(await readText(page.getByTestId('order-price-type'))).toContain('Вид цены: Дилерская (RUB)');
    // The price list for the client, of the order's products, as XLSX.
    const href = await page.getByTestId('order-price-list').getAttribute('href');
    expect(href).toContain(`/api/partners/${CUSTOMER.id}/price-list.xlsx?`);
    const file = await page.request.get(href!);
    expect(file.status()).toBe(200);
    expect(file.headers()['content-type']).toContain('spreadsheetml');
    await page.screenshot({ path: 'test-results/prices-try-out-ru.png', fullPage: true });
  });

  it('shows the prices history of a product and refuses a bad import file row by row', async () => {
    const page = await suite.open('/sales-terms/prices', DESKTOP);
    await page.getByTestId('prices-filter-product').fill(PRODUCT.id);
    const rows = page.getByTestId('prices-table').getByTestId('price-row');
    await eventually(() => rows.count()).toBe(2);
    expect(await readText(rows.first())).toContain(money(RETAIL));
    await page
      .getByTestId('price-import')
      .locator('input[type="file"]')
      .setInputFiles({ name: 'prices.csv', mimeType: 'text/csv', buffer: Buffer.from(`priceType;product;validFrom;price\nretail;${PRODUCT.id};2025-01-01;100\nretail;nope;2025-01-01;1\n`) });
    await page.getByTestId('price-import-run').click();
    const errors = page.getByTestId('price-import-errors');
    await errors.waitFor();
    expect(await readText(errors)).toContain('unknown product "nope"');
    await page.screenshot({ path: 'test-results/prices-list-ru.png', fullPage: true });
  });
});
