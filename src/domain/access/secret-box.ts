import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../../errors/app-error.js';

/**
 * Secrets kept encrypted at rest — a 1C user's password, a CRM token, a webhook's signing secret —
 * with AES-256-GCM (docs/security.md, "Secrets at rest"). Stored as `v1:<iv>:<tag>:<ciphertext>` (base64); the
 * connector's id is the additional authenticated data, so a secret copied onto another
 * connector's row does not decrypt. The key is 32 bytes: from SEGMENTA_SECRET_KEY (base64 or
 * hex), else from a key file (SEGMENTA_SECRET_KEY_FILE, else `segmenta.key` next to the DuckDB
 * file) created with mode 0600 on first use. Secrets are never logged and never returned.
 */

export type SecretKeySource = { readonly key: Buffer } | { readonly file: string };

const KEY_BYTES = 32;

/** Where the key comes from when the caller gives none: the environment, else the key file. */
export function defaultKeySource(env: NodeJS.ProcessEnv = process.env): SecretKeySource {
  const text = env.SEGMENTA_SECRET_KEY?.trim();
  if (text) return { key: parseKey(text, 'SEGMENTA_SECRET_KEY') };
  const db = env.SEGMENTA_DB && env.SEGMENTA_DB !== ':memory:' ? env.SEGMENTA_DB : './data/segmenta.duckdb';
  return { file: env.SEGMENTA_SECRET_KEY_FILE ?? join(dirname(db), 'segmenta.key') };
}

function parseKey(text: string, where: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) throw new AppError('CONNECTOR_SECRET_KEY_INVALID', { where, reason: `the key must be ${KEY_BYTES} bytes (base64 or hex); it is ${key.length}` });
  return key;
}

/** Reads the key file, creating it (0600, random key) when it does not exist yet. */
function keyFromFile(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, `${randomBytes(KEY_BYTES).toString('base64')}\n`);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return parseKey(readFileSync(file, 'utf8').trim(), file);
}

/** Encrypts and decrypts secrets; the key is read on first use. */
export class SecretBox {
  private key: Buffer | undefined;

  constructor(private readonly source: SecretKeySource = defaultKeySource()) {}

  private keyBytes(): Buffer {
    this.key ??= 'key' in this.source ? this.source.key : keyFromFile(this.source.file);
    if (this.key.length !== KEY_BYTES) throw new AppError('CONNECTOR_SECRET_KEY_INVALID', { where: 'the key given', reason: `the key must be ${KEY_BYTES} bytes` });
    return this.key;
  }

  seal(plain: string, owner: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyBytes(), iv);
    cipher.setAAD(Buffer.from(owner, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  open(sealed: string, owner: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new AppError('CONNECTOR_SECRET_UNREADABLE', { id: owner });
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.keyBytes(), Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(owner, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new AppError('CONNECTOR_SECRET_UNREADABLE', { id: owner });
    }
  }
}
