import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AccessService } from '../domain/access/access.service.js';
import { generatePassword } from '../domain/access/passwords.js';
import type { Role } from '../domain/access/principal.js';
import { isAppError } from '../errors/app-error.js';
import type { SegmentService } from '../domain/segments/segments.service.js';
import type { Database } from '../storage/database.js';
import { DuckDBDatabase } from '../storage/duckdb-database.js';
import { createDemoSegments } from './demo-segments.js';
import { createDemoSubscription } from './demo-subscriptions.js';
import type { SubscriptionStore } from '../domain/actions/subscriptions.js';
import { loadDemo } from './load-demo.js';

/**
 * On a server's first start — a database without partners — loads the demo company and its
 * segments, so a fresh `npm start` has something to show. `SEGMENTA_NO_DEMO=1` starts empty.
 * Returns the one line to log.
 */
export async function loadDemoOnFirstStart(segments: SegmentService, env: NodeJS.ProcessEnv = process.env, subscriptions?: SubscriptionStore): Promise<string | undefined> {
  const { db } = segments;
  if (env.SEGMENTA_NO_DEMO === '1') return undefined;
  if ((await db.query('SELECT 1 AS x FROM partners LIMIT 1')).length) return undefined;
  try {
    const demo = await loadDemo(db);
    const created = await createDemoSegments(segments);
    if (subscriptions) await createDemoSubscription(subscriptions);
    const seconds = demo.seconds + created.seconds;
    return `Loaded the demo company into the empty database (${demo.partners.toLocaleString('en-US')} partners, ${demo.sales.toLocaleString('en-US')} sale lines, ${created.created.length} segments) in ${seconds.toFixed(1)} s; SEGMENTA_NO_DEMO=1 starts empty`;
  } catch (error) {
    if (isAppError(error) && error.code === 'DEMO_DATABASE_NOT_EMPTY') return `Not loading the demo company: ${error.message}`;
    throw error;
  }
}

/** A user made on first start, with its password (printed once) and the file that holds it. */
export interface FirstStartUser {
  readonly login: string;
  readonly role: Role;
  readonly managerIds: readonly string[];
  readonly password: string;
  /** The file (mode 0600) the password was written to; null when it could not be written (fileError says why). */
  readonly file: string | null;
  readonly fileError?: string;
}

export interface FirstStartOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Where a PostgreSQL server's password files go (default: the working directory). */
  readonly cwd?: string;
}

export interface FirstStart {
  /** What to log: the demo's line, if it was loaded. */
  readonly demo: string | undefined;
  /** Users made now (admin on a database without users; `manager` too when the demo was loaded now). */
  readonly users: readonly FirstStartUser[];
}

/**
 * The server's first start (`segmenta serve`, docs/security.md "First start"): on a database
 * without users, `admin` with a generated password; the demo company into an empty database
 * (loadDemoOnFirstStart); and with the demo loaded now, a `manager` user for its first
 * manager (createDemoManagerUser), so that a manager's view can be tried. Each password is written to a file only its owner may read,
 * beside the DuckDB file (`<db>.admin-password`, `<db>.manager-password`), or for PostgreSQL
 * in the working directory (`segmenta.admin-password`…); the caller prints them once.
 */
export async function firstStart(
  services: { readonly segments: SegmentService; readonly access: AccessService; readonly subscriptions?: SubscriptionStore },
  options: FirstStartOptions = {},
): Promise<FirstStart> {
  const { db } = services.segments;
  const users: FirstStartUser[] = [];
  const noUsers = (await services.access.countUsers()) === 0;
  if (noUsers) {
    const admin = await createUser(services.access, passwordFile(db, 'admin', options.cwd), { login: 'admin', role: 'admin', managerIds: [] });
    if (admin) users.push(admin);
  }
  const hadPartners = (await db.query('SELECT 1 AS x FROM partners LIMIT 1')).length > 0;
  const demo = await loadDemoOnFirstStart(services.segments, options.env, services.subscriptions);
  const demoLoaded = !hadPartners && (await db.query('SELECT 1 AS x FROM partners LIMIT 1')).length > 0;
  if (demoLoaded) {
    const manager = await createDemoManagerUser(services.access, options.cwd);
    if (manager) users.push(manager);
  }
  return { demo, users };
}

/**
 * With the demo company loaded: the user `manager` for the demo's first manager (by id), unless
 * a user of that login exists, so that a manager's view of own partners can be tried.
 */
export async function createDemoManagerUser(access: AccessService, cwd?: string): Promise<FirstStartUser | null> {
  const { db } = access;
  if ((await access.listUsers()).some((user) => user.login === 'manager')) return null;
  const managers = await db.query<{ id: string }>('SELECT manager_id AS id FROM partners WHERE manager_id IS NOT NULL ORDER BY manager_id LIMIT 1');
  if (!managers[0]) return null;
  return createUser(access, passwordFile(db, 'manager', cwd), { login: 'manager', role: 'manager', managerIds: [managers[0].id] });
}

/** The first start's lines for the console: each user's login and password, and where the password is kept. */
export function describeFirstStartUsers(users: readonly FirstStartUser[]): string[] {
  return users.map(
    (user) =>
      `Created the ${user.role} user "${user.login}"${user.managerIds.length ? ` (managers ${user.managerIds.join(', ')})` : ''} with the password ${user.password} — shown once, ` +
      (user.file ? `also in ${user.file} (readable by you only)` : `not written to a file (${user.fileError})`) +
      `; change it with: segmenta users set-password ${user.login}`,
  );
}

function passwordFile(db: Database, login: string, cwd = process.cwd()): string {
  if (db instanceof DuckDBDatabase && db.path !== ':memory:') return resolve(`${db.path}.${login}-password`);
  return resolve(cwd, `segmenta.${login}-password`);
}

async function createUser(access: AccessService, file: string, user: Omit<FirstStartUser, 'password' | 'file' | 'fileError'>): Promise<FirstStartUser | null> {
  const password = generatePassword();
  try {
    await access.addUser({ ...user, password });
  } catch (error) {
    // Another server on the same PostgreSQL made it first.
    if (isAppError(error) && error.code === 'USER_EXISTS') return null;
    throw error;
  }
  try {
    writeSecretFile(file, `${password}\n`);
    return { ...user, password, file };
  } catch (error) {
    // The password is still printed; the user can be given another with set-password.
    return { ...user, password, file: null, fileError: error instanceof Error ? error.message : String(error) };
  }
}

/** Writes a file only its owner may read or write (mode 0600), replacing an older one. */
export function writeSecretFile(path: string, text: string): void {
  rmSync(path, { force: true });
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}
