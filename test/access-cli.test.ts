/**
 * The operator's side of access: `segmenta users …` and `segmenta keys …` on a database file,
 * and the first start, which makes `admin` (and with the demo, `manager`) with generated
 * passwords kept in files only their owner may read.
 */
import { sql } from '../src/sql/sql.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServices } from '../src/app/services.js';
import { firstStart } from '../src/demo/first-start.js';
import { DuckDBDatabase } from '../src/storage/duckdb-database.js';
import { migrate } from '../src/storage/migrate.js';
import { ENGINES } from './engines.js';
import { segmentaCli, segmentaCliWithInput } from './support/segmenta-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'segmenta-access-cli-'));
const dbPath = join(dir, 'cli.duckdb');
const segmenta = segmentaCli(dbPath);

/** `segmenta --db <file> …` with text on standard input. */
const withStdin = segmentaCliWithInput(dbPath);

/** Signs in against the file (the CLI has closed it), answering the error code or the user's role. */
async function signIn(login: string, password: string): Promise<string> {
  const db = await DuckDBDatabase.open(dbPath);
  try {
    const { user } = await createServices(db).access.login(login, password, 'test');
    return user.role;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await db.close();
  }
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('segmenta users and segmenta keys', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds, lists, disables, enables users and sets passwords; prints a generated password once and never a hash', { timeout: 120_000 }, async () => {
    writeFileSync(join(dir, 'managers.csv'), 'id,name\nM1,Первый\nM2,Второй\n');
    expect((await segmenta('import', 'managers', join(dir, 'managers.csv'))).code).toBe(0);

    const fromStdin = await withStdin('analyst-password-1\n', 'users', 'add', '--login', 'Ann', '--role', 'analyst', '--password-stdin');
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toBe('Added user ann (analyst)\n');
    expect(await signIn('ann', 'analyst-password-1')).toBe('analyst');

    const generated = await segmenta('users', 'add', '--login', 'max', '--role', 'manager', '--managers', 'M1, M2');
    expect(generated.code, generated.stderr).toBe(0);
    const password = /Password of max \(shown this once, store it safely\): (\S+)\n/.exec(generated.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(generated.stdout).toContain('Added user max (manager of managers M1, M2)');
    expect(await signIn('max', password!)).toBe('manager');

    const short = await withStdin('too-short\n', 'users', 'add', '--login', 'bob', '--role', 'analyst', '--password-stdin');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('Error VALIDATION_FAILED');
    expect(short.stderr).toContain('at least 10 characters');
    expect(short.stderr).not.toContain('too-short');
    const unknownManager = await segmenta('users', 'add', '--login', 'bob', '--role', 'manager', '--managers', 'M7');
    expect(unknownManager.code).toBe(1);
    expect(unknownManager.stderr).toContain('Error MANAGER_UNKNOWN');
    expect((await segmenta('users', 'add', '--login', 'ANN', '--role', 'analyst')).stderr).toContain('Error USER_EXISTS');

    const list = await segmenta('users', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/'ann' .*'analyst'/);
    expect(list.stdout).toMatch(/'max' .*'manager' .*'M1,M2'/);
    expect(list.stdout).not.toContain('argon2');
    expect(list.stdout).not.toContain(password);
    const json = JSON.parse((await segmenta('users', 'list', '--json')).stdout) as { login: string; disabled: boolean }[];
    expect(json.map((u) => u.login)).toEqual(['ann', 'max']);
    expect(JSON.stringify(json)).not.toContain('password');

    expect((await segmenta('users', 'disable', 'max')).stdout).toBe('Disabled user max: it cannot sign in, and its sessions ended\n');
    expect(await signIn('max', password!)).toBe('USER_DISABLED');
    expect((await segmenta('users', 'enable', 'MAX')).code).toBe(0);
    expect(await signIn('max', password!)).toBe('manager');
    expect((await segmenta('users', 'disable', 'nobody')).stderr).toContain('Error ENTITY_NOT_FOUND');

    const set = await withStdin('a-new-password-2\r\n', 'users', 'set-password', 'max', '--password-stdin');
    expect(set.stdout).toBe('Set the password of max; its sessions ended\n');
    expect(await signIn('max', 'a-new-password-2')).toBe('manager');
    expect(await signIn('max', password!)).toBe('LOGIN_FAILED');
    const reset = await segmenta('users', 'set-password', 'ann');
    const annPassword = /Password of ann \(shown this once, store it safely\): (\S+)\n/.exec(reset.stdout)?.[1];
    expect(await signIn('ann', annPassword!)).toBe('analyst');
  });

  it('creates, lists and revokes keys; the key is printed once and the file holds only its hash', { timeout: 60_000 }, async () => {
    const created = await segmenta('keys', 'create', '--name', 'Bitrix24', '--role', 'manager', '--managers', 'M2');
    expect(created.code, created.stderr).toBe(0);
    const key = /Key \(shown this once; send it as "Authorization: Bearer <key>"\): (sgk_(\w{16})_\S+)\n/.exec(created.stdout);
    expect(key).not.toBeNull();
    const [, secret, id] = key!;
    expect(created.stdout).toContain(`Made API key ${id} "Bitrix24" (manager of managers M2)`);
    const list = await segmenta('keys', 'list');
    expect(list.stdout).toContain(id);
    expect(list.stdout).toContain('Bitrix24');
    expect(list.stdout).not.toContain(secret!.slice(22));
    expect(readFileSync(dbPath).includes(Buffer.from(secret!.slice(22)))).toBe(false);
    expect((await segmenta('keys', 'create', '--name', 'x', '--role', 'manager')).stderr).toContain('the manager role needs at least one manager id');

    const db = await DuckDBDatabase.open(dbPath);
    try {
      expect(await createServices(db).access.authenticateKey(secret!)).not.toBeNull();
    } finally {
      await db.close();
    }
    expect((await segmenta('keys', 'revoke', id!)).stdout).toBe(`Revoked API key ${id}\n`);
    const again = await segmenta('keys', 'revoke', id!);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Error ENTITY_NOT_FOUND');
    const revoked = JSON.parse((await segmenta('keys', 'list', '--json')).stdout) as { id: string; revokedAt: string | null }[];
    expect(revoked.find((k) => k.id === id)?.revokedAt).not.toBeNull();
    const db2 = await DuckDBDatabase.open(dbPath);
    try {
      expect(await createServices(db2).access.authenticateKey(secret!)).toBeNull();
      // The audit log has the commands' writes, made by the operating-system user, never a secret.
      const rows = await db2.query<{ action: string; actor_kind: string; entity_id: string | null; after_json: string | null }>(
        sql`SELECT action, actor_kind, entity_id, after_state AS after_json FROM audit_log WHERE entity IN ('user', 'apiKey') ORDER BY id`,
      );
      const actions = rows.map((r) => r.action);
      expect(actions).toEqual(expect.arrayContaining(['user.create', 'user.disable', 'user.enable', 'user.set-password', 'apiKey.create', 'apiKey.revoke']));
      expect(rows.every((r) => r.actor_kind === 'cli')).toBe(true);
      expect(rows.find((r) => r.action === 'apiKey.revoke')?.entity_id).toBe(id);
      expect(JSON.stringify(rows)).not.toContain(secret!.slice(22));
    } finally {
      await db2.close();
    }
  });

  it('are listed in segmenta --help', async () => {
    const help = await segmenta('--help');
    expect(help.stdout).toMatch(/\n {2}users +Users who sign in/);
    expect(help.stdout).toMatch(/\n {2}keys +API keys of integrations/);
  });
});

