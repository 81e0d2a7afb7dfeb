import type { Command } from 'commander';
import { AppError } from '../../errors/app-error.js';
import { cliWrite } from '../audit.js';
import { withDatabase } from '../context.js';
import type { CliIo } from '../io.js';
import { printJson } from '../output.js';

/**
 * `segmenta connectors …`: connections to 1C (docs/connectors-1c.md) from the shell — add, list,
 * test, sync, runs, publish, unpublish, remove. The password is read from standard input only
 * (`--password-stdin`), so it is in no shell history; it is stored encrypted and never printed.
 */

async function readSecret(io: CliIo): Promise<string> {
  if (!io.stdin) throw new AppError('VALIDATION_FAILED', { summary: 'password: --password-stdin needs standard input', issues: [{ path: 'password', message: 'no standard input' }] });
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const secret = (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').replace(/^\uFEFF/, '');
  if (!secret) throw new AppError('VALIDATION_FAILED', { summary: 'password: standard input is empty', issues: [{ path: 'password', message: 'empty' }] });
  return secret;
}

interface AddOptions {
  name?: string;
  url: string;
  user: string;
  passwordStdin?: boolean;
  timezone: string;
  profile: string;
  schedule?: string;
  allowedOnly?: boolean;
  salesFrom?: string;
}

export function registerConnectors(program: Command, io: CliIo): void {
  const connectors = program.command('connectors').description('Connections to 1C:Trade Management / ERP over OData: add, list, test, sync, runs, publish, remove (docs/connectors-1c.md)');

  connectors
    .command('add <kind>')
    .description('Add a connection (kind: 1c); the password comes from standard input')
    .requiredOption('--url <url>', "the base's publication, http(s)://host/<base>")
    .requiredOption('--user <user>', 'the 1C user')
    .option('--password-stdin', "read the 1C user's password from the first line of standard input")
    .option('--name <name>', 'a name for people (default: the URL)')
    .option('--timezone <zone>', "the 1C server's time zone", 'Europe/Moscow')
    .option('--profile <profile>', 'mapping profile: ut11.5, ut11.4 or erp2', 'ut11.5')
    .option('--schedule <schedule>', 'sync on a schedule in `segmenta serve`: cron or "every 30 minutes"')
    .option('--allowed-only', "read only rows the user may see under 1C's row-level restrictions")
    .option('--sales-from <date>', 'the first sync reads sale lines from this date (YYYY-MM-DD)')
    .action(async (kind: string, options: AddOptions, command: Command) =>
      withDatabase(command, async (db, services) => {
        if (!options.passwordStdin) throw new AppError('VALIDATION_FAILED', { summary: 'password: give it with --password-stdin', issues: [{ path: 'password', message: 'required' }] });
        const secret = await readSecret(io);
        const settings = {
          url: options.url,
          user: options.user,
          timezone: options.timezone,
          profile: options.profile,
          ...(options.allowedOnly ? { allowedOnly: true } : {}),
          ...(options.salesFrom ? { salesFrom: options.salesFrom } : {}),
        };
        const connector = await cliWrite(db, command, { entity: 'connector', action: 'connector.create', entityId: null, load: services.connectors.auditLoader }, () =>
          services.connectors.create({ kind, name: options.name ?? options.url, settings, secret, schedule: options.schedule ?? null }),
        );
        io.console.log(`Added connector ${connector.id}: ${connector.description}`);
      }),
    );

  connectors
    .command('list')
    .description('Every connection: id, kind, name, schedule, last run')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) =>
      withDatabase(command, async (_db, services) => {
        const list = await services.connectors.list();
        if (options.json) return printJson(io, list);
        if (list.length === 0) return io.console.log('No connectors');
        io.console.table(
          list.map((c) => ({
            id: c.id,
            kind: c.kind,
            name: c.name,
            connection: c.description,
            schedule: c.schedule ?? '',
            enabled: c.enabled,
            lastRun: c.lastRun ? `${c.lastRun.status} ${c.lastRun.startedAt}` : '',
          })),
        );
      }),
    );

  connectors
    .command('test <id>')
    .description('Sign in, read $metadata and list the objects of the profile that are published or missing')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) =>
      withDatabase(command, async (_db, services) => {
        const result = await services.connectors.test(id);
        if (options.json) printJson(io, result);
        else {
          io.console.log(result.message);
          for (const name of result.missing) io.console.log(`  missing: ${name}`);
          for (const name of result.optionalMissing) io.console.log(`  missing (publishing only): ${name}`);
        }
        if (!result.ok) io.exitCode = 1;
      }),
    );

  connectors
    .command('sync <id>')
    .description('Sync now: the first time everything, later only what changed')
    .option('--full', 'read everything again')
    .option('--json', 'print the run as JSON')
    .action(async (id: string, options: { full?: boolean; json?: boolean }, command: Command) =>
      withDatabase(command, async (db, services) => {
        const run = await cliWrite(db, command, { entity: 'connector', action: 'connector.sync', entityId: id, load: services.connectors.auditLoader }, () =>
          services.connectors.sync(id, { trigger: 'cli', ...(options.full ? { full: true } : {}), onStage: (stage) => io.stderr.write(`${stage}…\n`) }),
        );
        if (options.json) return printJson(io, run);
        const t = run.totals;
        io.console.log(
          `Synced (${run.mode}) in ${run.durationMs ?? 0} ms, ${run.requests} requests: read ${t.read}, inserted ${t.inserted}, updated ${t.updated}, deleted ${t.deleted}, refused ${t.refused}`,
        );
        for (const r of run.refusals.slice(0, 20)) io.console.log(`  refused ${r.entity}${r.id ? ` ${r.id}` : ''}: ${r.reason}`);
      }),
    );

  connectors
    .command('runs <id>')
    .description('The last syncs with their counts and errors')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { limit: string; json?: boolean }, command: Command) =>
      withDatabase(command, async (_db, services) => {
        await services.connectors.get(id);
        const runs = await services.connectors.runs(id, Number(options.limit) || 20);
        if (options.json) return printJson(io, runs);
        io.console.table(
          runs.map((r) => ({
            started: r.startedAt,
            mode: r.mode,
            status: r.status,
            stage: r.stage,
            read: r.totals.read,
            inserted: r.totals.inserted,
            updated: r.totals.updated,
            deleted: r.totals.deleted,
            refused: r.totals.refused,
            error: r.error?.message ?? '',
          })),
        );
      }),
    );

  connectors
    .command('publish <id> <segment>')
    .description('Publish a stored segment to 1C now and after each generation')
    .action(async (id: string, segment: string, _options: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        const publication = await cliWrite(db, command, { entity: 'connectorPublication', action: 'connectorPublication.create', entityId: id }, () => services.connectors.publish(id, segment));
        io.console.log(`Published segment ${segment} (${publication.members ?? 0} members) as ${publication.remoteId ?? '?'}`);
      }),
    );

  connectors
    .command('unpublish <id> <segment>')
    .description("Stop publishing a segment; its pairs are removed from 1C's register")
    .action(async (id: string, segment: string, _options: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        await cliWrite(db, command, { entity: 'connectorPublication', action: 'connectorPublication.delete', entityId: id }, () => services.connectors.unpublish(id, segment));
        io.console.log(`Segment ${segment} is no longer published through ${id}`);
      }),
    );

  connectors
    .command('remove <id>')
    .description('Delete a connection with its runs and publications (the data it brought stays)')
    .action(async (id: string, _options: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        await cliWrite(db, command, { entity: 'connector', action: 'connector.delete', entityId: id, load: services.connectors.auditLoader }, () => services.connectors.delete(id));
        io.console.log(`Removed connector ${id}`);
      }),
    );
}
