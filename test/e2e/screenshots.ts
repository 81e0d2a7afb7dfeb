/**
 * Pictures of the screens for docs/screenshots/: sign-in, partners, segments, analytics, sales terms
 * and administration in Russian and English at 1280×800, and at phone width; signed in as the
 * demo admin (or as nobody, for the login screen). `npm run screenshots` (builds the UI first if
 * it is stale; uses the browser tests' server and data).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { prepareAnalyticsScreens } from './analytics-fixture.js';
import { gatedDatabase, type Gate } from '../support/gated-database.js';
import { ensureWebBuild, WEB_ROOT } from './build-web.js';
import { DESKTOP, launchBrowser, PHONE } from './browser.js';
import type { ApiTarget } from './api.js';
import { DEMO_USERS, PARTNERS, ROMASHKA, startDemoServer, type DemoUser } from './demo-server.js';
import { signIn } from './sign-in.js';
import { PRODUCTS } from './demo-facts.js';
import { seedTermsFixture, seedTermsShowcase, TOOLS_TABLE } from './terms-fixture.js';
import { fillNumber, fillOrder } from './terms-ui.js';
import { apiCall } from './api.js';
import { Fake1C } from '../support/fake-1c.js';
import { generateCompany, serve } from '../support/onec-company.js';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

type Viewport = { width: number; height: number };
const listReady = (page: Page) => page.locator('table tbody tr, [data-testid="partner-card-row"]').first().waitFor();
const cardReady = async (page: Page) => {
  await page.getByTestId('partner-segment').first().waitFor();
  await page.getByTestId('partner-sales-chart').locator('.recharts-bar-rectangle').first().waitFor();
};
/** Segments in folders, as 1C groups them (idempotent). */
const folders = async (server: ApiTarget): Promise<void> => {
  for (const [id, folder] of [
    ['big-buyers', 'Продажи'],
    ['ural-customers', 'Продажи'],
    ['tools-key', 'Скидки'],
  ] as const)
    await apiCall(server, 'PATCH', `/segments/${id}`, { folder });
};
const lifecycleReady = (page: Page) => page.getByTestId('lifecycle-count').first().waitFor();
const renewReady = (page: Page) => page.getByTestId('renew-scored').waitFor();
const segmentsReady = (page: Page) => page.locator('[data-testid="segment-size"], [data-testid="segment-card-row"]').first().waitFor();
const builderReady = async (page: Page) => {
  await page.getByTestId('rule-builder').waitFor();
  await page.getByTestId('preview-count').waitFor();
};
const chartReady = (page: Page) => page.getByTestId('size-chart').locator('.recharts-wrapper').waitFor();
const membersReady = (page: Page) => page.getByTestId('segment-members').locator('table tbody tr, [role="listitem"]').first().waitFor();
const heatmapReady = (page: Page) => page.getByTestId('rfm-cell').first().waitFor();
const matrixReady = (page: Page) => page.locator('path.matrix-points').first().waitFor();
const csiReady = (page: Page) => page.getByTestId('csi-chart').locator('.recharts-line').first().waitFor();
const explainReady = async (page: Page) => {
  const vip = page.getByTestId('partner-segments').locator('[data-segment="tools-key"]');
  await vip.getByTestId('partner-segment-explain').click();
  await vip.getByTestId('explain-condition').first().waitFor();
};

interface Shot {
  file: string;
  path: string;
  language: 'ru' | 'en';
  viewport: Viewport;
  ready: (page: Page) => Promise<void>;
  /** The whole page, not only what fits the window. */
  full?: boolean;
  /** Data the screen needs beyond the demo server's (through the API; idempotent). */
  prepare?: (server: ApiTarget) => Promise<void>;
  /** Who is signed in: the admin unless given; null for the login screen. */
  user?: DemoUser | null;
  /** After the picture: let go of what `ready` held. */
  after?: () => void;
}

/** Holds a generation at the rule's evaluation, so its progress can be pictured. */
let gate: Gate | undefined;
const salesReady = (page: Page) => page.getByTestId('sales-chart').locator('.recharts-bar-rectangle').first().waitFor();
const generating = async (page: Page) => {
  await page.getByTestId('segment-generate').waitFor();
  gate?.hold();
  await page.getByTestId('segment-generate').click();
  await page.locator('[data-testid="segment-generating"][data-stage="evaluating"]').waitFor();
  // The estimate moves on with the time spent in the stage.
  await page.waitForTimeout(1200);
};

