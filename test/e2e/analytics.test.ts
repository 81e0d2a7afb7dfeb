/**
 * The analytics screens as a marketer uses them, in Debian's Chromium against the real service:
 * compute RFM from the empty state and read the heat-map, create a named RFM segment from it,
 * define a matrix and read its quadrants and points, read CSI / NPS by quarter, switch to
 * English, and use it all at phone width. Every number is worked out here from the fixture.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, hasNoHorizontalScroll, type Viewport } from './browser-suite.js';
import { SURVEY_ANSWERS, seedSurveys } from './analytics-fixture.js';
import { DESKTOP, PHONE, shouldSkipBrowserSuite } from './browser.js';
import { addDays, makeSales, monthsBack, TODAY } from './demo-facts.js';
import { PARTNERS } from './demo-server.js';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const readText = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

const SALES = makeSales(PARTNERS);
/** The rule language's "last 12 months" on today: RFM's default window and CSI / NPS's default period. */
const FROM = addDays(monthsBack(TODAY, 12), 1);
const salesFrom = (from: string) => SALES.filter((s) => s.date >= from && s.date <= TODAY);
const inWindow = salesFrom(FROM);
const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/** Each customer's RFM values over the window, and the scores docs/analytics.md defines: 1 + floor(bins × worse / n). */
function expectedRfm(bins = 5, from = FROM) {
  const byPartner = new Map<string, { last: string; documents: Set<string>; revenue: number }>();
  for (const s of salesFrom(from)) {
    const p = byPartner.get(s.partner) ?? { last: s.date, documents: new Set<string>(), revenue: 0 };
    if (s.date > p.last) p.last = s.date;
    p.documents.add(s.document);
    p.revenue += s.revenue;
    byPartner.set(s.partner, p);
  }
  const values = [...byPartner].map(([id, p]) => ({ id, recency: days(p.last, TODAY), frequency: p.documents.size, monetary: p.revenue }));
  const n = values.length;
  const score = (worse: number) => 1 + Math.floor((bins * worse) / n);
  return values.map((v) => ({
    id: v.id,
    r: score(values.filter((o) => o.recency > v.recency).length),
    f: score(values.filter((o) => o.frequency < v.frequency).length),
    m: score(values.filter((o) => o.monetary < v.monetary).length),
    revenue: v.monetary,
  }));
}

/** The matrix the test defines: purchase documents and revenue in the last 12 months, customers only. */
const X_THRESHOLD = 6;
const Y_THRESHOLD = 500_000;
function expectedQuadrants() {
  const customers = PARTNERS.filter((p) => p.roles.includes('customer'));
  const counts = { highHigh: [] as string[], highLow: [] as string[], lowHigh: [] as string[], lowLow: [] as string[] };
  for (const p of customers) {
    const lines = inWindow.filter((s) => s.partner === p.id);
    const x = new Set(lines.map((s) => s.document)).size;
    const y = lines.reduce((sum, s) => sum + s.revenue, 0);
    const key: keyof typeof counts = `${x >= X_THRESHOLD ? 'high' : 'low'}${y >= Y_THRESHOLD ? 'High' : 'Low'}`;
    counts[key].push(p.id);
  }
  return counts;
}

