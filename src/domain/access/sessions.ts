import { createHash, randomBytes } from 'node:crypto';
import { sql } from '../../sql/sql.js';
import type { Queryable, SqlValue } from '../../sql/queryable.js';
import { splitManagerIds } from './manager-ids.js';
import type { Role } from './principal.js';
import { timestampSql } from './users.js';

/**
 * Sign-in sessions of users (docs/security.md), kept in the database (`user_sessions`), never
 * in memory only: a restart or a second server keeps them. The browser holds a random 256-bit
 * token in the HttpOnly cookie `segmenta_session`; the table holds its SHA-256 only, so a copy of
 * the table signs nobody in. Each session has a CSRF token the browser sends back as
 * `x-csrf-token` with every write. A session ends after 12 hours unused or 7 days in all.
 */

export const SESSION_COOKIE = 'segmenta_session';
export const SESSION_IDLE_MS = 12 * 60 * 60_000;
export const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60_000;
/** last_seen_at is a write: it is moved forward at most once a minute. */
const SEEN_PRECISION_MS = 60_000;

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface NewSession {
  /** The cookie's value: exists only in the answer to the sign-in and in the browser. */
  readonly token: string;
  readonly tokenHash: string;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

export async function createSession(db: Queryable, userId: string, now = Date.now()): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  const tokenHash = sha256(token);
  const expiresAt = now + SESSION_LIFETIME_MS;
  await db.run(
    sql`INSERT INTO user_sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
        VALUES (${tokenHash}, ${userId}, ${csrfToken}, ${timestampSql(now)}, ${timestampSql(expiresAt)}, ${timestampSql(now)})`,
  );
  return { token, tokenHash, csrfToken, expiresAt };
}

export interface SessionUser {
  readonly tokenHash: string;
  readonly csrfToken: string;
  readonly userId: string;
  readonly login: string;
  readonly role: Role;
  readonly managerIds: readonly string[];
  /** When the session ends if it keeps being used (ms). */
  readonly expiresAt: number;
}

/**
 * The session of a cookie's token and its user, or null when there is none, it expired (it is
 * then deleted) or its user is disabled. Moves last_seen_at forward (at most once a minute).
 */
export async function findSession(db: Queryable, token: string, now = Date.now()): Promise<SessionUser | null> {
  const tokenHash = sha256(token);
  const rows = await db.query<SessionRow>(
    sql`SELECT s.user_id, s.csrf_token, s.expires_at, s.last_seen_at, u.login, u.role, u.manager_ids, u.disabled
        FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ${tokenHash}`,
  );
  const row = rows[0];
  if (!row) return null;
  const expiresAt = Date.parse(row.expires_at);
  const lastSeen = Date.parse(row.last_seen_at);
  if (row.disabled === true || now >= expiresAt || now >= lastSeen + SESSION_IDLE_MS) {
    await deleteSession(db, tokenHash);
    return null;
  }
  if (now - lastSeen >= SEEN_PRECISION_MS) await db.run(sql`UPDATE user_sessions SET last_seen_at = ${timestampSql(now)} WHERE token_hash = ${tokenHash}`);
  return {
    tokenHash,
    csrfToken: row.csrf_token,
    userId: row.user_id,
    login: row.login,
    role: row.role as Role,
    managerIds: splitManagerIds(row.manager_ids),
    expiresAt,
  };
}

export async function deleteSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.run(sql`DELETE FROM user_sessions WHERE token_hash = ${tokenHash}`);
}

/** Ends every session of a user (disabled, or a new password). */
export async function deleteUserSessions(db: Queryable, userId: string): Promise<void> {
  await db.run(sql`DELETE FROM user_sessions WHERE user_id = ${userId}`);
}

/** Deletes the sessions that expired (run at each sign-in, so the table stays small). */
export async function deleteExpiredSessions(db: Queryable, now = Date.now()): Promise<void> {
  await db.run(sql`DELETE FROM user_sessions WHERE expires_at <= ${timestampSql(now)} OR last_seen_at <= ${timestampSql(now - SESSION_IDLE_MS)}`);
}

interface SessionRow {
  [column: string]: SqlValue;
  user_id: string;
  csrf_token: string;
  expires_at: string;
  last_seen_at: string;
  login: string;
  role: string;
  manager_ids: string;
  disabled: boolean;
}
