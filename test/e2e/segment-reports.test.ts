/**
 * The segment card's reports and Generate with progress, in Debian's Chromium against the real
 * service: sales by month as a chart and a table (a month's revenue checked against the
 * fixture's sales), the overlaps with the other stored segments (counts worked out from the
 * fixture) and who is in both, settlements with the fixture's debts, each report asked for
 * only when its tab opens; Generate showing its stage and share done, then the result.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, type Viewport } from './browser-suite.js';
import { SEGMENT_REFRESH_PLAN } from '../../src/domain/jobs/segment-refresh.job.js';
import { gatedDatabase, type Gate } from '../support/gated-database.js';
import { DESKTOP, PHONE, shouldSkipBrowserSuite } from './browser.js';
import { addDays, makeSales, monthsBack, revenueOf, TODAY } from './demo-facts.js';
import { PARTNERS, ROMASHKA } from './demo-server.js';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
/** What a number shows as, without the language's thousands separators: "1 234 567" → "1234567". */
const digits = async (locator: Locator) => (await locator.innerText()).replace(/[\s\u00a0\u202f]/g, '');

const SALES = makeSales(PARTNERS);
const since = (months: number) => addDays(monthsBack(TODAY, months), 1);
const customer = (p: (typeof PARTNERS)[number]) => p.roles.includes('customer');
const lastSale = (id: string) => SALES.filter((s) => s.partner === id).reduce<string | null>((last, s) => (last === null || s.date > last ? s.date : last), null);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** The fixture's segments (demo-facts.ts) worked out by hand from its partners and sales, as of today. */
const BIG_BUYERS = PARTNERS.filter((p) => !p.deleted && revenueOf(SALES, p.id, since(3), TODAY) > 150_000).map((p) => p.id);
const URAL_CUSTOMERS = PARTNERS.filter((p) => ['perm', 'ekb'].includes(p.region) && customer(p) && !p.deleted && revenueOf(SALES, p.id, since(12), TODAY) > 0).map((p) => p.id);
const SLEEPING = PARTNERS.filter((p) => customer(p) && lastSale(p.id) !== null && daysBetween(lastSale(p.id)!, TODAY) >= 90).map((p) => p.id);
const TOOLS_KEY = PARTNERS.filter(
  (p) => !p.deleted && (['perm', 'ekb'].includes(p.region) || ['wholesale', 'dealers'].includes(p.group)) && revenueOf(SALES, p.id, since(12), TODAY, ['tools']) > 300_000 && !SLEEPING.includes(p.id),
).map((p) => p.id);
const VIP = [ROMASHKA.id, 'p003'];
const shared = (a: readonly string[], b: readonly string[]) => a.filter((id) => b.includes(id)).length;

/** The last full month, as the report names it, and the big buyers' revenue in it. */
const LAST_MONTH = monthsBack(TODAY, 1).slice(0, 7);
const LAST_MONTH_REVENUE = SALES.filter((s) => BIG_BUYERS.includes(s.partner) && s.date.startsWith(LAST_MONTH)).reduce((sum, s) => sum + s.revenue, 0);
const YEAR_REVENUE = SALES.filter((s) => BIG_BUYERS.includes(s.partner) && s.date >= `${monthsBack(TODAY, 11).slice(0, 7)}-01` && s.date <= TODAY).reduce((sum, s) => sum + s.revenue, 0);

const TOTAL_WEIGHT = SEGMENT_REFRESH_PLAN.reduce((sum, s) => sum + s.weight, 0);
const upTo = (stage: string) => {
  const index = SEGMENT_REFRESH_PLAN.findIndex((s) => s.stage === stage);
  return SEGMENT_REFRESH_PLAN.slice(0, index + 1).reduce((sum, s) => sum + s.weight, 0) / TOTAL_WEIGHT;
};