/** CSI and NPS of a set of answers (docs/analytics.md#csi-and-nps). */
function indices(scores: readonly number[]) {
  const promoters = scores.filter((s) => s >= 9).length;
  const detractors = scores.filter((s) => s <= 6).length;
  const high = scores.filter((s) => s >= 8).length;
  const low = scores.filter((s) => s >= 1 && s <= 3).length;
  return {
    responses: scores.length,
    promoters,
    detractors,
    nps: scores.length ? (100 * (promoters - detractors)) / scores.length : null,
    csi: low ? high / low : null,
  };
}
const quarterOf = (date: string) => `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;
const ru1 = new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const ru2 = new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const shown = (value: number | null, format: Intl.NumberFormat) => (value === null ? '—' : format.format(value).replace(/\s+/g, ' '));

describe.skipIf(shouldSkipBrowserSuite())('analytics screens in Chromium', () => {
  const suite = browserSuite({ seed: seedSurveys });
  const open = (path: string, viewport: Viewport = DESKTOP) => suite.open(path, viewport);

  it('computes RFM from the empty state and shows every cell of the heat-map as the fixture gives it', async () => {
    const expected = expectedRfm();
    expect(expected.length).toBeGreaterThan(10);
    const page = await open('/analytics');
    await eventually(() => new URL(page.url()).pathname).toBe('/analytics/rfm');
    await page.getByTestId('rfm-empty').getByText('RFM ещё не рассчитан').waitFor();

    await page.getByTestId('rfm-compute').click();
    const notice = page.getByTestId('rfm-refresh-notice');
    await notice.waitFor();
    expect(await readText(notice)).toMatch(new RegExp(`RFM пересчитан за [\\d,]+ (мс|с)\\. Клиентов с оценками: ${expected.length};`));
    expect(await readText(page.getByTestId('rfm-duration'))).toMatch(/^Расчёт занял [\d,]+ (мс|с)$/);
    expect(await readText(page.getByTestId('rfm-status'))).toContain(`клиентов с оценками: ${expected.length}`);

    // Every cell: the customers with that R and F, and their share.
    const cells = page.getByTestId('rfm-cell');
    await eventually(() => cells.count()).toBe(25);
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        const count = expected.filter((c) => c.r === r && c.f === f).length;
        const cell = page.locator(`[data-testid="rfm-cell"][data-r="${r}"][data-f="${f}"]`);
        expect(await readText(cell.getByTestId('rfm-cell-value')), `cell R${r} F${f}`).toBe(String(count));
        expect(await readText(cell.getByTestId('rfm-cell-share'))).toBe(
          new Intl.NumberFormat('ru-RU', { style: 'percent', maximumFractionDigits: 1 }).format(count / expected.length).replace(/\s+/g, ' '),
        );
      }
    }

    // By revenue: the same cells carry their revenue in the window.
    await page.getByTestId('rfm-metric').getByText('Выручка').click();
    await eventually(() => page.getByTestId('rfm-heatmap').getAttribute('data-metric')).toBe('revenue');
    for (const { r, f } of [
      { r: 5, f: 5 },
      { r: 1, f: 1 },
    ]) {
      const revenue = expected.filter((c) => c.r === r && c.f === f).reduce((sum, c) => sum + c.revenue, 0);
      expect(Number(await page.locator(`[data-testid="rfm-cell"][data-r="${r}"][data-f="${f}"]`).getAttribute('data-revenue'))).toBeCloseTo(revenue, 2);
    }
    await page.getByTestId('rfm-metric').getByText('Клиенты').click();

    // The named groups sum their cells; a click on a champions' cell creates that segment and opens it.
    const champions = expected.filter((c) => c.r === 5 && c.f >= 4).length;
    const group = page.locator('[data-testid="rfm-template"][data-template="champions"]');
    expect(await readText(group.getByTestId('rfm-template-value'))).toBe(String(champions));
    expect(await page.getByTestId('rfm-download-xlsx').getAttribute('href')).toBe('/api/reports/rfm-grid.xlsx?lang=ru');
    expect(await page.getByTestId('rfm-download-csv').getAttribute('href')).toBe('/api/reports/rfm-grid.csv?table=cells&lang=ru');

    await page.locator('[data-testid="rfm-cell"][data-r="5"][data-f="5"]').click();
    const confirm = page.getByRole('dialog');
    await confirm.getByText('«RFM: Чемпионы» (код rfm-champions)', { exact: false }).waitFor();
    await page.getByTestId('rfm-confirm-create').click();
    await eventually(() => new URL(page.url()).pathname).toBe('/segments/rfm-champions');
    await page.getByTestId('tab-members').click();
    await eventually(() => readText(page.getByTestId('members-total'))).toBe(`В составе: ${champions}`);

    // Back on the map the group now opens its segment.
    await page.goto('/analytics/rfm');
    await eventually(() => group.getByTestId('rfm-template-segment').count()).toBe(1);
    expect(await group.getByTestId('rfm-template-segment').getAttribute('href')).toBe('/segments/rfm-champions');
  });

  it('defines a matrix, shows its quadrants and a point per placed customer, and opens a partner from a point', async () => {
    const expected = expectedQuadrants();
    const placed = Object.values(expected).reduce((sum, ids) => sum + ids.length, 0);
    expect(expected.highHigh.length).toBeGreaterThan(0);
    expect(expected.lowLow.length).toBeGreaterThan(0);

    const page = await open('/analytics/matrix');
    await page.getByTestId('matrix-empty').getByText('Матриц пока нет').waitFor();
    await page.getByTestId('matrix-new').click();
    const form = page.getByRole('dialog', { name: 'Новая матрица' });
    await form.waitFor();
    await page.getByTestId('matrix-name').fill('Активность × ёмкость');
    expect(await page.getByTestId('matrix-id').inputValue()).toBe('aktivnost-emkost');
    // The suggested axes (once the vocabulary has come): purchases and revenue in the last 12 months; only the threshold changes.
    await eventually(() => page.getByTestId('matrix-x-label').inputValue()).toBe('Активность: покупок за 12 мес.');
    await eventually(() => page.getByTestId('matrix-x-source').inputValue()).toBe('Число документов продажи');
    await eventually(() => page.getByTestId('matrix-y-source').inputValue()).toBe('Выручка');
    await page.getByTestId('matrix-y-threshold').fill(String(Y_THRESHOLD));
    await page.getByTestId('matrix-save').click();
    await form.waitFor({ state: 'hidden' });

    const quadrant = (position: string) => page.locator(`[data-testid="matrix-quadrant"][data-position="${position}"]`);
    for (const [position, ids] of Object.entries(expected)) {
      await eventually(() => quadrant(position).getAttribute('data-partners')).toBe(String(ids.length));
      expect(await readText(quadrant(position).getByTestId('matrix-quadrant-count'))).toBe(String(ids.length));
    }
    expect(await readText(quadrant('highHigh'))).toContain('Звёзды');
    expect(await readText(page.getByTestId('matrix-placed'))).toContain(`На матрице ${placed} партнёр`);

    // One point per placed customer, in its quadrant's colour.
    const drawn = async (position: string) => Number(await page.locator(`path.matrix-points[data-position="${position}"]`).getAttribute('data-count'));
    for (const [position, ids] of Object.entries(expected)) expect(await drawn(position)).toBe(ids.length);
    expect(await page.getByTestId('matrix-download-xlsx').getAttribute('href')).toBe('/api/reports/matrix-scatter.xlsx?matrix=aktivnost-emkost&lang=ru');

    // Quadrant segments, then a point opens its partner.
    await page.getByTestId('matrix-create-segments').click();
    await page.getByTestId('matrix-applied').waitFor();
    expect(await readText(page.getByTestId('matrix-applied'))).toContain(`Активность × ёмкость: Звёзды (${expected.highHigh.length})`);
    await eventually(() => quadrant('highHigh').getByTestId('matrix-quadrant-segment').getAttribute('href')).toBe('/segments/aktivnost-emkost-stars');

    const path = await page.locator('path.matrix-points[data-position="highHigh"]').getAttribute('d');
    const [, px, py] = /M([\d.]+),([\d.]+)/.exec(path ?? '')!;
    const box = (await page.getByTestId('matrix-scatter').locator('svg').first().boundingBox())!;
    await page.mouse.move(box.x + Number(px) + 3.2, box.y + Number(py));
    const tooltip = page.getByTestId('matrix-tooltip');
    await tooltip.waitFor();
    expect(await readText(tooltip)).toContain('Звёзды');
    await page.mouse.click(box.x + Number(px) + 3.2, box.y + Number(py));
    await eventually(() => new URL(page.url()).pathname).toMatch(/^\/partners\/p\d+$/);
    expect(expected.highHigh).toContain(new URL(page.url()).pathname.split('/')[2]);
  });

  it('shows CSI and NPS by quarter as the surveys of the fixture give them, for the base and per manager', async () => {
    const inPeriod = SURVEY_ANSWERS.filter((a) => a.date >= FROM && a.date <= TODAY);
    const total = indices(inPeriod.map((a) => a.score));
    const page = await open('/analytics/csi');
    await page.getByTestId('csi-table').waitFor();

    expect(await readText(page.getByTestId('csi-kpi-nps-value'))).toBe(shown(total.nps, ru1));
    expect(await readText(page.getByTestId('csi-kpi-csi-value'))).toBe(shown(total.csi, ru2));
    expect(await readText(page.getByTestId('csi-kpi-responses-value'))).toBe(String(total.responses));

    const quarters = [...new Set(inPeriod.map((a) => quarterOf(a.date)))];
    expect(quarters.length).toBeGreaterThanOrEqual(4);
    const row = (group: string, quarter: string) => page.locator(`[data-testid="csi-row"][data-group="${group}"][data-quarter="${quarter}"]`);
    const cell = (r: Locator, col: string) => readText(r.locator(`[data-col="${col}"]`));
    for (const quarter of [...quarters, 'total']) {
      const answers = inPeriod.filter((a) => quarter === 'total' || quarterOf(a.date) === quarter).map((a) => a.score);
      const want = indices(answers);
      const r = row('all:', quarter);
      expect(await cell(r, 'responses'), quarter).toBe(String(want.responses));
      expect(await cell(r, 'promoters'), quarter).toBe(String(want.promoters));
      expect(await cell(r, 'detractors'), quarter).toBe(String(want.detractors));
      expect(await cell(r, 'nps'), quarter).toBe(shown(want.nps, ru1));
      expect(await cell(r, 'csi'), quarter).toBe(shown(want.csi, ru2));
    }
    // A quarter label as people write it: "IV кв. 2025".
    const [year, q] = quarters[0]!.split('-Q');
    expect(await readText(row('all:', quarters[0]!).locator('td').first())).toMatch(new RegExp(`^${['I', 'II', 'III', 'IV'][Number(q) - 1]} кв\\. ${year}\\*?$`));
    await page.getByTestId('csi-chart').locator('.recharts-line').first().waitFor();

    // Per manager: each manager's customers' answers.
    await page.getByTestId('csi-breakdown').getByText('Менеджеры').click();
    for (const [id, name] of [
      ['m1', 'Смирнова Елена'],
      ['m2', 'Кузнецов Андрей'],
    ] as const) {
      const answers = inPeriod.filter((a) => PARTNERS.find((p) => p.id === a.partner)?.manager === id).map((a) => a.score);
      const want = indices(answers);
      const r = row(`manager:${id}`, 'total');
      await r.waitFor();
      expect(await cell(r, 'responses'), name).toBe(String(want.responses));
      expect(await cell(r, 'nps'), name).toBe(shown(want.nps, ru1));
      await page.getByTestId('csi-table').getByText(name).waitFor();
    }
    expect(await page.getByTestId('csi-download-xlsx').getAttribute('href')).toBe('/api/reports/csi-nps.xlsx?byManager=true&lang=ru');
  });

  it('speaks English after the switch', async () => {
    const page = await open('/analytics/rfm');
    await page.getByTestId('rfm-heatmap').waitFor();
    await page.getByTestId('language-switch').getByText('EN').click();
    await page.getByRole('heading', { name: 'Analytics' }).waitFor();
    await page.getByText('Customer map: recency × frequency').waitFor();
    await page.getByText('Frequency (F)').waitFor();
    expect(await readText(page.locator('[data-testid="rfm-template"][data-template="at-risk"]'))).toContain('At risk');
    await page.getByTestId('analytics-tab-csi').click();
    await eventually(() => new URL(page.url()).pathname).toBe('/analytics/csi');
    await page.getByTestId('csi-breakdown').getByText('Whole base').waitFor();
    await page.getByText('Figures by quarter').waitFor();
    expect(await readText(page.getByTestId('csi-table').locator('thead'))).toContain('Promoters');
    await page.getByTestId('analytics-tab-matrix').click();
    await page.getByText('Customers on the matrix').waitFor();
    await page.getByText('Create quadrant segments').or(page.getByText('Update quadrant segments')).waitFor();
  });

  it('changes the RFM window and bins in the settings and shows the grid they give', async () => {
    const from = addDays(monthsBack(TODAY, 6), 1);
    const expected = expectedRfm(4, from);
    const page = await open('/analytics/rfm');
    await page.getByTestId('rfm-heatmap').waitFor();
    const settings = async (months: number, bins: number) => {
      await page.getByTestId('rfm-settings-open').click();
      await page.getByRole('dialog', { name: 'Настройки RFM' }).waitFor();
      await page.getByTestId('rfm-window-count').fill(String(months));
      await page.getByTestId('rfm-bins').fill(String(bins));
      await page.getByTestId('rfm-settings-save').click();
      await page.getByRole('dialog', { name: 'Настройки RFM' }).waitFor({ state: 'hidden' });
      await page.getByTestId('rfm-refresh').click();
      await eventually(() => readText(page.getByTestId('rfm-status'))).toContain(`градаций: ${bins}`);
    };
    await settings(6, 4);
    expect(await readText(page.getByTestId('rfm-status'))).toContain('Окно: последние 6 месяцев');
    await eventually(() => page.getByTestId('rfm-cell').count()).toBe(16);
    for (let r = 1; r <= 4; r++) {
      for (let f = 1; f <= 4; f++) {
        const count = expected.filter((c) => c.r === r && c.f === f).length;
        expect(await page.locator(`[data-testid="rfm-cell"][data-r="${r}"][data-f="${f}"]`).getAttribute('data-customers'), `R${r} F${f}`).toBe(String(count));
      }
    }
    // The named groups are for 1–5 scores: not drawn with 4 bins.
    expect(await page.getByTestId('rfm-templates').count()).toBe(0);
    await page.getByText('сейчас градаций 4').waitFor();

    await settings(12, 5);
    await eventually(() => page.getByTestId('rfm-cell').count()).toBe(25);
    await page.getByTestId('rfm-templates').waitFor();
  });

  it('fits a phone screen: wide charts scroll in their own box, the page does not', async () => {
    for (const [path, ready] of [
      ['/analytics/rfm', 'rfm-heatmap'],
      ['/analytics/matrix', 'matrix-scatter'],
      ['/analytics/csi', 'csi-table'],
    ] as const) {
      const page = await open(path, PHONE);
      await page.getByTestId(ready).waitFor();
      await page.waitForTimeout(200);
      expect(await hasNoHorizontalScroll(page), path).toBe(true);
    }
  });
});
