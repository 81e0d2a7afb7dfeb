import { ensureWebBuild } from './build-web.js';
import { shouldSkipBrowserSuite } from './browser.js';

/** Before the browser suite: the UI it tests must be built and current. */
export default async function setup(): Promise<void> {
  if (shouldSkipBrowserSuite()) return;
  await ensureWebBuild();
}