/** Sales terms: the fixture's segments and a sales department's terms (added once per server); the try-out priced and checked for a key client. */
const termsSeeded = new Map<string, Promise<void>>();
const terms = (server: ApiTarget): Promise<void> => {
  if (!termsSeeded.has(server.url))
    termsSeeded.set(
      server.url,
      seedTermsFixture(server).then(() => seedTermsShowcase(server)),
    );
  return termsSeeded.get(server.url)!;
};
const loginReady = (page: Page) => page.getByTestId('login-form').waitFor();
const sourcesReady = (page: Page) => page.getByTestId('run').first().waitFor();
const adminTableReady = (page: Page) => page.locator('table tbody tr, [data-testid$="-card"]').first().waitFor();
const termsListReady = (testId: string) => (page: Page) => page.getByTestId(testId).locator('table tbody tr, [data-testid$="-card"]').first().waitFor();
const tableReady = (page: Page) => page.getByTestId('table-made-row').first().waitFor();
const orderReady = async (page: Page) => {
  const product = (id: string) => PRODUCTS.find((p) => p.id === id)!;
  await fillOrder(
    page,
    PARTNERS.find((p) => p.id === 'p003')!,
    [
      { product: product('g02'), quantity: 6 },
      { product: product('g03'), quantity: 3 },
      { product: product('g05'), quantity: 20 },
      { product: product('g06'), quantity: 10 },
    ],
  );
  await fillNumber(page.getByTestId('order-manual'), 2);
  await page.getByTestId('order-check').click();
  await page.getByTestId('check-result').waitFor();
  await page.getByTestId('order-price').click();
  await page.getByTestId('priced-line').first().waitFor();
  await page.evaluate('document.activeElement instanceof HTMLElement && document.activeElement.blur()');
};

