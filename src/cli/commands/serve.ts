import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { buildApp } from '../../api/app.js';
import { ScoreScheduler } from '../../domain/analytics/score-scheduler.js';
import { loadDemoOnFirstStart } from '../../demo/first-start.js';
import { SegmentScheduler } from '../../domain/segments/scheduler.js';
import { keepOrderFactsInMemory } from '../../domain/terms/order-facts-cache.js';
import { openDatabase } from '../../storage/open-database.js';
import type { GlobalOptions } from '../context.js';
import { positiveInt } from '../context.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the HTTP API and web UI (default port 8080). On first start with an empty database it loads the demo company (SEGMENTA_NO_DEMO=1 starts empty)')
    .option('-p, --port <port>', 'port to listen on', positiveInt('--port'), Number(process.env.PORT ?? 8080))
    .option('--host <host>', 'address to listen on', process.env.HOST ?? '0.0.0.0')
    .action(async (options: { port: number; host: string }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const db = await openDatabase(global.db ? { path: global.db } : {});
      const scheduler = new SegmentScheduler(db, (message) => app.log.info(message));
      const scoreScheduler = new ScoreScheduler(db, (message) => app.log.info(message));
      const app = await buildApp({ db, scheduler, scoreScheduler, allowCustomSql: process.env.SEGMENTA_ALLOW_CUSTOM_SQL === '1' }, { logger: true });
      const demo = await loadDemoOnFirstStart(db);
      if (demo) app.log.info(demo);
      await scheduler.start();
      await scoreScheduler.start();
      // Orders are priced from memory while nothing changes (DuckDB and PGlite; null on PostgreSQL).
      const orderFacts = keepOrderFactsInMemory(db);
      void orderFacts?.ready();
      const stop = async () => {
        scheduler.stop();
        scoreScheduler.stop();
        await orderFacts?.stop();
        await app.close();
        await db.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // Fastify lists the URLs of every interface, the loopback first; the bound address is ours to say.
      await app.listen({ port: options.port, host: options.host, listenTextResolver: (url) => `reachable at ${url}` });
      const where = listenDescription(app.server.address());
      app.log.info(`listening on ${where}`);
      process.stdout.write(`Segmenta is serving ${db.description} on ${where}\n`);
    });
}

/**
 * Where the server really listens: the address and the port it was given (port 0 picks one).
 * On all interfaces (0.0.0.0, ::) it says so, with the local URL to open.
 */
export function listenDescription(address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') return String(address);
  const everywhere = address.address === '0.0.0.0' || address.address === '::';
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return everywhere
    ? `all interfaces (${host}:${address.port}); open http://localhost:${address.port}/`
    : `http://${host}:${address.port}/`;
}
