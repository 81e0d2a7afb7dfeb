/**
 * The sales-terms screens as a sales manager uses them, in Debian's Chromium against the real
 * service: build seed 002's kind of cumulative discount table on screen, price an order in the
 * try-out and read each line's percent and the segment behind it; ban shipping to debtors and
 * see the check refuse, with the reason; be told, in Russian and English, why a dynamic segment
 * cannot open an agreement; follow a segment's "where it is used" to the term; fit a phone.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, hasNoHorizontalScroll, type Viewport } from './browser-suite.js';
import { DESKTOP, PHONE, shouldSkipBrowserSuite } from './browser.js';
import { PRODUCTS } from './demo-facts.js';
import { PARTNERS } from './demo-server.js';
import { OVERDUE, PRODUCT_SEGMENTS, purchases, seedTermsFixture, tablePercent, TOOLS_TABLE } from './terms-fixture.js';
import { choose, fillNumber, fillOrder } from './terms-ui.js';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const readText = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

/**
 * The table the first test enters on screen (the fixture's TOOLS_TABLE): "after the first
 * purchase", then purchases from 50,000 over 12 months and from 1,000,000 over 24 months;
 * power tools and consumables down the side.
 */
const TABLE = TOOLS_TABLE;
const COLUMNS = TABLE.columns;
const segmentName = (id: string) => PRODUCT_SEGMENTS.find((s) => s.id === id)!.name;
/** The order priced: a drill, a saw and cutting discs for АО «Уральские самоцветы». */
const CUSTOMER = PARTNERS.find((p) => p.id === 'p003')!;
const LINES = [
  { product: PRODUCTS.find((p) => p.id === 'g01')!, quantity: 2 },
  { product: PRODUCTS.find((p) => p.id === 'g03')!, quantity: 1 },
  { product: PRODUCTS.find((p) => p.id === 'g05')!, quantity: 10 },
];
/** A debtor: its only settlement is a debt that fell due 90 days ago (demo-facts.ts). */
const DEBTOR = PARTNERS.find((p) => p.id === 'p008')!;
const BAN_REASON = 'просроченная дебиторская задолженность';