describe.each(ENGINES)('first start on $name', (engine) => {
  it('makes admin with a generated password in a file only its owner may read, once', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'segmenta-first-start-'));
    const db = await engine.create();
    try {
      const services = createServices(db);
      const first = await firstStart(services, { env: { SEGMENTA_NO_DEMO: '1' }, cwd });
      expect(first.demo).toBeUndefined();
      expect(first.users).toHaveLength(1);
      const [admin] = first.users;
      // PostgreSQL and PGlite have no database file: the working directory.
      expect(admin).toMatchObject({ login: 'admin', role: 'admin', file: join(cwd, 'segmenta.admin-password') });
      expect(mode(admin!.file!)).toBe(0o600);
      expect(readFileSync(admin!.file!, 'utf8')).toBe(`${admin!.password}\n`);
      expect((await services.access.login('admin', admin!.password, 'test')).user.role).toBe('admin');
      expect((await firstStart(services, { env: { SEGMENTA_NO_DEMO: '1' }, cwd })).users).toEqual([]);
    } finally {
      await db.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('first start with the demo', () => {
  it('writes <db>.admin-password and <db>.manager-password beside the DuckDB file; manager covers a demo manager', { timeout: 240_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'segmenta-first-demo-'));
    const file = join(home, 'demo.duckdb');
    const db = await DuckDBDatabase.open(file);
    try {
      await migrate(db);
      const services = createServices(db);
      const first = await firstStart(services, { env: {} });
      expect(first.demo).toMatch(/^Loaded the demo company/);
      expect(first.users.map((u) => [u.login, u.role, u.file])).toEqual([
        ['admin', 'admin', `${file}.admin-password`],
        ['manager', 'manager', `${file}.manager-password`],
      ]);
      const manager = first.users[1]!;
      expect(manager.managerIds).toEqual(['M001']);
      expect(mode(manager.file!)).toBe(0o600);
      const { user } = await services.access.login('manager', readFileSync(manager.file!, 'utf8').trim(), 'test');
      expect(user).toMatchObject({ role: 'manager', managerIds: ['M001'] });
    } finally {
      await db.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('segmenta serve on first start', () => {
  it('listens on 127.0.0.1, prints the admin password once and keeps it in <db>.admin-password (0600)', { timeout: 120_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'segmenta-serve-first-'));
    const file = join(home, 'serve.duckdb');
    const { DATABASE_URL: _url, HOST: _host, ...env } = process.env;
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--db', file, 'serve', '--port', String(port)], {
      env: { ...env, SEGMENTA_NO_DEMO: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString('utf8');
          if (stdout.includes('Segmenta is serving')) resolve();
        });
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const password = /Created the admin user "admin" with the password (\S+) — shown once, also in (.+) \(readable by you only\)/.exec(stdout);
      expect(password, stdout).not.toBeNull();
      expect(password![2]).toBe(`${file}.admin-password`);
      expect(readFileSync(`${file}.admin-password`, 'utf8')).toBe(`${password![1]}\n`);
      expect(mode(`${file}.admin-password`)).toBe(0o600);
      expect(stdout).toContain(` on http://127.0.0.1:${port}/`);
      // The password is on the console once, and not in the log lines.
      expect(stdout.split(password![1]!).length - 1).toBe(1);
      expect(stdout.split('\n').filter((line) => line.startsWith('{') && line.includes(password![1]!))).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
      rmSync(home, { recursive: true, force: true });
    }
  });
});