const SHOTS: Shot[] = [
  { file: 'partners-ru.png', path: '/partners', language: 'ru', viewport: DESKTOP, ready: listReady },
  { file: 'partners-en.png', path: '/partners', language: 'en', viewport: DESKTOP, ready: listReady },
  { file: 'partner-card-ru.png', path: `/partners/${ROMASHKA.id}`, language: 'ru', viewport: DESKTOP, ready: cardReady },
  { file: 'partner-card-en.png', path: `/partners/${ROMASHKA.id}`, language: 'en', viewport: DESKTOP, ready: cardReady },
  { file: 'partners-phone-ru.png', path: '/partners', language: 'ru', viewport: PHONE, ready: listReady },
  { file: 'partner-card-phone-ru.png', path: `/partners/${ROMASHKA.id}`, language: 'ru', viewport: PHONE, ready: cardReady },
  { file: 'segments-ru.png', path: '/segments', language: 'ru', viewport: DESKTOP, ready: segmentsReady, prepare: folders },
  { file: 'segments-en.png', path: '/segments', language: 'en', viewport: DESKTOP, ready: segmentsReady, prepare: folders },
  { file: 'segment-card-ru.png', path: '/segments/tools-key', language: 'ru', viewport: DESKTOP, ready: builderReady, full: true },
  { file: 'segment-card-en.png', path: '/segments/tools-key', language: 'en', viewport: DESKTOP, ready: builderReady, full: true },
  { file: 'segment-members-ru.png', path: '/segments/tools-key?tab=members', language: 'ru', viewport: DESKTOP, ready: membersReady },
  { file: 'segment-history-ru.png', path: '/segments/big-buyers?tab=history', language: 'ru', viewport: DESKTOP, ready: chartReady, full: true },
  { file: 'segment-history-en.png', path: '/segments/big-buyers?tab=history', language: 'en', viewport: DESKTOP, ready: chartReady },
  { file: 'segment-reports-ru.png', path: '/segments/big-buyers?tab=reports', language: 'ru', viewport: DESKTOP, ready: salesReady, full: true },
  { file: 'segment-reports-en.png', path: '/segments/big-buyers?tab=reports', language: 'en', viewport: DESKTOP, ready: salesReady, full: true },
  { file: 'segment-reports-phone-ru.png', path: '/segments/big-buyers?tab=reports', language: 'ru', viewport: PHONE, ready: salesReady, full: true },
  {
    file: 'segment-intersections-ru.png',
    path: '/segments/big-buyers?tab=reports&report=intersections',
    language: 'ru',
    viewport: DESKTOP,
    ready: (page) => page.getByTestId('intersections-chart').locator('.recharts-bar-rectangle').first().waitFor(),
    full: true,
  },
  {
    file: 'segment-settlements-ru.png',
    path: '/segments/vip?tab=reports&report=settlements',
    language: 'ru',
    viewport: DESKTOP,
    ready: (page) => page.getByTestId('settlements-chart').locator('.recharts-bar-rectangle').first().waitFor(),
    full: true,
  },
  { file: 'segment-generating-ru.png', path: '/segments/big-buyers', language: 'ru', viewport: DESKTOP, ready: generating, after: () => gate?.open() },
  { file: 'segment-generating-en.png', path: '/segments/big-buyers', language: 'en', viewport: DESKTOP, ready: generating, after: () => gate?.open() },
  { file: 'partner-explain-ru.png', path: '/partners/p003', language: 'ru', viewport: DESKTOP, ready: explainReady, full: true },
  { file: 'segments-phone-ru.png', path: '/segments', language: 'ru', viewport: PHONE, ready: segmentsReady, prepare: folders },
  { file: 'segment-card-phone-ru.png', path: '/segments/tools-key', language: 'ru', viewport: PHONE, ready: builderReady, full: true },
  { file: 'segment-history-phone-ru.png', path: '/segments/big-buyers?tab=history', language: 'ru', viewport: PHONE, ready: chartReady },
  { file: 'analytics-rfm-ru.png', path: '/analytics/rfm', language: 'ru', viewport: DESKTOP, ready: heatmapReady, full: true, prepare: prepareAnalyticsScreens },
  { file: 'analytics-rfm-en.png', path: '/analytics/rfm', language: 'en', viewport: DESKTOP, ready: heatmapReady, full: true, prepare: prepareAnalyticsScreens },
  { file: 'analytics-matrix-ru.png', path: '/analytics/matrix', language: 'ru', viewport: DESKTOP, ready: matrixReady, full: true, prepare: prepareAnalyticsScreens },
  { file: 'analytics-csi-ru.png', path: '/analytics/csi', language: 'ru', viewport: DESKTOP, ready: csiReady, full: true, prepare: prepareAnalyticsScreens },
  { file: 'analytics-rfm-phone-ru.png', path: '/analytics/rfm', language: 'ru', viewport: PHONE, ready: heatmapReady, prepare: prepareAnalyticsScreens },
  { file: 'analytics-matrix-phone-ru.png', path: '/analytics/matrix', language: 'ru', viewport: PHONE, ready: matrixReady, full: true, prepare: prepareAnalyticsScreens },
  { file: 'analytics-csi-phone-ru.png', path: '/analytics/csi', language: 'ru', viewport: PHONE, ready: csiReady, prepare: prepareAnalyticsScreens },
  { file: 'terms-agreements-ru.png', path: '/sales-terms/agreements', language: 'ru', viewport: DESKTOP, ready: termsListReady('agreements'), prepare: terms },
  { file: 'terms-discounts-ru.png', path: '/sales-terms/discounts', language: 'ru', viewport: DESKTOP, ready: termsListReady('discounts'), prepare: terms },
  { file: 'terms-table-ru.png', path: `/sales-terms/tables/${TOOLS_TABLE.id}`, language: 'ru', viewport: DESKTOP, ready: tableReady, full: true, prepare: terms },
  { file: 'terms-order-ru.png', path: '/sales-terms/order', language: 'ru', viewport: DESKTOP, ready: orderReady, full: true, prepare: terms },
  { file: 'terms-order-en.png', path: '/sales-terms/order', language: 'en', viewport: DESKTOP, ready: orderReady, full: true, prepare: terms },
  { file: 'terms-order-phone-ru.png', path: '/sales-terms/order', language: 'ru', viewport: PHONE, ready: orderReady, full: true, prepare: terms },
  { file: 'terms-agreements-phone-ru.png', path: '/sales-terms/agreements', language: 'ru', viewport: PHONE, ready: termsListReady('agreements'), prepare: terms },
  { file: 'login-ru.png', path: '/segments', language: 'ru', viewport: DESKTOP, ready: loginReady, user: null },
  { file: 'login-en.png', path: '/segments', language: 'en', viewport: DESKTOP, ready: loginReady, user: null },
  { file: 'login-phone-ru.png', path: '/segments', language: 'ru', viewport: PHONE, ready: loginReady, user: null },
  { file: 'admin-users-ru.png', path: '/admin/users', language: 'ru', viewport: DESKTOP, ready: adminTableReady },
  { file: 'admin-keys-ru.png', path: '/admin/keys', language: 'ru', viewport: DESKTOP, ready: adminTableReady },
  { file: 'admin-audit-ru.png', path: '/admin/audit', language: 'ru', viewport: DESKTOP, ready: adminTableReady, prepare: terms },
  { file: 'admin-sources-ru.png', path: '/admin/sources', language: 'ru', viewport: DESKTOP, ready: sourcesReady, full: true, prepare: sources },
  { file: 'admin-sources-phone-ru.png', path: '/admin/sources', language: 'ru', viewport: PHONE, ready: sourcesReady, full: true, prepare: sources },
  // A manager's card: no JSON rule, no rule parameters, no (x) toggles (the advanced mode is off).
  { file: 'segment-card-manager-ru.png', path: '/segments/tools-key', language: 'ru', viewport: DESKTOP, ready: builderReady, full: true, user: DEMO_USERS.manager },
  { file: 'partners-segment-ru.png', path: '/partners?segment=big-buyers', language: 'ru', viewport: DESKTOP, ready: listReady },
  { file: 'analytics-lifecycle-ru.png', path: '/analytics/lifecycle', language: 'ru', viewport: DESKTOP, ready: lifecycleReady },
  { file: 'analytics-lifecycle-phone-ru.png', path: '/analytics/lifecycle', language: 'ru', viewport: PHONE, ready: lifecycleReady, full: true },
  { file: 'analytics-renew-ru.png', path: '/analytics/renew', language: 'ru', viewport: DESKTOP, ready: renewReady, full: true, prepare: prepareAnalyticsScreens },
  { file: 'analytics-renew-en.png', path: '/analytics/renew', language: 'en', viewport: DESKTOP, ready: renewReady, full: true, prepare: prepareAnalyticsScreens },
  { file: 'admin-audit-en.png', path: '/admin/audit', language: 'en', viewport: DESKTOP, ready: adminTableReady, prepare: terms },
];