describe.skipIf(shouldSkipBrowserSuite())('segment reports and Generate with progress in Chromium', () => {
  let gate: Gate | undefined;
  const suite = browserSuite({
    server: {
      database: (db) => {
        const gated = gatedDatabase(db);
        gate = gated.gate;
        return gated.db;
      },
    },
    beforeClose: () => gate?.open(),
  });
  const open = (path: string, viewport: Viewport = DESKTOP, language: 'ru' | 'en' = 'ru') => suite.open(path, viewport, language);
  /** The reports the page asked the API for, by name. */
  function reportRequests(page: Page): string[] {
    const names: string[] = [];
    page.on('request', (request) => {
      const match = /\/api\/reports\/([a-z-]+)\?/.exec(request.url());
      if (match) names.push(match[1]!);
    });
    return names;
  }

  it('works the fixture out as the server does', async () => {
    expect(BIG_BUYERS.length).toBeGreaterThan(2);
    const page = await open('/segments');
    const members = async (id: string) => ((await (await page.request.get(`/api/segments/${id}/members?limit=1000`)).json()) as { items: { id: string }[] }).items.map((p) => p.id).sort();
    expect(await members('big-buyers')).toEqual([...BIG_BUYERS].sort());
    expect(await members('ural-customers')).toEqual([...URAL_CUSTOMERS].sort());
    expect(await members('tools-key')).toEqual([...TOOLS_KEY].sort());
    expect(LAST_MONTH_REVENUE).toBeGreaterThan(0);
  });

  it("shows sales by month as a chart and a table, with the fixture's revenue", async () => {
    const page = await open('/segments/big-buyers');
    const asked = reportRequests(page);
    await page.getByTestId('tab-reports').click();
    const report = page.getByTestId('report-sales');
    await report.getByTestId('sales-chart').locator('.recharts-bar-rectangle').first().waitFor();
    // Twelve months, each with a revenue bar and a gross-profit bar, and the buyers' line.
    expect(await report.getByTestId('sales-row').count()).toBe(12);
    expect(await report.getByTestId('sales-chart').locator('.recharts-bar-rectangle').count()).toBeGreaterThanOrEqual(20);
    expect(await report.getByTestId('sales-chart').locator('.recharts-line-curve').count()).toBe(1);
    expect(await digits(report.locator(`[data-testid="sales-row"][data-month="${LAST_MONTH}"] [data-key="revenue"]`))).toBe(String(LAST_MONTH_REVENUE));
    expect(await digits(report.getByTestId('sales-revenue-value'))).toBe(String(YEAR_REVENUE));
    expect(await digits(report.getByTestId('sales-total').locator('[data-key="revenue"]'))).toBe(String(YEAR_REVENUE));
    expect(await report.getByTestId('sales-table').locator('thead').innerText()).toContain('Валовая прибыль');
    // Only the open report was asked for; the files are there.
    expect(asked).toEqual(['segment-sales']);
    expect(await report.getByTestId('report-sales-xlsx').getAttribute('href')).toBe('/api/reports/segment-sales.xlsx?segment=big-buyers&lang=ru');
    const file = await page.request.get((await report.getByTestId('report-sales-xlsx').getAttribute('href'))!);
    expect(file.headers()['content-type']).toContain('spreadsheetml');

    // Two years: 24 months, the same last month.
    await report.getByTestId('sales-period').getByText('24 месяца').click();
    await eventually(() => report.getByTestId('sales-row').count()).toBe(24);
    expect(await digits(report.locator(`[data-testid="sales-row"][data-month="${LAST_MONTH}"] [data-key="revenue"]`))).toBe(String(LAST_MONTH_REVENUE));

    await page.getByTestId('language-switch').getByText('EN').click();
    await eventually(() => report.getByTestId('sales-table').locator('thead').innerText()).toContain('Gross profit');
  });

  it('shows the overlaps with the other stored segments, and who is in both', async () => {
    const page = await open('/segments/big-buyers?tab=reports');
    const asked = reportRequests(page);
    await page.getByTestId('report-tab-intersections').click();
    const report = page.getByTestId('report-intersections');
    const row = (id: string) => report.locator(`[data-testid="intersection-row"][data-segment="${id}"]`);
    await row('vip').waitFor();
    // The sales report opened with the tab; settlements were never asked for.
    expect(asked).toEqual(['segment-sales', 'intersections']);
    expect(await digits(report.getByTestId('intersections-size-value'))).toBe(String(BIG_BUYERS.length));
    // The other stored partner segments; the dynamic ones have no stored composition.
    expect((await report.getByTestId('intersection-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-segment')))).sort()).toEqual(['tools-key', 'ural-customers', 'vip']);
    expect(await digits(row('ural-customers').locator('[data-key="shared"]'))).toBe(String(shared(BIG_BUYERS, URAL_CUSTOMERS)));
    expect(await digits(row('tools-key').locator('[data-key="shared"]'))).toBe(String(shared(BIG_BUYERS, TOOLS_KEY)));
    expect(await digits(row('vip').locator('[data-key="shared"]'))).toBe(String(shared(BIG_BUYERS, VIP)));
    const overlapping = [URAL_CUSTOMERS, TOOLS_KEY, VIP].filter((other) => shared(BIG_BUYERS, other) > 0).length;
    expect(overlapping).toBeGreaterThan(0);
    expect(await report.getByTestId('intersections-chart').locator('.recharts-bar-rectangle').count()).toBe(overlapping);

    // Who is in both: the partners of the pair, by name.
    const both = PARTNERS.filter((p) => BIG_BUYERS.includes(p.id) && URAL_CUSTOMERS.includes(p.id));
    await row('ural-customers').getByTestId('intersection-members').click();
    const dialog = page.getByTestId('pair-members');
    await eventually(() => dialog.locator('tbody tr').count()).toBe(both.length);
    expect((await dialog.locator('tbody tr td:nth-child(2)').allInnerTexts()).sort()).toEqual(both.map((p) => p.name).sort());
  });

  it("says why a dynamic segment has no intersections, and shows settlements with the fixture's debts", async () => {
    const dynamic = await open('/segments/sleeping?tab=reports&report=intersections');
    await dynamic.getByTestId('intersections-dynamic').waitFor();

    // VIP: Romashka owes 184,000 due 45 days ago, paid 100,000 since (the oldest debt first):
    // 84,000 overdue for 45 days; Uralskie Samotsvety owe 56,000, due in 20 days.
    const page = await open('/segments/vip?tab=reports&report=settlements');
    const report = page.getByTestId('report-settlements');
    const rows = report.getByTestId('settlement-row');
    await eventually(() => rows.count()).toBe(2);
    expect(await rows.evaluateAll((r) => r.map((row) => row.getAttribute('data-partner')))).toEqual([ROMASHKA.id, 'p003']);
    const romashka = rows.first();
    expect(await romashka.locator('a').innerText()).toBe(ROMASHKA.name);
    expect(await digits(romashka.locator('[data-key="receivable"]'))).toBe('84000');
    expect(await digits(romashka.locator('[data-key="overdue"]'))).toBe('84000');
    expect(await digits(romashka.locator('[data-key="days"]'))).toBe('45');
    expect(await digits(rows.nth(1).locator('[data-key="overdue"]'))).toBe('0');
    expect(await digits(report.getByTestId('settlements-receivable-value'))).toBe('140000');
    expect(await digits(report.getByTestId('settlements-overdue-value'))).toBe('84000');
    expect(await report.getByTestId('settlements-overdue').innerText()).toContain('должников с просрочкой: 1');
    // Two debts as bars: Romashka's all overdue, Samotsvety's all not yet due (empty parts draw nothing).
    expect(await report.getByTestId('settlements-chart').locator('.recharts-bar-rectangle').count()).toBe(2);
  });

  it('fits a phone screen: the reports scroll inside their tables, not the page', async () => {
    const page = await open('/segments/big-buyers?tab=reports', PHONE);
    await page.getByTestId('sales-chart').locator('.recharts-bar-rectangle').first().waitFor();
    const noHorizontalScroll = () => page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');
    expect(await noHorizontalScroll()).toBe(true);
    await page.getByTestId('report-tab-settlements').click();
    await page.getByTestId('report-settlements').waitFor();
    await eventually(noHorizontalScroll).toBe(true);
  });

  it('generates with a progress bar that tells the stage, then says what changed', async () => {
    const page = await open('/segments/big-buyers');
    await page.getByTestId('segment-generate').waitFor();
    // Held at the rule's evaluation, as a large segment would take its time there.
    gate!.hold();
    await page.getByTestId('segment-generate').click();
    const progress = page.getByTestId('segment-generating');
    await eventually(() => progress.getAttribute('data-stage')).toBe('evaluating');
    expect(await progress.getByTestId('generation-stage').innerText()).toBe('Отбор по правилу: показатели и условия');
    expect(await progress.innerText()).toContain('Этап 2 из 6');
    const share = Number(await progress.getAttribute('data-progress'));
    expect(share).toBeGreaterThanOrEqual(upTo('starting'));
    expect(share).toBeLessThan(upTo('evaluating'));
    const bar = progress.getByRole('progressbar');
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBe(Math.round(share * 100));
    expect(await page.getByTestId('segment-generate').isDisabled()).toBe(true);
    await eventually(() => page.getByTestId('segment-status').first().innerText()).toBe('Формируется');

    gate!.open();
    await eventually(() => page.getByTestId('segment-notice').innerText()).toMatch(new RegExp(`в составе ${BIG_BUYERS.length}, вошли 0, вышли 0`));
    expect(await progress.count()).toBe(0);
    await eventually(() => page.getByTestId('segment-status').first().innerText()).toBe('Сформирован');
  });
});
