import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import { sqlTimestamp } from '../../scheduling/sql-text.js';
import { sql, type Sql } from '../../sql/sql.js';
import type { Queryable, SqlValue } from '../../sql/queryable.js';
import { checkManagerIds, joinManagerIds, splitManagerIds } from './manager-ids.js';
import { checkPasswordPolicy, hashPassword } from './passwords.js';
import { checkRole, type Role } from './principal.js';

/**
 * Users who sign in with a login and a password (docs/security.md). The password is stored as
 * its Argon2id hash only. Consecutive failed sign-ins lock the user for a growing time
 * (`lockFor`). Users are never deleted, only disabled: their ids stay in the records they made.
 */

export interface UserInfo {
  readonly id: string;
  readonly login: string;
  readonly role: Role;
  readonly managerIds: readonly string[];
  readonly disabled: boolean;
  /** Failed sign-ins since the last successful one. */
  readonly failedLogins: number;
  /** Sign-in is refused until then (ISO), after too many failures; null when not locked. */
  readonly lockedUntil: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewUser {
  readonly login: string;
  readonly role: Role;
  readonly managerIds?: readonly string[];
  readonly password: string;
}

export interface UserPatch {
  readonly role?: Role;
  readonly managerIds?: readonly string[];
  readonly disabled?: boolean;
  readonly password?: string;
}

/** Logins are lower-case letters, digits and `. _ @ -`, up to 64 characters; compared lower-cased. */
const LOGIN_SHAPE = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

export const normalizeLogin = (login: string): string => login.trim().toLowerCase();

export function checkLogin(login: string): string {
  const normal = normalizeLogin(login);
  if (!LOGIN_SHAPE.test(normal)) {
    const message = 'a login is 1–64 letters (a–z), digits, ".", "_", "@" or "-", starting with a letter or digit';
    throw new AppError('VALIDATION_FAILED', { summary: `login: ${message}`, issues: [{ path: 'login', message }] });
  }
  return normal;
}

/** Failures a user may make before the first lock. */
export const FREE_FAILURES = 5;
const FIRST_LOCK_MS = 60_000;
const LONGEST_LOCK_MS = 60 * 60_000;

/** How long to lock after the `failures`-th consecutive failure: none for the first four, then 1 min doubling to 1 h. */
export function lockFor(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(LONGEST_LOCK_MS, FIRST_LOCK_MS * 2 ** Math.min(failures - FREE_FAILURES, 16));
}

/** A moment as a TIMESTAMP both engines read alike (UTC). */
export const timestampSql = (ms: number): Sql => sql`CAST(${sqlTimestamp(new Date(ms))} AS TIMESTAMP)`;

export async function addUser(db: Queryable, input: NewUser, now = Date.now()): Promise<UserInfo> {
  const login = checkLogin(input.login);
  checkRole(input.role);
  checkPasswordPolicy(input.password);
  const managerIds = await checkManagerIds(db, input.role, input.managerIds);
  if (await findUserByLogin(db, login)) throw new AppError('USER_EXISTS', { login });
  const passwordHash = await hashPassword(input.password);
  const id = randomBytes(8).toString('hex');
  try {
    await db.run(
      sql`INSERT INTO users (id, login, role, manager_ids, password_hash, created_at, updated_at)
          VALUES (${id}, ${login}, ${input.role}, ${joinManagerIds(managerIds)}, ${passwordHash}, ${timestampSql(now)}, ${timestampSql(now)})`,
    );
  } catch (error) {
    // Two adds of one login at once: the UNIQUE constraint refuses the second.
    if (/duplicate|unique/i.test(error instanceof Error ? error.message : String(error))) throw new AppError('USER_EXISTS', { login });
    throw error;
  }
  return getUser(db, id);
}

export async function listUsers(db: Queryable): Promise<UserInfo[]> {
  const rows = await db.query<UserRow>(sql`SELECT ${sql.raw(USER_COLUMNS)} FROM users ORDER BY login`);
  return rows.map(toInfo);
}

export async function countUsers(db: Queryable): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM users`);
  return Number(rows[0]?.n ?? 0);
}

export async function getUser(db: Queryable, id: string): Promise<UserInfo> {
  const rows = await db.query<UserRow>(sql`SELECT ${sql.raw(USER_COLUMNS)} FROM users WHERE id = ${id}`);
  if (!rows[0]) throw new AppError('ENTITY_NOT_FOUND', { entity: 'user', id });
  return toInfo(rows[0]);
}

export async function findUserByLogin(db: Queryable, login: string): Promise<UserInfo | null> {
  const rows = await db.query<UserRow>(sql`SELECT ${sql.raw(USER_COLUMNS)} FROM users WHERE login = ${normalizeLogin(login)}`);
  return rows[0] ? toInfo(rows[0]) : null;
}

/** The user of a login, or ENTITY_NOT_FOUND (the CLI names users by login). */
export async function getUserByLogin(db: Queryable, login: string): Promise<UserInfo> {
  const user = await findUserByLogin(db, login);
  if (!user) throw new AppError('ENTITY_NOT_FOUND', { entity: 'user', id: normalizeLogin(login) });
  return user;
}

/** The stored hash of a user's password, for signing in. */
export async function passwordHashOf(db: Queryable, id: string): Promise<string | null> {
  const rows = await db.query<{ password_hash: string }>(sql`SELECT password_hash FROM users WHERE id = ${id}`);
  return rows[0]?.password_hash ?? null;
}

/**
 * Changes a user's role, managers, disabled state or password. The last enabled admin can be
 * neither disabled nor given another role (LAST_ADMIN): someone must be able to manage users.
 * Callers end the user's sessions when it is disabled or its password changes (AccessService);
 * `passwordHash`, the new password's hash made beforehand, keeps the slow hash out of a transaction.
 */
export async function updateUser(db: Queryable, id: string, patch: UserPatch, now = Date.now(), passwordHash?: string): Promise<UserInfo> {
  const before = await getUser(db, id);
  const role = patch.role ?? before.role;
  checkRole(role);
  if (patch.password !== undefined && passwordHash === undefined) checkPasswordPolicy(patch.password);
  // A new role re-checks the managers: kept ones for a manager, none for the other roles.
  const managerIds = patch.managerIds !== undefined ? await checkManagerIds(db, role, patch.managerIds) : role === 'manager' ? await checkManagerIds(db, role, before.managerIds) : [];
  const disabled = patch.disabled ?? before.disabled;
  if (before.role === 'admin' && !before.disabled && (role !== 'admin' || disabled) && (await countEnabledAdmins(db)) <= 1) {
    throw new AppError('LAST_ADMIN', { login: before.login });
  }
  const sets: Sql[] = [sql`role = ${role}`, sql`manager_ids = ${joinManagerIds(managerIds)}`, sql`disabled = ${disabled}`, sql`updated_at = ${timestampSql(now)}`];
  if (patch.password !== undefined) {
    sets.push(sql`password_hash = ${passwordHash ?? (await hashPassword(patch.password))}`);
    // A new password lifts a lock: the administrator who set it vouches for the user.
    sets.push(sql`failed_logins = 0`, sql`locked_until = NULL`);
  }
  if (patch.disabled === false) sets.push(sql`failed_logins = 0`, sql`locked_until = NULL`);
  await db.run(sql`UPDATE users SET ${sql.join(sets)} WHERE id = ${id}`);
  return getUser(db, id);
}

async function countEnabledAdmins(db: Queryable): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND NOT disabled`);
  return Number(rows[0]?.n ?? 0);
}

