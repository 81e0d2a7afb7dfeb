/**
 * The segment screens as a sales manager uses them, in Debian's Chromium against the real
 * service: build a rule with nested groups and a sales measure, watch the live count, save,
 * generate, read the composition, see why a partner is in, switch language, see the chart.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, hasNoHorizontalScroll, type Viewport } from './browser-suite.js';
import { DESKTOP, PHONE, shouldSkipBrowserSuite } from './browser.js';
import { addDays, makeSales, monthsBack, revenueOf, TODAY } from './demo-facts.js';
import { PARTNERS, ROMASHKA } from './demo-server.js';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const readText = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

/**
 * The segment the first test builds, and its members worked out by hand from the fixture:
 * not marked for deletion, in the Ural (Perm, Yekaterinburg) or a wholesale group (with the
 * dealers below it), and over 500,000 of power tools (drills and saws) in the last 12 months.
 */
const URAL = ['perm', 'ekb'];
const WHOLESALE = ['wholesale', 'dealers'];
const THRESHOLD = 500_000;
const SALES = makeSales(PARTNERS);
const FROM = addDays(monthsBack(TODAY, 12), 1);
const EXPECTED = PARTNERS.filter((p) => !p.deleted && (URAL.includes(p.region) || WHOLESALE.includes(p.group)) && revenueOf(SALES, p.id, FROM, TODAY, ['tools', 'drills', 'saws']) > THRESHOLD).map(
  (p) => p.id,
);

