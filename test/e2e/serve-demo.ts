/**
 * The browser tests' server by hand, to look at the UI with their data:
 * `npx tsx test/e2e/serve-demo.ts [port]` (builds the UI first if it is stale).
 */
import { ensureWebBuild, WEB_ROOT } from './build-web.js';
import { startDemoServer } from './demo-server.js';

await ensureWebBuild();
const server = await startDemoServer(WEB_ROOT, Number(process.argv[2] ?? 0));
process.stdout.write(`${server.url}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
