import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Users, their sign-in sessions and the API keys of integrations (docs/security.md). Secrets
 * are never stored: a password as its Argon2id hash, a session and a key as the SHA-256 of a
 * random token (they carry 256 bits, so a slow hash adds nothing). A manager user or key covers
 * the managers listed in `manager_ids` (comma-separated ids of `managers`).
 */
export const accessSchema: Migration = {
  version: 9,
  name: 'users, sessions and API keys',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    const int = d.columnType('integer');
    const bool = d.columnType('boolean');
    return [
      `CREATE TABLE users (
        id ${text} NOT NULL PRIMARY KEY,
        login ${text} NOT NULL UNIQUE,
        role ${text} NOT NULL,
        manager_ids ${text} NOT NULL DEFAULT '',
        password_hash ${text} NOT NULL,
        disabled ${bool} NOT NULL DEFAULT false,
        failed_logins ${int} NOT NULL DEFAULT 0,
        locked_until ${ts},
        created_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP
      )`,
      // On DuckDB without a key: sessions are inserted and deleted all day, and DuckDB's indexes
      // are not crash-safe under deletes (migration 7); 256-bit random tokens do not collide.
      `CREATE TABLE user_sessions (
        token_hash ${text} NOT NULL${d.indexesOnRewrittenTables ? ' PRIMARY KEY' : ''},
        user_id ${text} NOT NULL,
        csrf_token ${text} NOT NULL,
        created_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        expires_at ${ts} NOT NULL,
        last_seen_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP
      )`,
      `CREATE TABLE api_keys (
        id ${text} NOT NULL PRIMARY KEY,
        name ${text} NOT NULL,
        role ${text} NOT NULL,
        manager_ids ${text} NOT NULL DEFAULT '',
        secret_hash ${text} NOT NULL,
        created_by ${text},
        created_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        last_used_at ${ts},
        revoked_at ${ts}
      )`,
      // A manager's own manual segments: the user who made it (null for everyone else's).
      `ALTER TABLE segments ADD COLUMN owner_user_id ${text}`,
    ];
  },
};