describe.skipIf(shouldSkipBrowserSuite())('segment screens in Chromium', () => {
  const suite = browserSuite();
  const open = (path: string, viewport: Viewport = DESKTOP) => suite.open(path, viewport);
  const rule = (page: Page, path: number[]) => page.locator(`[data-testid="rule-builder"] [data-path="${JSON.stringify(path)}"]`);
  /** Picks an option of a Mantine select (its dropdown is rendered at the end of the page). */
  async function choose(page: Page, select: Locator, option: string, type?: string) {
    // A dropdown that closes while it opens (a re-render under load) is opened again.
    for (let attempt = 1; ; attempt++) {
      await select.click();
      if (type) await select.fill(type);
      try {
        await page.getByRole('option', { name: option, exact: true }).click({ timeout: attempt < 3 ? 8_000 : 30_000 });
        return;
      } catch (error) {
        if (attempt >= 3) throw error;
        await page.keyboard.press('Escape');
      }
    }
  }
  const previewCount = (page: Page) => page.getByTestId('preview-count').getAttribute('data-count');

  it('builds a segment with nested conditions and a sales measure, previews, saves, generates and shows the composition', async () => {
    expect(EXPECTED.length).toBeGreaterThan(2);
    expect(EXPECTED.length).toBeLessThan(PARTNERS.length / 2);

    const page = await open('/');
    await eventually(() => page.url()).toMatch(/\/segments$/);
    await page.getByTestId('segment-create').click();
    await page.getByRole('heading', { name: 'Новый сегмент' }).waitFor();

    await page.getByTestId('segment-name').fill('Покупатели инструмента: Урал и опт');
    expect(await page.getByTestId('segment-id').inputValue()).toBe('pokupateli-instrumenta-ural-i-opt');
    // 1C's default condition is there: not marked for deletion.
    await rule(page, [0]).waitFor();
    await eventually(() => previewCount(page)).toBe(String(PARTNERS.filter((p) => !p.deleted).length));

    // A nested group: in the Ural OR in a wholesale group.
    await page.locator('[data-testid="rule-builder"] [data-path="[]"] > .ruleGroup-header').getByTestId('rule-add-group').click();
    const group = rule(page, [1]);
    await group.waitFor();
    await group.getByTestId('rule-combinator').getByText('Любое из условий (ИЛИ)').click();
    await choose(page, rule(page, [1, 0]).getByRole('combobox', { name: 'Выберите значения' }), 'Россия / Урал');
    await group.locator('> .ruleGroup-header').getByTestId('rule-add-rule').click();
    await choose(page, rule(page, [1, 1]).getByTestId('rule-field'), 'Группа партнёров', 'Группа парт');
    await choose(page, rule(page, [1, 1]).getByRole('combobox', { name: 'Выберите значения' }), 'Оптовые покупатели');

    // A sales measure: revenue of power tools over the last 12 months above 500 000.
    await page.locator('[data-testid="rule-builder"] [data-path="[]"] > .ruleGroup-header').getByTestId('rule-add-rule').click();
    const measure = rule(page, [2]);
    await choose(page, measure.getByTestId('rule-field'), 'Выручка', 'Выручка');
    await measure.getByRole('textbox', { name: 'Значение' }).fill(String(THRESHOLD));
    expect(await measure.getByTestId('period-mode').inputValue()).toBe('За всё время');
    await choose(page, measure.getByTestId('period-mode'), 'За последние');
    await measure.getByTestId('where-add').click();
    await page.getByRole('menuitem', { name: 'Группа товаров' }).click();
    await choose(page, measure.locator('[data-where-key="productGroup"]').getByRole('combobox'), 'Электроинструмент');

    await eventually(() => previewCount(page)).toBe(String(EXPECTED.length));
    expect(await page.getByTestId('rule-preview').innerText()).toMatch(/партн[её]р/);

    // The JSON is exactly the rule language.
    await page.getByTestId('rule-json-toggle').click();
    expect(JSON.parse(await page.getByTestId('rule-json').inputValue())).toEqual({
      all: [
        { attr: 'deleted', op: 'eq', value: false },
        {
          any: [
            { attr: 'region', op: 'inHierarchy', value: ['ural'] },
            { attr: 'group', op: 'inHierarchy', value: ['wholesale'] },
          ],
        },
        { measure: 'sales.revenue', period: { last: { months: 12 } }, where: { productGroup: ['tools'] }, op: 'gt', value: THRESHOLD },
      ],
    });

    await page.getByTestId('segment-save').click();
    await eventually(() => new URL(page.url()).pathname).toBe('/segments/pokupateli-instrumenta-ural-i-opt');
    await page.getByTestId('segment-notice').getByText('Сегмент записан').waitFor();
    expect(await page.getByTestId('segment-method').locator('input').first().isDisabled()).toBe(true);

    await page.getByTestId('segment-generate').click();
    await eventually(() => page.getByTestId('segment-notice').innerText()).toMatch(new RegExp(`в составе ${EXPECTED.length}, вошли ${EXPECTED.length}, вышли 0`));
    await eventually(() => page.getByTestId('segment-status').first().innerText()).toBe('Сформирован');

    await page.getByTestId('tab-members').click();
    await eventually(() => page.getByTestId('members-total').innerText()).toBe(`В составе: ${EXPECTED.length}`);
    const rows = page.getByTestId('segment-members').locator('table tbody tr');
    await eventually(() => rows.count()).toBe(EXPECTED.length);
    const shown = await rows.locator('td:nth-child(2)').allInnerTexts();
    expect(shown.sort()).toEqual([...EXPECTED].sort());
    expect(await page.getByTestId('members-csv').count()).toBe(0);
    await page.getByTestId('members-export').click();
    expect(await page.getByTestId('members-xlsx').getAttribute('href')).toBe('/api/segments/pokupateli-instrumenta-ural-i-opt/members.xlsx?lang=ru');
    await page.keyboard.press('Escape');

    // Sorted by name on the server: a click on the header turns it to descending.
    const names = PARTNERS.filter((p) => EXPECTED.includes(p.id)).map((p) => p.name);
    const firstName = () => rows.locator('td:nth-child(1)').first().innerText();
    expect(await firstName()).toBe([...names].sort()[0]);
    await page.getByRole('button', { name: 'Наименование' }).click();
    await eventually(firstName).toBe([...names].sort().reverse()[0]);

    // Why is this partner in? Every condition with the partner's value.
    await rows.first().getByTestId('member-why').click();
    const explanation = page.getByTestId('explanation');
    await explanation.waitFor();
    await eventually(() => explanation.getByTestId('explain-condition').count()).toBe(4);
    expect(await explanation.getByTestId('explain-member').innerText()).toBe('Входит в сегмент');
    expect(await explanation.locator('[data-testid="explain-condition"][data-matched="true"]').count()).toBeGreaterThanOrEqual(3);
  });

  it('explains on the partner card why the partner is or is not in a segment, in both languages', async () => {
    const page = await open(`/partners/${ROMASHKA.id}`);
    const segments = page.getByTestId('partner-segments');
    const vip = segments.locator('[data-segment="vip"]');
    await vip.waitFor();
    await vip.getByTestId('partner-segment-explain').click();
    const explanation = vip.getByTestId('explanation');
    await explanation.waitFor();
    expect(await readText(explanation.getByTestId('explain-member'))).toBe('Входит в сегмент');
    // The manual segment's rule: type = key account, and Romashka is one.
    await eventually(() => explanation.getByTestId('explain-actual').first().innerText()).toBe('Ключевой клиент');

    // Any other segment: why not. Birthdays are for private persons; Romashka is a company.
    await segments.getByTestId('partner-explain-select').click();
    await page.getByRole('option', { name: 'Дни рождения на неделе' }).click();
    const other = segments.getByTestId('explanation').last();
    await eventually(() => readText(other.getByTestId('explain-member'))).toBe('Не входит в сегмент');
    const failed = other.locator('[data-testid="explain-condition"][data-matched="false"]');
    await eventually(() => failed.count()).toBeGreaterThanOrEqual(1);
    expect(await readText(failed.first())).toContain('Юр. / физ. лицо равно Частное лицо');
    expect(await failed.first().getByTestId('explain-actual').innerText()).toBe('Компания');

    await page.getByTestId('language-switch').getByText('EN').click();
    await eventually(() => readText(other.getByTestId('explain-member'))).toBe('Not in the segment');
    expect(await readText(failed.first())).toContain('Legal form equals Individual');
    expect(await failed.first().getByTestId('explain-actual').innerText()).toBe('Company');
    expect(await readText(explanation.getByTestId('explain-member'))).toBe('In the segment');
  });

  it('shows the size of a segment over its generations as a chart, in English after switching', async () => {
    const page = await open('/segments/big-buyers?tab=history');
    const chart = page.getByTestId('size-chart');
    await chart.locator('.recharts-wrapper').waitFor();
    expect(await chart.locator('.recharts-area-area').count()).toBe(1);
    expect(await chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(6);
    expect(await page.getByTestId('runs-table').locator('tbody tr').count()).toBe(12);
    // The member events come by their own request, after the runs.
    await eventually(() => page.getByTestId('history-events').locator('tbody tr').count()).toBeGreaterThan(0);
    await page.getByText('Размер сегмента по формированиям').waitFor();

    await page.getByTestId('language-switch').getByText('EN').click();
    await page.getByText('Segment size by generation').waitFor();
    expect(await chart.innerText()).toContain('Entered');
    expect(await page.getByTestId('runs-table').innerText()).toContain('On schedule');
  });

  it('lists the segments with size, generations and status, and searches them', async () => {
    const page = await open('/segments');
    const rows = page.locator('table tbody tr');
    await eventually(() => rows.count()).toBeGreaterThanOrEqual(4);
    const big = rows.filter({ hasText: 'Крупные покупатели' });
    expect(await big.getByTestId('segment-status').innerText()).toBe('Сформирован');
    expect(await big.innerText()).toContain('Периодический');
    expect(await rows.filter({ hasText: 'Уснувшие клиенты' }).innerText()).toContain('при чтении');
    await page.getByTestId('segment-search').fill('активн');
    await eventually(() => rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain('Активные клиенты Урала');
    expect(page.url()).toContain('q=');
  });

  it("shows the server's errors in the chosen language, at the condition they are about", async () => {
    const page = await open('/segments/new');
    await page.getByTestId('segment-name').fill('Дубликат');
    await page.getByTestId('segment-id').fill('big-buyers');
    await page.getByTestId('segment-save').click();
    // A taken code is said at the code field (issue 21), not in an alert with its error code.
    const id = page.getByTestId('segment-id');
    await eventually(() => id.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.mantine-TextInput-error').first().innerText()).toContain('Сегмент с кодом «big-buyers» уже есть');

    // A rule the server refuses: the live count says so, the condition shows the problem in Russian.
    await page.getByTestId('rule-json-toggle').click();
    await page.getByTestId('rule-json').fill(
      JSON.stringify({
        all: [
          { attr: 'deleted', op: 'eq', value: false },
          { measure: 'sales.revenue', op: 'gt', value: 'много' },
        ],
      }),
    );
    await page.getByTestId('rule-json-apply').click();
    await page.getByTestId('preview-incomplete').waitFor();
    const issue = rule(page, [1]).getByTestId('rule-issue');
    await eventually(() => issue.innerText()).toContain('Нужно: число');

    await page.getByTestId('language-switch').getByText('EN').click();
    await eventually(() => issue.innerText()).toContain('Expected a number');
    await eventually(() => page.locator('.mantine-TextInput-error').first().innerText()).toContain('A segment with code "big-buyers" already exists');
  });

  it('edits a manual segment by hand: adds partners, removes one, and the history shows both', async () => {
    const page = await open('/segments/new');
    await page.getByTestId('segment-name').fill('Участники выставки');
    await page.getByTestId('segment-method').getByText('Формировать вручную').click();
    await page.getByTestId('segment-save').click();
    await eventually(() => new URL(page.url()).pathname).toBe('/segments/uchastniki-vystavki');
    expect(await page.getByTestId('segment-generate').count()).toBe(0);

    await page.getByTestId('tab-members').click();
    await eventually(() => page.getByTestId('members-total').innerText()).toBe('В составе: 0');
    await page.getByTestId('members-add').click();
    const search = page.getByTestId('members-add-search');
    await search.fill('ромаш');
    await page.getByRole('option', { name: ROMASHKA.name }).click();
    await search.fill('самоцв');
    await page.getByRole('option', { name: 'АО «Уральские самоцветы»' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('members-add-confirm').click();
    await eventually(() => page.getByTestId('members-total').innerText()).toBe('В составе: 2');

    const rows = page.getByTestId('segment-members').locator('table tbody tr');
    await rows.filter({ hasText: ROMASHKA.name }).getByRole('checkbox', { name: 'Выбрать' }).check();
    await page.getByTestId('members-remove').click();
    // Removing is asked first (issue 21).
    await page.getByTestId('members-remove-ok').click();
    await eventually(() => page.getByTestId('members-total').innerText()).toBe('В составе: 1');
    expect(await rows.first().innerText()).toContain('АО «Уральские самоцветы»');

    await page.getByTestId('tab-history').click();
    const events = page.getByTestId('history-events').locator('tbody tr');
    await eventually(() => events.count()).toBe(3);
    expect(await events.filter({ hasText: 'вышел' }).innerText()).toContain(ROMASHKA.name);
  });

  it("offers the segment's reports as Excel files, and the composition as CSV and Excel", async () => {
    const page = await open('/segments/big-buyers?tab=reports');
    const link = page.getByTestId('report-sales-xlsx');
    await link.waitFor();
    const sales = await page.request.get((await link.getAttribute('href'))!);
    expect(sales.status()).toBe(200);
    expect(sales.headers()['content-type']).toContain('spreadsheetml');
    for (const format of ['csv', 'xlsx']) {
      const file = await page.request.get(`/api/segments/big-buyers/members.${format}`);
      expect(file.status()).toBe(200);
    }
  });

  it('fits a phone screen: the list, the card with its rule, the history', async () => {
    const page = await open('/segments', PHONE);
    await eventually(() => page.getByTestId('segment-card-row').count()).toBeGreaterThanOrEqual(4);
    expect(await hasNoHorizontalScroll(page)).toBe(true);
    await page.getByTestId('segment-card-row').filter({ hasText: 'Крупные покупатели' }).click();
    await page.getByTestId('rule-builder').waitFor();
    await eventually(() => previewCount(page)).not.toBeNull();
    expect(await hasNoHorizontalScroll(page)).toBe(true);
    await page.getByTestId('tab-history').click();
    await page.getByTestId('size-chart').locator('.recharts-wrapper').waitFor();
    expect(await hasNoHorizontalScroll(page)).toBe(true);
  });
});
