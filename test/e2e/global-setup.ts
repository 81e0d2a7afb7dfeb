import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureWebBuild } from './build-web.js';
import { shouldSkipBrowserSuite } from './browser.js';
import { DEMO_TEMPLATE_ENV, demoTemplateName, writeDemoTemplate } from './demo-server.js';

/**
 * Before the browser suite: the UI it tests must be built and current, and the demo company
 * seeded once for every file's server to copy (the workers start after this and inherit the
 * environment variable naming it).
 */
export default async function setup(): Promise<(() => void) | undefined> {
  if (shouldSkipBrowserSuite()) return undefined;
  await ensureWebBuild();
  const dir = mkdtempSync(join(tmpdir(), 'segmenta-e2e-demo-'));
  const template = join(dir, demoTemplateName());
  await writeDemoTemplate(template);
  process.env[DEMO_TEMPLATE_ENV] = template;
  return () => {
    delete process.env[DEMO_TEMPLATE_ENV];
    rmSync(dir, { recursive: true, force: true });
  };
}
