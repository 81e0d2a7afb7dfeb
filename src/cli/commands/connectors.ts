import type { Command } from 'commander';
import { parseWebhook } from '../../connectors/bitrix24/b24-webhook.js';
import { driverOf } from '../../connectors/drivers.js';
import { AppError } from '../../errors/app-error.js';
import { cliWrite } from '../audit.js';
import { withDatabase } from '../context.js';
import { firstLineOfStdin, type CliIo } from '../io.js';
import { printJson } from '../output.js';

/**
 * `segmenta connectors …`: connections to 1C (docs/connectors-1c.md), Bitrix24 and amoCRM
 * (docs/connectors-crm.md) from the shell — add, list, test, sync, runs, publish, unpublish,
 * remove. The secret (1C's password, the Bitrix24 webhook's address, amoCRM's long-lived token)
 * is read from standard input only (`--secret-stdin`), so it is in no shell history; it is stored
 * encrypted and never printed.
 */

type Kind = '1c' | 'bitrix24' | 'amocrm';

interface AddOptions {
  name?: string;
  secretStdin?: boolean;
  passwordStdin?: boolean;
  schedule?: string;
  url?: string;
  user?: string;
  timezone?: string;
  profile?: string;
  allowedOnly?: boolean;
  salesFrom?: string;
  match?: string;
  matchField?: string;
  matchTo?: string;
  matchProperty?: string;
  segmentsField?: string;
  contacts?: boolean;
  deals?: boolean;
  activities?: boolean;
  leads?: boolean;
}

/** The options only some kinds take (the rest — name, schedule, the secret — every kind): option → its flag and kinds. */
const KIND_OPTIONS: Partial<Record<keyof AddOptions, { readonly flag: string; readonly kinds: readonly Kind[] }>> = {
  passwordStdin: { flag: '--password-stdin', kinds: ['1c'] },
  url: { flag: '--url', kinds: ['1c', 'amocrm'] },
  user: { flag: '--user', kinds: ['1c'] },
  timezone: { flag: '--timezone', kinds: ['1c'] },
  profile: { flag: '--profile', kinds: ['1c'] },
  allowedOnly: { flag: '--allowed-only', kinds: ['1c'] },
  salesFrom: { flag: '--sales-from', kinds: ['1c'] },
  match: { flag: '--match', kinds: ['amocrm'] },
  matchField: { flag: '--match-field', kinds: ['bitrix24', 'amocrm'] },
  matchTo: { flag: '--match-to', kinds: ['bitrix24'] },
  matchProperty: { flag: '--match-property', kinds: ['bitrix24', 'amocrm'] },
  segmentsField: { flag: '--segments-field', kinds: ['bitrix24', 'amocrm'] },
  contacts: { flag: '--no-contacts', kinds: ['bitrix24', 'amocrm'] },
  deals: { flag: '--no-deals', kinds: ['bitrix24'] },
  activities: { flag: '--no-activities', kinds: ['bitrix24'] },
  leads: { flag: '--no-leads', kinds: ['amocrm'] },
};

/** What each kind's secret is on standard input. */
const SECRET_OF: Record<Kind, string> = {
  '1c': "the 1C user's password",
  bitrix24: "the incoming webhook's whole address, https://<portal>/rest/<user>/<code>/",
  amocrm: "the integration's long-lived token",
};

const invalid = (path: string, message: string) => new AppError('VALIDATION_FAILED', { summary: `${path}: ${message}`, issues: [{ path, message }] });

/** Refuses an option given on the command line that the kind does not take, naming those it does. */
function checkKindOptions(kind: Kind, command: Command): void {
  for (const [key, option] of Object.entries(KIND_OPTIONS)) {
    if (command.getOptionValueSource(key) !== 'cli' || option.kinds.includes(kind)) continue;
    const takes = Object.values(KIND_OPTIONS)
      .filter((o) => o.kinds.includes(kind))
      .map((o) => o.flag);
    throw invalid(option.flag, `not an option of ${kind} connections (${option.kinds.join(', ')} only); ${kind} takes ${takes.join(', ')}`);
  }
}

function required(value: string | undefined, flag: string, kind: Kind): string {
  if (value === undefined) throw invalid(flag, `${kind} connections need ${flag}`);
  return value;
}

