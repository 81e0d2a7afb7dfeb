/**
 * Pictures of the screens for docs/screenshots/: the partners list and a partner card in
 * Russian and English at 1280×800, and both at phone width. `npm run screenshots`
 * (builds the UI first if it is stale; uses the browser tests' server and data).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ensureWebBuild, WEB_ROOT } from './build-web.js';
import { DESKTOP, launchBrowser, PHONE } from './browser.js';
import { ROMASHKA, startDemoServer } from './demo-server.js';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

type Viewport = { width: number; height: number };
const listReady = (page: Page) => page.locator('table tbody tr, [data-testid="partner-card-row"]').first().waitFor();
const cardReady = (page: Page) => page.getByTestId('partner-segments').locator('p').first().waitFor();

const SHOTS: [file: string, path: string, language: 'ru' | 'en', viewport: Viewport, ready: (page: Page) => Promise<void>][] = [
  ['partners-ru.png', '/partners', 'ru', DESKTOP, listReady],
  ['partners-en.png', '/partners', 'en', DESKTOP, listReady],
  ['partner-card-ru.png', `/partners/${ROMASHKA.id}`, 'ru', DESKTOP, cardReady],
  ['partner-card-en.png', `/partners/${ROMASHKA.id}`, 'en', DESKTOP, cardReady],
  ['partners-phone-ru.png', '/partners', 'ru', PHONE, listReady],
  ['partner-card-phone-ru.png', `/partners/${ROMASHKA.id}`, 'ru', PHONE, cardReady],
];

await ensureWebBuild();
mkdirSync(OUT, { recursive: true });
const server = await startDemoServer(WEB_ROOT);
const browser = await launchBrowser();
try {
  for (const [file, path, language, viewport, ready] of SHOTS) {
    const context = await browser.newContext({ viewport, baseURL: server.url });
    await context.addInitScript(`localStorage.setItem('segmenta.language', '${language}')`);
    const page = await context.newPage();
    await page.goto(path);
    await ready(page);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: `${OUT}${file}` });
    await context.close();
    process.stdout.write(`docs/screenshots/${file}\n`);
  }
} finally {
  await browser.close();
  await server.close();
}