/** The fake 1C (test/support) with a synced connection to it, for the Data sources screen. */
let fake1c: Fake1C | undefined;
async function sources(server: ApiTarget): Promise<void> {
  if (fake1c) return;
  fake1c = new Fake1C();
  serve(generateCompany({ partners: 40, products: 12, docs: 160 }), fake1c);
  await fake1c.start();
  const settings = { url: fake1c.url, user: fake1c.user, timezone: 'Europe/Moscow', profile: 'ut11.5', requestsPerSecond: 1000 };
  const connector = (await apiCall(server, 'POST', '/connectors', { kind: '1c', name: 'УТ 11.5, центральный офис', settings, secret: fake1c.password, schedule: 'every 30 minutes' })) as {
    id: string;
  };
  let job = (await apiCall(server, 'POST', `/connectors/${connector.id}/sync`, {})) as { id: string; status: string };
  while (job.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 100));
    job = (await apiCall(server, 'GET', `/connectors/${connector.id}/jobs/${job.id}`)) as { id: string; status: string };
  }
}

await ensureWebBuild();
mkdirSync(OUT, { recursive: true });
const server = await startDemoServer(WEB_ROOT, 0, {
  database: (db) => {
    const gated = gatedDatabase(db);
    gate = gated.gate;
    return gated.db;
  },
});
const browser = await launchBrowser();
const only = process.argv.slice(2);
try {
  for (const shot of SHOTS.filter((s) => only.length === 0 || only.some((name) => s.file.includes(name)))) {
    const context = await browser.newContext({ viewport: shot.viewport, baseURL: server.url });
    await context.addInitScript(`localStorage.setItem('segmenta.language', '${shot.language}')`);
    const page = await context.newPage();
    const user = shot.user === undefined ? DEMO_USERS.admin : shot.user;
    if (user) await signIn(context, user);
    await shot.prepare?.(server);
    await page.goto(shot.path);
    await shot.ready(page);
    // A held generation polls its job: the network never goes idle.
    if (!shot.after) await page.waitForLoadState('networkidle');
    // Let the last answers paint (charts measure their box first).
    await page.waitForTimeout(400);
    if (shot.full) {
      // A window as tall as the page, so the fixed navigation runs its whole height.
      const height = await page.evaluate<number>('document.documentElement.scrollHeight');
      await page.setViewportSize({ width: shot.viewport.width, height: Math.max(shot.viewport.height, height) });
      await page.waitForTimeout(300);
    }
    await page.screenshot({ path: `${OUT}${shot.file}` });
    if (shot.after) {
      shot.after();
      // The generation ends before the next picture.
      await page.getByTestId('segment-notice').waitFor();
    }
    await context.close();
    process.stdout.write(`docs/screenshots/${shot.file}\n`);
  }
} finally {
  await browser.close();
  await server.close();
  await fake1c?.stop();
}
