/**
 * The import screen in Chromium: an XLSX of 1C partners (an unknown column left out by its select,
 * the first rows previewed, imported with its report) and a Windows-1251 CSV with Bitrix24
 * headings (the encoding shown, a bad row listed with its reason in Russian and refused until
 * skipped), imported as a job whose progress the screen follows until the report, Cyrillic intact.
 */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { workbook } from '../import-helpers.js';
import { browserSuite } from './browser-suite.js';
import { DESKTOP, shouldSkipBrowserSuite } from './browser.js';
import { DEMO_USERS } from './demo-server.js';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

describe.skipIf(shouldSkipBrowserSuite())('the import screen in Chromium', () => {
  const suite = browserSuite();

  it('imports an XLSX with 1C headings after leaving out an unknown column', async () => {
    const page = await suite.open('/segments', DESKTOP, 'ru');
    await page.locator('[data-nav="import"]').click();
    await page.getByTestId('import-page').waitFor();
    const bytes = await workbook({
      Контрагенты: [
        ['Код', 'Наименование', 'Основной менеджер', 'Бизнес-регион', 'Дата регистрации', 'Примечание'],
        ['imp-1', 'ООО «Ёлка и Ко»', 'm1', 'perm', new Date(Date.UTC(2024, 2, 5)), 'звонить после обеда'],
        ['imp-2', 'ИП Щукин', 'm2', 'msk', '15.01.2024', ''],
      ],
    });
    await page.locator('input[type="file"]').setInputFiles({ name: 'контрагенты.xlsx', mimeType: 'application/octet-stream', buffer: bytes });

    const note = page.locator('[data-testid="import-mapping-row"][data-heading="Примечание"]');
    await eventually(() => note.getAttribute('data-how')).toBe('unknown');
    expect(await page.getByTestId('import-format').innerText()).toBe('Формат: XLSX');
    expect(await page.getByTestId('import-sheet').innerText()).toBe('Лист: Контрагенты');
    expect(await page.locator('[data-testid="import-mapping-row"][data-heading="Основной менеджер"]').getAttribute('data-how')).toBe('heading');
    expect(await page.getByTestId('import-run').isDisabled()).toBe(true);
    await page.screenshot({ path: '/tmp/import-xlsx-unknown.png', fullPage: true });

    await note.getByTestId('import-mapping-select').click();
    await page.getByRole('option', { name: 'Не загружать' }).click();
    await eventually(() => note.getAttribute('data-how')).toBe('skipped');
    await eventually(() => page.getByTestId('import-sample-row').count()).toBe(2);
    expect(await page.getByTestId('import-sample').innerText()).toContain('ООО «Ёлка и Ко»');
    expect(await page.getByTestId('import-sample').innerText()).toContain('2024-03-05');
    expect(await page.getByTestId('import-plan').innerText()).toBe('Будет добавлено 2, изменено 0, без изменений 0');

    await page.getByTestId('import-run').click();
    await page.getByTestId('import-report').waitFor();
    expect(await page.getByTestId('import-report').innerText()).toContain('Добавлено 2');
    const partner = (await (await page.request.get('/api/partners/imp-1')).json()) as { name: string; registeredAt: string };
    expect(partner).toMatchObject({ name: 'ООО «Ёлка и Ко»', registeredAt: '2024-03-05' });
  });

  it('shows a Windows-1251 CSV with Bitrix24 headings as such, lists its bad row and imports the rest when asked', async () => {
    const page = await suite.open('/import', DESKTOP, 'ru');
    await page.getByTestId('import-page').waitFor();
    const csv = 'ID;Название компании;Ответственный;Дата создания\r\nimp-3;Торговый дом «Весна»;m1;05.03.2024 14:30\r\nimp-4;Плохая дата;m1;31.02.2024\r\n';
    await page.locator('input[type="file"]').setInputFiles({ name: 'bitrix24.csv', mimeType: 'text/csv', buffer: iconv.encode(csv, 'win1251') });

    await eventually(() =>
      page
        .getByTestId('import-encoding')
        .innerText()
        .catch(() => ''),
    ).toBe('Кодировка: windows-1251');
    expect(await page.locator('[data-testid="import-mapping-row"][data-heading="Название компании"]').getAttribute('data-how')).toBe('heading');
    await eventually(() => page.getByTestId('import-error-row').count()).toBe(1);
    expect(await page.getByTestId('import-error-row').innerText()).toContain('31.02.2024');
    // The reason in the UI's language, at its row: the text the API's ?lang=ru answers (one table, src/import/row-error-codes.ts).
    expect(await page.getByTestId('import-error-reason').innerText()).toBe('"31.02.2024" — не дата (пишите ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)');
    expect(await page.getByTestId('import-sample').innerText()).toContain('Торговый дом «Весна»');
    expect(await page.getByTestId('import-run').isDisabled()).toBe(true);
    await page.screenshot({ path: '/tmp/import-cp1251.png', fullPage: true });

    await page.getByTestId('import-skip-bad').click();
    await page.getByTestId('import-run').click();
    await page.getByTestId('import-report').waitFor();
    const report = await page.getByTestId('import-report').innerText();
    expect(report).toContain('пропущено 1');
    expect(report).toContain('windows-1251');
    const partner = (await (await page.request.get('/api/partners/imp-3')).json()) as { name: string };
    expect(partner.name).toBe('Торговый дом «Весна»');
    expect((await page.request.get('/api/partners/imp-4')).status()).toBe(404);
  });

  it('lists a bad row with its reason in English when the UI is in English', async () => {
    const page = await suite.open('/import', DESKTOP, 'en');
    await page.getByTestId('import-page').waitFor();
    await page.locator('input[type="file"]').setInputFiles({ name: 'bad-date.csv', mimeType: 'text/csv', buffer: Buffer.from('id,name,registeredAt\nimp-5,Late,31.02.2024\n') });
    await eventually(() => page.getByTestId('import-error-row').count()).toBe(1);
    expect(await page.getByTestId('import-error-reason').innerText()).toBe('"31.02.2024" is not a date (write YYYY-MM-DD or DD.MM.YYYY)');
  });

  it('is not offered to a manager, who may not import', async () => {
    const page = await suite.open('/segments', DESKTOP, 'en', DEMO_USERS.manager);
    await page.locator('[data-nav="segments"]').waitFor();
    expect(await page.locator('[data-nav="import"]').count()).toBe(0);
    await page.goto('/import');
    await page.getByTestId('no-access').waitFor();
    expect(await page.getByTestId('import-page').count()).toBe(0);
  });
});
