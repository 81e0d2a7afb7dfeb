/**
 * The web UI as a user meets it: the real service on a small company, the built UI, Debian's
 * Chromium. (`npm run screenshots` saves pictures of the same screens to docs/screenshots/.)
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, hasNoHorizontalScroll, type Viewport } from './browser-suite.js';
import { DESKTOP, PHONE, shouldSkipBrowserSuite } from './browser.js';
import { PARTNERS, ROMASHKA } from './demo-server.js';

const PAGE_SIZE = 25;

/** Waits for a value the page shows once its requests have answered. */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000, interval: 100 });
/** Text as a person reads it: whitespace and line breaks between elements as single spaces. */
const readText = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

describe.skipIf(shouldSkipBrowserSuite())('web UI in Chromium', () => {
  const suite = browserSuite();
  const open = (path: string, viewport: Viewport = DESKTOP) => suite.open(path, viewport);

  const totalBadge = (page: Page) => page.getByTestId('partners-total');
  const tableRows = (page: Page) => page.locator('table tbody tr');
  const pageLanguage = (page: Page) => page.evaluate<string>('document.documentElement.lang');

  it('lists partners in Russian, searches, and opens a partner card', async () => {
    const page = await open('/partners');
    await page.getByRole('heading', { name: 'Партнёры' }).waitFor();
    await eventually(() => totalBadge(page).textContent()).toBe(`Найдено: ${PARTNERS.length}`);
    await eventually(() => tableRows(page).count()).toBe(PAGE_SIZE);
    expect(await page.getByTestId('partners-range').textContent()).toBe(`1–${PAGE_SIZE} из ${PARTNERS.length}`);

    await page.getByTestId('partner-search').fill('ромаш');
    await eventually(() => totalBadge(page).textContent()).toBe('Найдено: 1');
    await eventually(() => tableRows(page).count()).toBe(1);
    expect(page.url()).toContain('q=');

    await page.getByRole('link', { name: ROMASHKA.name }).click();
    await page.getByRole('heading', { name: ROMASHKA.name, level: 2 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/partners/${ROMASHKA.id}`);
    const field = (name: string) => page.locator(`[data-field="${name}"]`);
    expect(await readText(field('legalForm'))).toBe('Юр. / физ. лицо Компания');
    await eventually(() => readText(field('region'))).toBe('Бизнес-регион Россия / Урал / Пермь');
    await eventually(() => readText(field('manager'))).toBe('Основной менеджер Смирнова Елена');
    expect(await readText(field('registeredAt'))).toBe('Дата регистрации 12 апреля 2019 г.');
    expect(await readText(field('email'))).toBe(`Электронная почта ${ROMASHKA.email}`);
    const properties = page.getByTestId('partner-properties');
    expect(await properties.innerText()).toContain('Количество сотрудников');
    expect(await properties.innerText()).toContain('15 марта 2021 г.');
    await page.getByTestId('partner-segments').getByText('VIP (вручную)').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('filters by role and sorts by a column header, keeping both in the URL', async () => {
    const page = await open('/partners');
    await eventually(() => totalBadge(page).textContent()).toBe(`Найдено: ${PARTNERS.length}`);

    await page.getByTestId('filter-role').click();
    await page.getByRole('option', { name: 'Поставщик' }).click();
    const suppliers = PARTNERS.filter((p) => p.roles.includes('supplier'));
    await eventually(() => totalBadge(page).textContent()).toBe(`Найдено: ${suppliers.length}`);
    expect(page.url()).toContain('role=supplier');

    await page.getByRole('button', { name: 'Зарегистрирован' }).click();
    const newest = [...suppliers].sort((a, b) => b.registeredAt.localeCompare(a.registeredAt))[0]!;
    await eventually(() => tableRows(page).first().innerText()).toContain(newest.name);
    expect(page.url()).toContain('sort=registeredAt');
    expect(page.url()).toContain('order=desc');

    await page.reload();
    await eventually(() => totalBadge(page).textContent()).toBe(`Найдено: ${suppliers.length}`);
    await eventually(() => tableRows(page).first().innerText()).toContain(newest.name);
  });

  it('pages through the list', async () => {
    const page = await open('/partners');
    await eventually(() => tableRows(page).count()).toBe(PAGE_SIZE);
    await page.getByRole('button', { name: '2', exact: true }).click();
    await eventually(() => tableRows(page).count()).toBe(PARTNERS.length - PAGE_SIZE);
    expect(await page.getByTestId('partners-range').textContent()).toBe(`${PAGE_SIZE + 1}–${PARTNERS.length} из ${PARTNERS.length}`);
  });

  it('switches to English and remembers it after a reload', async () => {
    const page = await open(`/partners/${ROMASHKA.id}`);
    await page.getByText('Основной менеджер').waitFor();
    expect(await pageLanguage(page)).toBe('ru');

    await page.getByTestId('language-switch').getByText('EN').click();
    await page.getByText('Account manager').waitFor();
    expect(await page.getByText('Основной менеджер').count()).toBe(0);
    expect(await readText(page.locator('[data-field="legalForm"]'))).toBe('Legal form Company');
    expect(await readText(page.locator('[data-field="registeredAt"]'))).toBe('Registered on 12 April 2019');
    expect(await page.getByRole('navigation').innerText()).toContain('Sales terms');

    await page.reload();
    await page.getByText('Account manager').waitFor();
    expect(await pageLanguage(page)).toBe('en');
    await page.getByRole('link', { name: 'All partners' }).click();
    await eventually(() => totalBadge(page).textContent()).toBe(`Found: ${PARTNERS.length}`);

    await page.getByTestId('language-switch').getByText('RU').click();
    await eventually(() => totalBadge(page).textContent()).toBe(`Найдено: ${PARTNERS.length}`);
  });

  it('shows a translated error for a partner that does not exist', async () => {
    const page = await open('/partners/no-such-partner');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Не найдено: партнёр с кодом «no-such-partner»');
    expect(await alert.getAttribute('data-error-code')).toBe('ENTITY_NOT_FOUND');

    await page.getByTestId('language-switch').getByText('EN').click();
    await eventually(() => alert.innerText()).toContain('No partner with code "no-such-partner"');
    // The code is for support, not for the reader (issue 21): a known error shows its message only.
    expect(await alert.innerText()).not.toContain('ENTITY_NOT_FOUND');
  });

  it('opens the sales terms from the navigation, on the order try-out (no section is a placeholder any more)', async () => {
    const page = await open('/partners');
    await page.locator('[data-nav="sales-terms"]').click();
    await page.getByTestId('order-form').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sales-terms/order');
    expect(await page.getByTestId('coming-soon').count()).toBe(0);
  });

  it('fits a phone screen without horizontal scrolling', async () => {
    const page = await open('/partners', PHONE);
    await eventually(() => page.getByTestId('partner-card-row').count()).toBe(PAGE_SIZE);
    expect(await page.locator('table').count()).toBe(0);
    expect(await hasNoHorizontalScroll(page)).toBe(true);

    await page.getByTestId('partner-card-row').filter({ hasText: ROMASHKA.name }).click();
    await page.getByTestId('partner-properties').waitFor();
    expect(await hasNoHorizontalScroll(page)).toBe(true);

    // The navigation is behind the menu button on a phone.
    await page.getByRole('button', { name: 'Меню' }).click();
    await page.locator('[data-nav="analytics"]').click();
    await page.getByTestId('rfm-empty').waitFor();
    expect(await hasNoHorizontalScroll(page)).toBe(true);
  });
});
