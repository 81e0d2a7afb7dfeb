import { cliWrite } from '../audit.js';
import type { Queryable } from '../../sql/queryable.js';
import type { Command } from 'commander';
import type { AccessService } from '../../domain/access/access.service.js';
import { generatePassword } from '../../domain/access/passwords.js';
import type { Role } from '../../domain/access/principal.js';
import { withDatabase } from '../context.js';
import { firstLineOfStdin, type CliIo } from '../io.js';
import { printJson } from '../output.js';

/**
 * `segmenta users …` and `segmenta keys …`: the operator's tools for users and API keys, on the
 * database directly (docs/security.md). Secrets are printed once, to standard output, and
 * never logged: a generated password or a new key, nothing else.
 */

const splitIds = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');

/** The password to set: from standard input, or a generated one (printed once by the caller). */
async function passwordFrom(io: CliIo, fromStdin: boolean | undefined): Promise<{ password: string; generated: boolean }> {
  return fromStdin ? { password: await firstLineOfStdin(io, 'password', '--password-stdin'), generated: false } : { password: generatePassword(), generated: true };
}

function printPassword(io: CliIo, login: string, password: string): void {
  io.stdout.write(`Password of ${login} (shown this once, store it safely): ${password}\n`);
}

/** The audit log keeps users and keys as listed: never a password or a key's secret. */
const userAudit = (access: AccessService) => ({ entity: 'user', load: access.auditLoaders.user });
const keyAudit = (access: AccessService) => ({ entity: 'apiKey', load: access.auditLoaders.apiKey });

async function setDisabled(access: AccessService, io: CliIo, command: Command, db: Queryable, login: string, disabled: boolean): Promise<void> {
  const user = await access.getUserByLogin(login);
  await cliWrite(db, command, { ...userAudit(access), action: disabled ? 'user.disable' : 'user.enable', entityId: user.id }, () => access.updateUser(user.id, { disabled }));
  io.console.log(disabled ? `Disabled user ${user.login}: it cannot sign in, and its sessions ended` : `Enabled user ${user.login}`);
}

export function registerUsers(program: Command, io: CliIo): void {
  const users = program.command('users').description('Users who sign in to the web UI: add, list, disable, enable, set-password (docs/security.md)');

  users
    .command('add')
    .description('Add a user; without --password-stdin a password is generated and printed once')
    .requiredOption('--login <login>', 'the login (letters a–z, digits, . _ @ -)')
    .requiredOption('--role <role>', 'admin, analyst or manager')
    .option('--managers <ids>', 'manager ids the user covers, comma-separated (the manager role needs at least one)')
    .option('--password-stdin', 'read the password (at least 10 characters) from the first line of standard input')
    .action(async (options: { login: string; role: string; managers?: string; passwordStdin?: boolean }, command: Command) =>
      withDatabase(command, async (db, services) => {
        const { password, generated } = await passwordFrom(io, options.passwordStdin);
        const user = await cliWrite(db, command, { ...userAudit(services.access), action: 'user.create', entityId: null }, () =>
          services.access.addUser({ login: options.login, role: options.role as Role, managerIds: splitIds(options.managers), password }),
        );
        io.console.log(`Added user ${user.login} (${user.role}${user.managerIds.length ? ` of managers ${user.managerIds.join(', ')}` : ''})`);
        if (generated) printPassword(io, user.login, password);
      }),
    );

  users
    .command('list')
    .description('Every user: login, role, managers, disabled, locked')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) =>
      withDatabase(command, async (_db, services) => {
        const list = await services.access.listUsers();
        if (options.json) return printJson(io, list);
        if (list.length === 0) return io.console.log('No users');
        io.console.table(list.map((u) => ({ login: u.login, role: u.role, managers: u.managerIds.join(','), disabled: u.disabled, lockedUntil: u.lockedUntil ?? '', created: u.createdAt })));
      }),
    );

  users
    .command('disable <login>')
    .description('Disable a user: it cannot sign in, and its sessions end')
    .action(async (login: string, _options: unknown, command: Command) => withDatabase(command, async (db, services) => setDisabled(services.access, io, command, db, login, true)));

  users
    .command('enable <login>')
    .description('Enable a disabled user again (and lift a lock after failed sign-ins)')
    .action(async (login: string, _options: unknown, command: Command) => withDatabase(command, async (db, services) => setDisabled(services.access, io, command, db, login, false)));

  users
    .command('set-password <login>')
    .description("Set a user's password (ends its sessions, lifts a lock); without --password-stdin one is generated and printed once")
    .option('--password-stdin', 'read the password (at least 10 characters) from the first line of standard input')
    .action(async (login: string, options: { passwordStdin?: boolean }, command: Command) =>
      withDatabase(command, async (db, services) => {
        const user = await services.access.getUserByLogin(login);
        const { password, generated } = await passwordFrom(io, options.passwordStdin);
        await cliWrite(db, command, { ...userAudit(services.access), action: 'user.set-password', entityId: user.id }, () => services.access.updateUser(user.id, { password }));
        io.console.log(`Set the password of ${user.login}; its sessions ended`);
        if (generated) printPassword(io, user.login, password);
      }),
    );
}

export function registerKeys(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('API keys of integrations: create, list, revoke (docs/security.md)');

  keys
    .command('create')
    .description('Make an API key and print it once (only its hash is stored)')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--role <role>', 'admin, analyst or manager')
    .option('--managers <ids>', 'manager ids the key covers, comma-separated (the manager role needs at least one)')
    .action(async (options: { name: string; role: string; managers?: string }, command: Command) =>
      withDatabase(command, async (db, services) => {
        const { key, info } = await cliWrite(db, command, { ...keyAudit(services.access), action: 'apiKey.create', entityId: null, after: ({ result }) => result.info }, () =>
          services.access.createKey({ name: options.name, role: options.role as Role, managerIds: splitIds(options.managers) }),
        );
        io.console.log(`Made API key ${info.id} "${info.name}" (${info.role}${info.managerIds.length ? ` of managers ${info.managerIds.join(', ')}` : ''})`);
        io.stdout.write(`Key (shown this once; send it as "Authorization: Bearer <key>"): ${key}\n`);
      }),
    );

  keys
    .command('list')
    .description('Every API key (never its secret): id, name, role, last used, revoked')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) =>
      withDatabase(command, async (_db, services) => {
        const list = await services.access.listKeys();
        if (options.json) return printJson(io, list);
        if (list.length === 0) return io.console.log('No API keys');
        io.console.table(list.map((k) => ({ id: k.id, name: k.name, role: k.role, managers: k.managerIds.join(','), created: k.createdAt, lastUsed: k.lastUsedAt ?? '', revoked: k.revokedAt ?? '' })));
      }),
    );

  keys
    .command('revoke <id>')
    .description('Revoke an API key: it stops working (within 5 seconds on a running server)')
    .action(async (id: string, _options: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        await cliWrite(db, command, { ...keyAudit(services.access), action: 'apiKey.revoke', entityId: id }, () => services.access.revokeKey(id));
        io.console.log(`Revoked API key ${id}`);
      }),
    );
}