/** The connection's settings and secret from the options and the secret read (the driver's schema checks the values). */
function connectionOf(kind: Kind, options: AddOptions, secret: string): { settings: Record<string, unknown>; secret: string; name: string } {
  const flags = <K extends keyof AddOptions>(...keys: K[]) => Object.fromEntries(keys.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
  if (kind === '1c') {
    const url = required(options.url, '--url', kind);
    const settings = {
      url,
      user: required(options.user, '--user', kind),
      timezone: options.timezone ?? 'Europe/Moscow',
      profile: options.profile ?? 'ut11.5',
      ...(options.allowedOnly ? { allowedOnly: true } : {}),
      ...flags('salesFrom'),
    };
    return { settings, secret, name: options.name ?? url };
  }
  if (kind === 'bitrix24') {
    const hook = parseWebhook(secret);
    if (!hook) throw invalid('webhook', "standard input is not an incoming webhook's address: it looks like https://<portal>/rest/<user id>/<code>/");
    for (const [key, flag] of [
      ['matchTo', '--match-to'],
      ['matchProperty', '--match-property'],
    ] as const) {
      if (options[key] !== undefined && options.matchField === undefined) throw invalid(flag, 'give the company field to match with --match-field');
    }
    const match =
      options.matchField === undefined ? null : { field: options.matchField, to: options.matchTo ?? 'property', ...(options.matchProperty !== undefined ? { property: options.matchProperty } : {}) };
    const settings = { url: hook.url, user: hook.user, match, ...flags('segmentsField', 'contacts', 'deals', 'activities') };
    return { settings, secret: hook.code, name: options.name ?? hook.url };
  }
  const url = required(options.url, '--url', kind);
  const match = options.match ?? (options.matchField === undefined ? 'none' : 'inn');
  if (match !== 'none' && options.matchField === undefined) throw invalid('--match-field', `--match ${match} needs the company field holding the value (--match-field)`);
  const settings = { url, match, ...flags('matchField', 'matchProperty', 'segmentsField', 'contacts', 'leads') };
  return { settings, secret, name: options.name ?? url };
}

export function registerConnectors(program: Command, io: CliIo): void {
  const connectors = program
    .command('connectors')
    .description('Connections to 1C (OData), Bitrix24 and amoCRM: add, list, test, sync, runs, publish, remove (docs/connectors-1c.md, docs/connectors-crm.md)');

  connectors
    .command('add <kind>')
    .description('Add a connection (kind: 1c, bitrix24, amocrm); its secret comes from standard input')
    .option('--secret-stdin', "read the secret from the first line of standard input: 1C's password, Bitrix24's webhook address, amoCRM's token")
    .option('--password-stdin', '1c: the same as --secret-stdin')
    .option('--name <name>', 'a name for people (default: the address)')
    .option('--schedule <schedule>', 'sync on a schedule in `segmenta serve`: cron or "every 30 minutes"')
    .option('--url <url>', "1c: the base's publication, http(s)://host/<base>; amocrm: the account, https://<subdomain>.amocrm.ru")
    .option('--user <user>', '1c: the 1C user')
    .option('--timezone <zone>', "1c: the 1C server's time zone (default Europe/Moscow)")
    .option('--profile <profile>', '1c: mapping profile: ut11.5 (default), ut11.4 or erp2')
    .option('--allowed-only', "1c: read only rows the user may see under 1C's row-level restrictions")
    .option('--sales-from <date>', '1c: the first sync reads sale lines from this date (YYYY-MM-DD)')
    .option('--match <how>', 'amocrm: how a company finds its 1C partner: inn, id or none (default: inn with --match-field, else none)')
    .option('--match-field <field>', "bitrix24, amocrm: the company field holding the INN or the 1C partner's id (Bitrix24: UF_CRM_…; amoCRM: its id, code or name)")
    .option('--match-to <to>', "bitrix24: property (the field holds a partner property, default) or id (the 1C partner's id)")
    .option('--match-property <name>', 'bitrix24, amocrm: the partner property compared (Bitrix24 default inn, amoCRM ИНН)')
    .option('--segments-field <field>', 'bitrix24, amocrm: the field (of companies and of contacts) publishing writes segments to')
    .option('--no-contacts', 'bitrix24, amocrm: do not read contacts')
    .option('--no-deals', 'bitrix24: do not read deals')
    .option('--no-activities', 'bitrix24: do not read activities')
    .option('--no-leads', 'amocrm: do not read leads')
    .action(async (kindText: string, options: AddOptions, command: Command) =>
      withDatabase(command, async (db, services) => {
        const kind = driverOf(kindText).kind as Kind;
        checkKindOptions(kind, command);
        if (!options.secretStdin && !options.passwordStdin) throw invalid('secret', `give ${SECRET_OF[kind]} on standard input with --secret-stdin`);
        const secret = await firstLineOfStdin(io, 'secret', '--secret-stdin');
        if (!secret) throw invalid('secret', `standard input is empty; it must hold ${SECRET_OF[kind]}`);
        const { settings, secret: stored, name } = connectionOf(kind, options, secret);
        const connector = await cliWrite(db, command, { entity: 'connector', action: 'connector.create', entityId: null, load: services.connectors.auditLoader }, () =>
          services.connectors.create({ kind, name, settings, secret: stored, schedule: options.schedule ?? null }),
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
    .description('Reach the system and sign in; list what it publishes (1C: the objects of the profile; CRMs: the rights) and what is missing')
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
    .description("Publish a stored segment now and after each generation (1C: a partner segment; CRMs: an item of the companies' segments field)")
    .action(async (id: string, segment: string, _options: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        const publication = await cliWrite(db, command, { entity: 'connectorPublication', action: 'connectorPublication.create', entityId: id }, () => services.connectors.publish(id, segment));
        io.console.log(`Published segment ${segment} (${publication.members ?? 0} members) as ${publication.remoteId ?? '?'}`);
      }),
    );

  connectors
    .command('unpublish <id> <segment>')
    .description("Stop publishing a segment; its members are taken out of the system (1C's register, the CRM's field)")
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
