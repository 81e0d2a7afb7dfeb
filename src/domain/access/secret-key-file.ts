import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from '../../storage/database.js';
import { DuckDBDatabase } from '../../storage/duckdb-database.js';

/**
 * The key that seals webhook and connector secrets (SecretBox; docs/security.md): SEGMENTA_SECRET_KEY (base64
 * of 32 random bytes) when set; otherwise, for a DuckDB file, a key kept beside it in
 * `<db>.secret-key` (mode 0600), made on first use — a backup of the database alone then holds
 * no readable secret. PostgreSQL has no file to keep it beside: null, and webhooks cannot be
 * created until the variable is set (SECRET_KEY_MISSING).
 */
export function resolveSecretKey(db: Database, env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env.SEGMENTA_SECRET_KEY?.trim();
  if (given) {
    // Base64 or hex, as connectors' secrets have always accepted it.
    const key = /^[0-9a-f]{64}$/i.test(given) ? Buffer.from(given, 'hex') : Buffer.from(given, 'base64');
    if (key.length !== 32) throw new Error('SEGMENTA_SECRET_KEY must be 32 bytes in base64 or hex (openssl rand -base64 32)');
    return key.toString('base64');
  }
  if (!(db instanceof DuckDBDatabase) || db.path === ':memory:') return null;
  const file = resolve(`${db.path}.secret-key`);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
