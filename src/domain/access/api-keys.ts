import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import { sql } from '../../sql/sql.js';
import type { Queryable, SqlValue } from '../../sql/queryable.js';
import { checkManagerIds, joinManagerIds, splitManagerIds } from './manager-ids.js';
import { checkRole, scopeForRole, type Principal, type Role } from './principal.js';
import { sha256 } from './sessions.js';
import { timestampSql } from './users.js';

/**
 * API keys of integrations (docs/security.md): made by an admin, shown once, stored as the
 * SHA-256 of their secret, named, with a role and (for a manager key) the managers it covers.
 * A key reads `sgk_<id>_<secret>`: the id finds the row, the secret is compared in constant time.
 */

export interface ApiKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly managerIds: readonly string[];
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface NewApiKey {
  readonly name: string;
  readonly role: Role;
  readonly managerIds?: readonly string[];
  /** The user (or key) that made it, for the record. */
  readonly createdBy?: string | null;
}

const PREFIX = 'sgk_';
const KEY_SHAPE = /^sgk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** True when the text has the form of a key (it may still be unknown or revoked). */
export const looksLikeApiKey = (text: string): boolean => KEY_SHAPE.test(text);

/**
 * Makes a key; the returned `key` is the only time its secret exists outside the caller. A
 * manager key covers at least one manager, each of which must exist (checkManagerIds).
 */
export async function createApiKey(db: Queryable, input: NewApiKey, now = Date.now()): Promise<{ key: string; info: ApiKeyInfo }> {
  checkRole(input.role);
  const name = input.name.trim();
  if (name === '' || name.length > 200) {
    const message = 'a key needs a name of at most 200 characters';
    throw new AppError('VALIDATION_FAILED', { summary: `name: ${message}`, issues: [{ path: 'name', message }] });
  }
  const managerIds = await checkManagerIds(db, input.role, input.managerIds);
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await db.run(
    sql`INSERT INTO api_keys (id, name, role, manager_ids, secret_hash, created_by, created_at)
        VALUES (${id}, ${name}, ${input.role}, ${joinManagerIds(managerIds)}, ${sha256(secret)}, ${input.createdBy ?? null}, ${timestampSql(now)})`,
  );
  const info = await findApiKey(db, id);
  if (!info) throw new Error(`API key ${id} was not stored`);
  return { key: `${PREFIX}${id}_${secret}`, info };
}

/** One key by id (revoked ones too), or null. */
export async function findApiKey(db: Queryable, id: string): Promise<ApiKeyInfo | null> {
  const [row] = await db.query<KeyRow>(sql`SELECT ${sql.raw(KEY_COLUMNS)} FROM api_keys WHERE id = ${id}`);
  return row ? toInfo(row) : null;
}

export async function listApiKeys(db: Queryable): Promise<ApiKeyInfo[]> {
  const rows = await db.query<KeyRow>(sql`SELECT ${sql.raw(KEY_COLUMNS)} FROM api_keys ORDER BY created_at, id`);
  return rows.map(toInfo);
}

/** Revokes a key: it stops working at once. Answers false when no such key was active. */
export async function revokeApiKey(db: Queryable, id: string, now = Date.now()): Promise<boolean> {
  const rows = await db.query(sql`UPDATE api_keys SET revoked_at = ${timestampSql(now)} WHERE id = ${id} AND revoked_at IS NULL RETURNING id`);
  return rows.length > 0;
}

/** The principal of a presented key, or null when it is malformed, unknown or revoked. */
export async function authenticateApiKey(db: Queryable, presented: string): Promise<Principal | null> {
  const match = KEY_SHAPE.exec(presented);
  if (!match) return null;
  const [, id, secret] = match as unknown as [string, string, string];
  const rows = await db.query<KeyRow & { secret_hash: string }>(sql`SELECT ${sql.raw(KEY_COLUMNS)}, secret_hash FROM api_keys WHERE id = ${id} AND revoked_at IS NULL`);
  const row = rows[0];
  if (!row) return null;
  const expected = Buffer.from(row.secret_hash, 'hex');
  const actual = Buffer.from(sha256(secret), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  const info = toInfo(row);
  return { kind: 'key', id: info.id, name: info.name, role: info.role, scope: scopeForRole(info.role, info.managerIds) };
}

/** Records that a key was used (callers throttle this: it is a write). */
export async function touchApiKey(db: Queryable, id: string, now = Date.now()): Promise<void> {
  await db.run(sql`UPDATE api_keys SET last_used_at = ${timestampSql(now)} WHERE id = ${id}`);
}

const KEY_COLUMNS = 'id, name, role, manager_ids, created_by, created_at, last_used_at, revoked_at';

interface KeyRow {
  [column: string]: SqlValue;
  id: string;
  name: string;
  role: string;
  manager_ids: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

function toInfo(row: KeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    managerIds: splitManagerIds(row.manager_ids),
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
