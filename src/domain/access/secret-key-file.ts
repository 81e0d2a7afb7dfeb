import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../../errors/app-error.js';
import type { Database } from '../../storage/database.js';
import { DuckDBDatabase } from '../../storage/duckdb-database.js';

const KEY_BYTES = 32;

/**
 * The one key that seals every secret at rest (SecretBox; docs/security.md), base64: the
 * environment's SEGMENTA_SECRET_KEY (base64 or hex of 32 random bytes) when set; otherwise, for a
 * DuckDB file, a key kept beside it in `<db>.secret-key` (mode 0600), made on first use — a backup
 * of the database alone then holds no readable secret. PostgreSQL has no file to keep it beside:
 * null, and every secret (connectors, webhooks, SMTP) is refused alike with SECRET_KEY_MISSING
 * until the variable is set.
 */
export function resolveSecretKey(db: Database, env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env.SEGMENTA_SECRET_KEY?.trim();
  if (given) return parseKey(given, 'SEGMENTA_SECRET_KEY').toString('base64');
  if (!(db instanceof DuckDBDatabase) || db.path === ':memory:') return null;
  const file = resolve(`${db.path}.secret-key`);
  if (existsSync(file)) return parseKey(readFileSync(file, 'utf8').trim(), file).toString('base64');
  const key = randomBytes(KEY_BYTES).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

function parseKey(text: string, where: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) throw new AppError('CONNECTOR_SECRET_KEY_INVALID', { where, reason: `the key must be ${KEY_BYTES} bytes (base64 or hex); it is ${key.length}` });
  return key;
}