/** Counts a failed sign-in; answers the lock it earned (ms from now, 0 for none). */
export async function recordFailedLogin(db: Queryable, id: string, now = Date.now()): Promise<number> {
  const rows = await db.query<{ failed_logins: number }>(sql`UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ${id} RETURNING failed_logins`);
  const lock = lockFor(Number(rows[0]?.failed_logins ?? 0));
  if (lock > 0) await db.run(sql`UPDATE users SET locked_until = ${timestampSql(now + lock)} WHERE id = ${id}`);
  return lock;
}

export async function recordSuccessfulLogin(db: Queryable, id: string): Promise<void> {
  await db.run(sql`UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ${id} AND (failed_logins <> 0 OR locked_until IS NOT NULL)`);
}

const USER_COLUMNS = 'id, login, role, manager_ids, disabled, failed_logins, locked_until, created_at, updated_at';

interface UserRow {
  [column: string]: SqlValue;
  id: string;
  login: string;
  role: string;
  manager_ids: string;
  disabled: boolean;
  failed_logins: number;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

function toInfo(row: UserRow): UserInfo {
  return {
    id: row.id,
    login: row.login,
    role: row.role as Role,
    managerIds: splitManagerIds(row.manager_ids),
    disabled: row.disabled === true,
    failedLogins: Number(row.failed_logins),
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