describe.skipIf(shouldSkipBrowserSuite())('sales terms in Chromium', () => {
  const suite = browserSuite({ seed: seedTermsFixture });
  const open = (path: string, viewport: Viewport = DESKTOP) => suite.open(path, viewport);
  it('creates a cumulative discount table on screen, then prices an order with the percent each line earns and the segment behind it', async () => {
    const expected = LINES.map((l) => tablePercent(TABLE, CUSTOMER.id, l.product.id));
    // The order meets different cells of the table: not one percent for everything.
    expect(new Set(expected).size).toBeGreaterThan(1);

    const page = await open('/sales-terms/tables');
    await page.getByTestId('tables').getByText('Накопительных скидок пока нет').waitFor();
    await page.getByTestId('tables-create').click();
    await page.getByTestId('table-editor').waitFor();
    await page.getByTestId('table-name').fill(TABLE.name);
    await page.getByTestId('table-id').fill(TABLE.id);

    // The form starts with the article's five columns; keep three and set their thresholds.
    const columns = page.getByTestId('table-columns').locator('tbody tr');
    expect(await columns.count()).toBe(5);
    for (let i = 0; i < 2; i++) await columns.last().getByRole('button', { name: 'Удалить колонку' }).click();
    await eventually(() => columns.count()).toBe(3);
    for (const [i, column] of COLUMNS.entries()) {
      if (i === 0) continue;
      await fillNumber(page.getByTestId(`table-column-${i}-threshold`), column.threshold);
      await fillNumber(page.getByTestId(`table-column-${i}-months`), column.months!);
    }
    for (const [i, row] of TABLE.rows.entries()) {
      if (i > 0) await page.getByTestId('table-add-row').click();
      await choose(page, page.getByTestId(`table-row-${i}-segment`), segmentName(row.productSegment));
      for (const [c, percent] of row.percents.entries()) await fillNumber(page.getByTestId(`table-cell-${i}-${c}`), String(percent));
    }
    await page.getByTestId('table-save').click();

    // What it made: a discount per cell, a periodic partner segment per cell, generated at once.
    await eventually(() => new URL(page.url()).pathname).toBe(`/sales-terms/tables/${TABLE.id}`);
    const saved = page.getByTestId('table-saved');
    await eventually(() => readText(saved)).toContain('Скидки: создано 6, изменено 0, без изменений 0, удалено 0.');
    await eventually(() => saved.getByTestId('table-generation').getAttribute('data-finished')).toBe('true');
    expect(await readText(saved)).toContain('Сегменты сформированы: 6 из 6.');
    const cells = page.getByTestId('table-grid').getByTestId('table-cell');
    const shown: (string | null)[] = [];
    for (let i = 0; i < (await cells.count()); i++) shown.push(await cells.nth(i).getAttribute('data-percent'));
    expect(shown).toEqual(TABLE.rows.flatMap((r) => r.percents.map(String)));
    const made = page.getByTestId('table-made-row');
    await eventually(() => made.count()).toBe(6);
    const madeSegment = made.first().getByTestId('segment-link').last();
    expect(await madeSegment.getAttribute('href')).toMatch(/^\/segments\/cum-power-tools-all-documents-gte-1$/);

    // Price the order in the try-out.
    await page.getByTestId('terms-tab-order').click();
    await page.getByTestId('order-empty').waitFor();
    await fillOrder(page, CUSTOMER, LINES);
    await page.getByTestId('order-price').click();
    const priced = page.getByTestId('price-result').getByTestId('priced-line');
    await eventually(() => priced.count()).toBe(LINES.length);
    for (const [i, line] of LINES.entries()) {
      const row = priced.nth(i);
      expect(await row.getAttribute('data-product')).toBe(line.product.id);
      expect(Number(await row.getAttribute('data-percent'))).toBe(expected[i]);
      expect(await readText(row.getByTestId('percent-badge'))).toBe(`${String(expected[i]).replace('.', ',')} %`);
      // The segment behind it: the cumulative segment of the highest column the customer reached.
      const group = TABLE.rows.find((r) => r.percents.includes(expected[i]!))!;
      const column = COLUMNS[group.percents.indexOf(expected[i]!)]!;
      expect(purchases(CUSTOMER.id, group.group, column)).toBeGreaterThanOrEqual(column.threshold);
      const segment = row.getByTestId('line-segment');
      expect(await segment.getAttribute('href')).toContain(`/segments/cum-${group.productSegment}-`);
      expect(await row.getByTestId('line-product-segment').getAttribute('data-segment')).toBe(group.productSegment);
    }
    // Totals: amounts less each line's discount, rounded as the server does.
    const amount = LINES.reduce((sum, l) => sum + l.quantity * l.product.price, 0);
    const discount = LINES.reduce((sum, l, i) => sum + Math.round(l.quantity * l.product.price * expected[i]!) / 100, 0);
    const money = (n: number) => new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n).replace(/\s+/g, ' ');
    expect(await readText(page.getByTestId('total-amount'))).toBe(money(amount));
    expect(await readText(page.getByTestId('total-discount'))).toBe(money(discount));
    expect(await readText(page.getByTestId('total-to-pay'))).toBe(money(amount - discount));

    // A manual discount is added to every line.
    await fillNumber(page.getByTestId('order-manual'), '1,5');
    await page.getByTestId('price-result').getByText('Заказ изменён — пересчитайте').waitFor();
    await page.getByTestId('order-price').click();
    await eventually(async () => Number(await priced.first().getAttribute('data-percent'))).toBe(expected[0]! + 1.5);
  });

  it('bans shipping to a segment of debtors: the check refuses with the reason, and allows others', async () => {
    const page = await open('/sales-terms/bans');
    await page.getByTestId('bans-create').click();
    const form = page.getByTestId('ban-form');
    await form.getByTestId('ban-name').fill('Стоп по долгам');
    await choose(page, form.getByTestId('ban-segment'), OVERDUE.name, 'Просроч');
    await form.getByTestId('ban-reason').fill(BAN_REASON);
    await form.getByTestId('term-save').click();
    const row = page.getByTestId('bans').locator('tbody tr').filter({ hasText: 'Стоп по долгам' });
    await row.waitFor();
    expect(await readText(row)).toContain(OVERDUE.name);

    await page.getByTestId('terms-tab-order').click();
    await fillOrder(page, DEBTOR, [LINES[0]!]);
    await page.getByTestId('order-check').click();
    const verdict = page.getByTestId('check-result');
    await eventually(() => verdict.getAttribute('data-allowed')).toBe('false');
    expect(await verdict.getByTestId('check-verdict').innerText()).toBe('Отгрузка запрещена');
    const reason = verdict.getByTestId('check-reason');
    expect(await reason.getAttribute('data-code')).toBe('SHIPMENT_BANNED');
    expect(await readText(reason)).toContain('Запрет отгрузки «Стоп по долгам»');
    expect(await reason.getByTestId('check-reason-segment').innerText()).toBe(OVERDUE.name);
    expect(await reason.getByTestId('check-reason-text').innerText()).toBe(`Причина: ${BAN_REASON}`);

    // The same order for a customer whose debt is not due yet may be shipped.
    await page.getByTestId('order-partner').click();
    await choose(page, page.getByTestId('order-partner'), CUSTOMER.name, 'самоцв');
    await page.getByTestId('order-check').click();
    await eventually(() => verdict.getAttribute('data-allowed')).toBe('true');
    expect(await verdict.getByTestId('check-verdict').innerText()).toBe('Отгрузка разрешена');

    // The ban's segment lists it under "where it is used", with a link back to the ban.
    await page.goto(`/segments/${OVERDUE.id}?tab=usage`);
    const use = page.getByTestId('usage-item').filter({ hasText: 'Стоп по долгам' });
    await use.getByRole('link', { name: 'Стоп по долгам' }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/sales-terms/bans');
    await page.getByTestId('ban-form').waitFor();
    expect(await page.getByTestId('ban-name').inputValue()).toBe('Стоп по долгам');
  });

  it('refuses a dynamic segment for an agreement, said at the field in Russian and then in English', async () => {
    const page = await open('/sales-terms/agreements');
    await page.getByTestId('agreements-create').click();
    const form = page.getByTestId('agreement-form');
    await form.getByTestId('agreement-name').fill('Для уснувших клиентов');
    // The picker offers stored segments only; the dynamic ones are behind "show the others".
    await form.getByTestId('agreement-segment').click();
    expect(await page.getByRole('option', { name: /Уснувшие клиенты/ }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await form.getByTestId('agreement-segment-show-all').click();
    await choose(page, form.getByTestId('agreement-segment'), 'Уснувшие клиенты (динамический)');
    await form.getByTestId('term-save').click();

    const field = form.getByTestId('agreement-segment-error');
    await eventually(() => readText(field)).toContain('Сегмент «Уснувшие клиенты» динамический');
    expect(await readText(field)).toContain('Выберите периодически обновляемый или ручной сегмент');
    expect(await form.getByRole('alert').count()).toBe(0);

    // The same refusal in English: close, switch the language, try again.
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    await page.getByTestId('language-switch').getByText('EN').click();
    await page.getByRole('heading', { name: 'Customer agreements' }).waitFor();
    await page.getByTestId('agreements-create').click();
    await form.getByTestId('agreement-name').fill('Для уснувших клиентов');
    await form.getByTestId('agreement-segment-show-all').click();
    await choose(page, form.getByTestId('agreement-segment'), 'Уснувшие клиенты (dynamic)');
    await form.getByTestId('term-save').click();
    await eventually(() => readText(field)).toContain('Segment "Уснувшие клиенты" is dynamic');
    expect(await readText(field)).toContain('Choose a periodic or manual segment');

    // A stored segment is accepted, and the list shows the agreement with its segment.
    await choose(page, form.getByTestId('agreement-segment'), 'Инструмент: Урал и опт');
    await fillNumber(form.getByTestId('agreement-discount'), 3);
    await form.getByTestId('term-save').click();
    const row = page.getByTestId('agreements').locator('tbody tr').filter({ hasText: 'Для уснувших клиентов' });
    await row.waitFor();
    expect(await readText(row)).toContain('Инструмент: Урал и опт');
    expect(await row.getByTestId('percent-badge').innerText()).toBe('3%');
  });

  it('fits a phone: the tabs, the try-out and its result without sideways scrolling', async () => {
    const page = await open('/sales-terms/order', PHONE);
    await page.getByTestId('order-form').waitFor();
    expect(await hasNoHorizontalScroll(page)).toBe(true);
    await fillOrder(page, CUSTOMER, LINES.slice(0, 2));
    await page.getByTestId('order-price').click();
    const priced = page.getByTestId('priced-line');
    await eventually(() => priced.count()).toBe(2);
    expect(await page.locator('[data-testid="price-result"] table').count()).toBe(0);
    expect(await hasNoHorizontalScroll(page)).toBe(true);
    await page.goto(`/sales-terms/tables/${TABLE.id}`);
    await page.getByTestId('table-grid').waitFor();
    expect(await hasNoHorizontalScroll(page)).toBe(true);
  });
  it('uploads a cumulative table from a CSV file: problems by line and column first, then the table and what it made', async () => {
    const page = await open('/sales-terms/tables/new');
    await page.getByTestId('table-editor').waitFor();
    await page.getByTestId('table-id').fill('consumables-csv');
    await page.getByTestId('table-name').fill('Расходники из файла');
    await page.getByTestId('table-mode').getByText('Загрузить из CSV').click();
    /** Chooses a file in the file input, as the browser's file dialog would. */
    const upload = async (text: string) => {
      const chooser = page.waitForEvent('filechooser');
      await page.getByTestId('table-csv-file').click();
      await (await chooser).setFiles({ name: 'skidki.csv', mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
    };

    // A heading without a threshold: refused, nothing saved, the cell named.
    await upload('Сегмент номенклатуры;После первой покупки;когда-нибудь\nРасходные материалы;2,5;7\n');
    await eventually(() => page.getByTestId('table-csv-text').inputValue()).toContain('когда-нибудь');
    await page.getByTestId('table-upload').click();
    await page.locator('[role="alert"][data-error-code="DISCOUNT_TABLE_INVALID"]').waitFor();
    expect(await readText(page.getByTestId('table-issues'))).toContain('Строка 1, колонка 3 («когда-нибудь»)');

    await upload('Сегмент номенклатуры;После первой покупки;от 100000 руб. за 24 мес.\nРасходные материалы;2,5;7\n');
    await eventually(() => page.getByTestId('table-csv-text').inputValue()).toContain('от 100000');
    await page.getByTestId('table-upload').click();
    await eventually(() => new URL(page.url()).pathname).toBe('/sales-terms/tables/consumables-csv');
    const saved = page.getByTestId('table-saved');
    await eventually(() => readText(saved)).toContain('Скидки: создано 2, изменено 0, без изменений 0, удалено 0.');
    await eventually(() => saved.getByTestId('table-generation').getAttribute('data-finished')).toBe('true');
    const cells = page.getByTestId('table-grid').getByTestId('table-cell');
    expect([await cells.nth(0).getAttribute('data-percent'), await cells.nth(1).getAttribute('data-percent')]).toEqual(['2.5', '7']);
    expect(await readText(page.getByTestId('table-grid').locator('thead'))).toContain('Сумма покупок ≥ 100 000 · за 24 мес.');
    await eventually(() => page.getByTestId('table-made-row').count()).toBe(2);
    // The row's segment was named in the file; the table links to it.
    expect(await page.getByTestId('table-grid').getByRole('link', { name: 'Расходные материалы' }).getAttribute('href')).toBe('/segments/consumables');
  });
});
