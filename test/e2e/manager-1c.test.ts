/**
 * What a 1C user missed in the web UI (issue 21), walked in Chromium in Russian at 1440 and in
 * English at 390: the partners of a segment (filtered on the server, within a manager's scope),
 * sales and settlements on the partner card with the currency, a segment's history as a file a
 * Russian Excel opens in columns, the lifecycle and renew-index screens, and the "advanced"
 * switch that hides the JSON rule, rule parameters and the API link from a manager.
 */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { apiCall } from './api.js';
import { browserSuite, hasNoHorizontalScroll, type Viewport } from './browser-suite.js';
import { PHONE, shouldSkipBrowserSuite } from './browser.js';
import { choose } from './terms-ui.js';
import { DEMO_USERS, ROMASHKA, type DemoUser } from './demo-server.js';

const WIDE = { width: 1440, height: 900 } as const;
/** A segment named as people name them, long, with a yes/no condition. */
const LONG_NAME = 'Покупатели Уральского федерального округа с просроченной дебиторской задолженностью';
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

type Lang = 'ru' | 'en';
const CASES: [Lang, Viewport][] = [
  ['ru', WIDE],
  ['en', PHONE],
];

describe.skipIf(shouldSkipBrowserSuite())('what a 1C user needs in the manager UI (issue 21) in Chromium', () => {
  const suite = browserSuite({
    seed: async (server) => {
      // Two segments in folders, as 1C groups its segments.
      await apiCall(server, 'PATCH', '/segments/big-buyers', { folder: 'Продажи' });
      await apiCall(server, 'PATCH', '/segments/ural-customers', { folder: 'Продажи' });
      await apiCall(server, 'POST', '/segments', {
        id: 'long-name',
        name: LONG_NAME,
        method: 'dynamic',
        rule: {
          all: [
            { attr: 'deleted', op: 'eq', value: false },
            { attr: 'legalForm', op: 'eq', value: 'company' },
          ],
        },
      });
    },
  });
  const open = (path: string, viewport: Viewport, language: Lang, user: DemoUser = DEMO_USERS.admin) => suite.open(path, viewport, language, user);

  it.each(CASES)('lists the partners of a segment, counted on the server (%s)', async (lang, viewport) => {
    const segment = (await apiCall(suite.server, 'GET', '/segments/big-buyers')) as { size: number };
    const page = await open('/partners?segment=big-buyers', viewport, lang);
    const total = page.getByTestId('partners-total');
    await eventually(() => total.innerText()).toMatch(new RegExp(`\\b${segment.size}$`));
    // The filter shows which segment it is.
    if (viewport === PHONE) await page.getByTestId('filters-toggle').click();
    await eventually(() => page.getByTestId('filter-segment').inputValue()).toBe(lang === 'ru' ? 'Крупные покупатели' : 'Крупные покупатели');
    expect(await hasNoHorizontalScroll(page)).toBe(true);
  });

  it.each(CASES)("shows a long segment name whole in the partners' segment filter, wrapped within the screen (%s)", async (lang, viewport) => {
    const page = await open('/partners', viewport, lang);
    if (viewport === PHONE) await page.getByTestId('filters-toggle').click();
    await page.getByTestId('filter-segment').click();
    const option = page.getByRole('option', { name: LONG_NAME });
    await option.waitFor();
    // The menu once took the longest name's width on a phone too, and ran off the screen's edge.
    const fit = await option.evaluate((el) => ({ right: el.getBoundingClientRect().right, screen: el.ownerDocument.documentElement.clientWidth, clipped: el.scrollWidth > el.clientWidth }));
    expect(fit.clipped).toBe(false);
    expect(fit.right).toBeLessThanOrEqual(fit.screen);
    expect(await option.innerText()).toBe(LONG_NAME);
    await page.screenshot({ path: `/tmp/partners-segment-filter-${lang}.png` });
  });

  it("cuts a segment's partners to a manager's own (RU, 1440)", async () => {
    const all = (await apiCall(suite.server, 'GET', '/partners?segment=big-buyers&limit=100')) as { items: { manager: string }[] };
    const own = all.items.filter((p) => p.manager === 'm1').length;
    expect(own).toBeGreaterThan(0);
    expect(own).toBeLessThan(all.items.length);
    const page = await open('/partners?segment=big-buyers', WIDE, 'ru', DEMO_USERS.manager);
    await eventually(() => page.getByTestId('partners-total').innerText()).toMatch(new RegExp(`\\b${own}$`));
  });

  it.each(CASES)('sums up sales and settlements on the partner card, amounts with the currency (%s)', async (lang, viewport) => {
    const report = (await apiCall(suite.server, 'GET', `/reports/partner-sales?partner=${ROMASHKA.id}`)) as { summary: { revenue: number; receivable: number } };
    expect(report.summary.revenue).toBeGreaterThan(1000);
    const page = await open(`/partners/${ROMASHKA.id}`, viewport, lang);
    const revenue = page.getByTestId('partner-sales-revenue-value');
    await revenue.waitFor();
    const text = await revenue.innerText();
    // "576 060,00 ₽" / "RUB 576,060.00": a thousands separator and the currency.
    expect(text).toContain(lang === 'ru' ? '₽' : 'RUB');
    expect(text.replace(/\D/g, '')).toBe(Math.round(report.summary.revenue * 100).toString());
    expect(text).toMatch(lang === 'ru' ? /\d\s\d{3}/ : /\d,\d{3}/);
    await page.getByTestId('partner-sales-debt').waitFor();
    await page.getByTestId('partner-sales-chart').locator('.recharts-bar-rectangle').first().waitFor();
    const xlsx = await page.getByTestId('partner-sales-xlsx').getAttribute('href');
    expect(xlsx).toBe(`/api/reports/partner-sales.xlsx?partner=${ROMASHKA.id}&lang=${lang}`);
    expect((await page.request.get(xlsx!)).status()).toBe(200);
    expect(await hasNoHorizontalScroll(page)).toBe(true);
  });

  it.each(CASES)("downloads a segment's history in the UI language: a Russian CSV in columns (%s)", async (lang, viewport) => {
    const page = await open('/segments/big-buyers?tab=history', viewport, lang);
    const csv = page.getByTestId('report-history-csv');
    await csv.waitFor();
    const href = await csv.getAttribute('href');
    expect(href).toBe(`/api/reports/membership-history.csv?segment=big-buyers&lang=${lang}`);
    const text = (await (await page.request.get(href!)).body()).toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const parsed = Papa.parse<string[]>(text.slice(1), { delimiter: lang === 'ru' ? ';' : ',', skipEmptyLines: true });
    const [header, row] = parsed.data as [string[], string[]];
    expect(header).toEqual(expect.arrayContaining(lang === 'ru' ? ['Когда', 'Событие', 'Наименование'] : ['Name']));
    expect(row).toBeDefined();
    expect((await page.request.get((await page.getByTestId('report-history-xlsx').getAttribute('href')) as string)).status()).toBe(200);
    expect(await hasNoHorizontalScroll(page)).toBe(true);
  });

  it.each(CASES)('shows the lifecycle stages and the renew index (%s)', async (lang, viewport) => {
    const summary = (await apiCall(suite.server, 'GET', '/analytics/lifecycle')) as { counts: Record<'current' | 'refused' | 'churned', number> };
    const page = await open('/analytics/lifecycle', viewport, lang);
    const current = page.locator('[data-testid="lifecycle-stage"][data-stage="current"]');
    await eventually(() => current.getByTestId('lifecycle-count').count()).toBe(1);
    expect(await current.textContent()).toContain(lang === 'ru' ? 'Текущие' : 'Current');
    expect(await current.getByTestId('lifecycle-count').innerText()).toBe(String(summary.counts.current));
    expect(await hasNoHorizontalScroll(page)).toBe(true);

    await page.getByTestId('analytics-tab-renew').click();
    await page.getByTestId('renew').waitFor();
    await eventually(() => page.getByTestId('renew-scored').count()).toBe(1);
    expect(await page.locator('body').innerText()).toContain(lang === 'ru' ? 'Индекс обновления' : 'Renew index');
    expect(await hasNoHorizontalScroll(page)).toBe(true);
  });

  it.each(CASES)('hides the JSON rule, rule parameters and the API link from a manager until "advanced" is on, and remembers it (%s)', async (lang, viewport) => {
    const page = await open('/segments/new', viewport, lang, DEMO_USERS.manager);
    await page.getByTestId('segment-rule').waitFor();
    expect(await page.getByTestId('rule-json-toggle').count()).toBe(0);
    expect(await page.getByTestId('segment-parameters').count()).toBe(0);
    expect(await page.getByTestId('api-link').count()).toBe(0);

    await page.getByTestId('user-menu').click();
    await page.getByTestId('advanced-mode').click();
    await eventually(() => page.getByTestId('rule-json-toggle').count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.reload();
    await page.getByTestId('segment-rule').waitFor();
    // Remembered for this user.
    await eventually(() => page.getByTestId('rule-json-toggle').count()).toBe(1);
    expect(await page.getByTestId('segment-parameters').count()).toBe(1);
    if (viewport === WIDE) expect(await page.getByTestId('api-link').count()).toBe(1);

    // The admin sees them without switching anything.
    const admin = await open('/segments/new', viewport, lang);
    await admin.getByTestId('segment-rule').waitFor();
    await eventually(() => admin.getByTestId('rule-json-toggle').count()).toBe(1);
  });

  it.each(CASES)("shows a condition's yes/no at its own width, not across the row, without the advanced mode (%s)", async (lang, viewport) => {
    const page = await open('/segments/long-name', viewport, lang, DEMO_USERS.manager);
    const value = page.getByTestId('rule-builder').getByTestId('rule-value').first();
    const yesNo = value.locator('.mantine-SegmentedControl-root');
    await yesNo.waitFor();
    const [control, column] = [await yesNo.boundingBox(), await value.boundingBox()];
    // Two short words: they once stretched to the whole value column (470 px at 1440).
    expect(control!.width).toBeLessThan(column!.width / 2);
    expect(control!.width).toBeLessThan(160);
    await page.screenshot({ path: `/tmp/rule-yes-no-${lang}.png`, fullPage: true });
  });

  /** Pairs of a condition's controls that overlap on screen: its copy and delete buttons against every other control of the row. */
  const OVERLAPS = `(() => {
    const hits = [];
    const box = (el) => el.getBoundingClientRect();
    const meet = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    for (const rule of document.querySelectorAll('[data-testid="rule-builder"] .rule')) {
      const actions = [...rule.querySelectorAll(':scope > .rule-cloneRule, :scope > .rule-remove')];
      const controls = [...rule.querySelectorAll('button, input')].filter((el) => !actions.some((a) => a === el || a.contains(el)) && box(el).width > 0);
      for (const action of actions) for (const control of controls) if (meet(box(action), box(control))) hits.push((control.getAttribute('aria-label') || control.tagName) + ' under ' + action.className);
    }
    return hits;
  })()`;

  it.each(CASES)("10. keeps a condition's copy and delete clear of its inputs and the (x) toggles (%s)", async (lang, viewport) => {
    const page = await open('/segments/tools-key', viewport, lang);
    await page.getByTestId('rule-builder').locator('.rule').first().waitFor();
    await eventually(() => page.getByTestId('rule-builder').locator('.rule-value').count()).toBeGreaterThan(3);
    expect(await page.evaluate<string[]>(OVERLAPS)).toEqual([]);
    // A manager has no (x) beside every value: parameters are the advanced mode's.
    const manager = await open('/segments/tools-key', viewport, lang, DEMO_USERS.manager);
    await manager.getByTestId('rule-builder').locator('.rule').first().waitFor();
    const toggle = lang === 'ru' ? /параметр/i : /parameter/i;
    expect(await page.getByRole('button', { name: toggle }).count()).toBeGreaterThan(0);
    await eventually(() => manager.getByTestId('rule-builder').locator('.rule-value').count()).toBeGreaterThan(3);
    expect(await manager.getByRole('button', { name: toggle }).count()).toBe(0);
    expect(await manager.evaluate<string[]>(OVERLAPS)).toEqual([]);
  });

  it.each(CASES)('lists segments by folder, filters by one, and moves a segment to another on its card (%s)', async (lang, viewport) => {
    const page = await open('/segments', viewport, lang);
    const filter = page.getByTestId('segment-folder-filter');
    await filter.waitFor();
    await choose(page, filter, 'Продажи');
    const rows = page.locator('table tbody tr, [data-testid="segment-card-row"]');
    await eventually(() => rows.count()).toBe(2);
    expect(await page.getByTestId('segments-total').innerText()).toMatch(/\b2$/);
    expect(await hasNoHorizontalScroll(page)).toBe(true);

    // On the card: the folder is there, and another one is typed and saved.
    const folder = `Рассылки ${lang}`;
    const card = await open('/segments/big-buyers', viewport, lang);
    const input = card.getByTestId('segment-folder');
    await eventually(() => input.inputValue()).toBe('Продажи');
    await input.fill(folder);
    await card.getByTestId('segment-save').click();
    await eventually(async () => ((await apiCall(suite.server, 'GET', '/segments/big-buyers')) as { folder: string | null }).folder).toBe(folder);
    await apiCall(suite.server, 'PATCH', '/segments/big-buyers', { folder: 'Продажи' });
  });
});
