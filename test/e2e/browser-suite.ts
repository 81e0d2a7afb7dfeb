/**
 * The setup every browser test file shares: the demo server and Chromium for the file's
 * `describe` (hooks registered by the call), and `open`, a fresh browser profile on a path,
 * signed in as the admin unless told otherwise. The profiles a test opened are closed when it
 * ends: left open, every earlier test's pages kept rendering and polling the server (a file's
 * twenty tests, twenty live pages) beside the one running.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { WEB_ROOT } from './build-web.js';
import { DESKTOP, launchBrowser } from './browser.js';
import { DEMO_USERS, startDemoServer, type DemoServer, type DemoServerOptions, type DemoUser } from './demo-server.js';
import { signIn } from './sign-in.js';

export type Viewport = { readonly width: number; readonly height: number };

export interface BrowserSuite {
  /** The running server (after the suite's beforeAll). */
  readonly server: DemoServer;
  /**
   * A fresh profile (empty localStorage unless a language is given) at that size, on that path,
   * signed in as `user` (the admin by default; null: nobody, the login screen); a page error fails the test.
   */
  open(path: string, viewport?: Viewport, language?: 'ru' | 'en', user?: DemoUser | null): Promise<Page>;
}

export interface SuiteSetup {
  readonly server?: DemoServerOptions;
  /** Data the file needs beyond the demo server's, added once through the API. */
  readonly seed?: (server: DemoServer) => Promise<void>;
  /** Before the server closes (e.g. let go of a held gate). */
  readonly beforeClose?: () => void;
}

export function browserSuite(setup: SuiteSetup = {}): BrowserSuite {
  let server: DemoServer | undefined;
  let browser: Browser | undefined;
  const contexts = new Set<BrowserContext>();
  beforeAll(async () => {
    server = await startDemoServer(WEB_ROOT, 0, setup.server ?? {});
    await setup.seed?.(server);
    browser = await launchBrowser();
  });
  afterEach(async () => {
    const open = [...contexts];
    contexts.clear();
    await Promise.all(open.map((context) => context.close()));
  });
  afterAll(async () => {
    setup.beforeClose?.();
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the demo server is not started yet (use it inside a test)');
      return server;
    },
    async open(path, viewport = DESKTOP, language, user = DEMO_USERS.admin) {
      if (!browser || !server) throw new Error('the browser is not started yet (use it inside a test)');
      const context = await browser.newContext({ viewport, baseURL: server.url, locale: 'en-US' });
      contexts.add(context);
      if (language) await context.addInitScript(`localStorage.setItem('segmenta.language', '${language}')`);
      if (user) await signIn(context, user);
      const page = await context.newPage();
      page.on('pageerror', (error) => {
        throw error;
      });
      await page.goto(path);
      return page;
    },
  };
}

/** Whether the page fits its width (a string: the suite is type-checked without the DOM library). */
export const hasNoHorizontalScroll = (page: Page): Promise<boolean> => page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');
