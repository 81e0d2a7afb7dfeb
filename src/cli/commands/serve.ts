import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { buildApp } from '../../api/app.js';
import { createServices } from '../../app/services.js';
import { resolveSecretKey } from '../../domain/access/secret-key-file.js';
import { describeFirstStartUsers, firstStart } from '../../demo/first-start.js';
import { withCustomSqlAllowed } from '../../domain/segments/custom-sql/policy.js';
import { keepOrderFactsInMemory } from '../../domain/terms/order-facts-cache.js';
import { preparePartnerChecks } from '../../domain/segments/check-on-create.js';
import { keepMembershipsInMemory } from '../../domain/segments/membership-copy.js';
import { openDatabase } from '../../storage/open-database.js';
import { whenDatabaseInvalidated, isDatabaseInvalidated } from '../../storage/database-failure.js';
import { scheduleBackups } from '../../storage/backup-schedule.js';
import type { GlobalOptions } from '../context.js';
import type { CliIo } from '../io.js';
import { positiveInt } from '../context.js';

export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      'Run the HTTP API and web UI (default http://127.0.0.1:8080). On first start it creates the user admin with a generated password (printed once, and kept in <db>.admin-password) and loads the demo company into an empty database (SEGMENTA_NO_DEMO=1 starts empty)',
    )
    .option('-p, --port <port>', 'port to listen on', positiveInt('--port'), Number(process.env.PORT ?? 8080))
    .option('--host <host>', 'address to listen on: this machine only by default; 0.0.0.0 for every interface (others on the network can reach it)', process.env.HOST ?? '127.0.0.1')
    .action(async (options: { port: number; host: string }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const db = await openDatabase(global.db ? { path: global.db } : {});
      const allowCustomSql = process.env.SEGMENTA_ALLOW_CUSTOM_SQL === '1';
      const secretKey = resolveSecretKey(db);
      const events = {
        secretKey,
        allowTargets: (process.env.SEGMENTA_WEBHOOK_ALLOW ?? '').split(',').filter((s) => s.trim() !== ''),
        dispatcher: { log: (message: string) => app.log.warn(message) },
      };
      // One key seals every secret (connectors, webhooks, SMTP): events.secretKey, null on PostgreSQL without SEGMENTA_SECRET_KEY (docs/security.md).
      const services = createServices(db, { allowCustomSql, schedules: { log: (message) => app.log.info(message) }, events });
      const scheduler = services.scheduler!;
      const scoreScheduler = services.scoreScheduler!;
      const app = await buildApp({ db, services, allowCustomSql }, { logger: true });
      let orderFacts: ReturnType<typeof keepOrderFactsInMemory> = null;
      let memberships: ReturnType<typeof keepMembershipsInMemory> = null;
      let backups: ReturnType<typeof scheduleBackups> = null;
      const stopAll = async () => {
        backups?.stop();
        scheduler.stop();
        scoreScheduler.stop();
        await services.dispatcher.stop();
        services.connectors.stopSchedules();
        await orderFacts?.stop();
        await memberships?.stop();
        await app.close();
        await db.close();
      };
      try {
        // The first users (admin; with the demo, manager) and the demo company, before any schedule
        // runs: a segment firing on its schedule while the demo generates it failed the first start
        // (SEGMENT_REBUILD_RUNNING). Passwords go to the console once, never to the log.
        const first = await firstStart(services);
        if (first.demo) app.log.info(first.demo);
        for (const line of describeFirstStartUsers(first.users)) io.stdout.write(`${line}\n`);
        // The schedulers read every stored segment when they start, the demo's included. Their runs
        // follow the server's custom SQL setting, as requests do.
        await withCustomSqlAllowed(allowCustomSql, () => scheduler.start());
        await withCustomSqlAllowed(allowCustomSql, () => scoreScheduler.start());
        // Segment events go out to their subscriptions (docs/events.md); stopped before the database closes.
        await services.dispatcher.start();
        if (!events.secretKey) app.log.warn('SEGMENTA_SECRET_KEY is not set: connectors, webhooks and SMTP settings cannot be stored (docs/security.md)');
        await services.connectors.startSchedules();
        // Orders are priced from memory while nothing changes (DuckDB and PGlite; null on PostgreSQL).
        orderFacts = keepOrderFactsInMemory(db);
        void orderFacts?.ready();
        // One partner is checked against the segments with the compositions they read in memory (same engines).
        memberships = keepMembershipsInMemory(db);
        if (memberships) void preparePartnerChecks(db).catch((error: unknown) => app.log.warn({ err: error }, 'one-partner checks not prepared'));
        // A database DuckDB invalidated fails every later request: exit (70) for the supervisor to
        // restart us (the file is recovered on open) rather than answer 500 forever.
        const exitForRestart = (error: unknown) => {
          app.log.fatal({ err: error }, 'the database stopped working; exiting so that the supervisor restarts Segmenta');
          setTimeout(() => process.exit(70), 200).unref();
        };
        whenDatabaseInvalidated(exitForRestart);
        process.on('unhandledRejection', (error) => {
          if (isDatabaseInvalidated(error)) exitForRestart(error);
          else app.log.error({ err: error }, 'unhandled rejection');
        });
        backups = scheduleBackups(db, process.env, (message) => app.log.info(message));
        const stop = async () => {
          await stopAll();
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // Fastify lists the URLs of every interface, the loopback first; the bound address is ours to say.
        await app.listen({ port: options.port, host: options.host, listenTextResolver: (url) => `reachable at ${url}` });
      } catch (error) {
        // A start that failed (the demo, a port in use) must not leave timers holding a process that never listens.
        await stopAll().catch(() => undefined);
        throw error;
      }
      const where = listenDescription(app.server.address());
      app.log.info(`listening on ${where}`);
      io.stdout.write(`Segmenta is serving ${db.description} on ${where}\n`);
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
  return everywhere ? `all interfaces (${host}:${address.port}); open http://localhost:${address.port}/` : `http://${host}:${address.port}/`;
}
