import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';

/**
 * Secrets kept encrypted at rest — a 1C user's password, a CRM token, a webhook's signing secret,
 * the SMTP password — with AES-256-GCM (docs/security.md, "Secrets at rest"). Stored as
 * `v1:<iv>:<tag>:<ciphertext>` (base64); the owner (a connector's id, `subscription:<id>`) is the
 * additional authenticated data, so a secret copied onto another row does not decrypt. The one
 * key (32 bytes) is resolved once by `resolveSecretKey` (secret-key-file.ts): SEGMENTA_SECRET_KEY,
 * else a key file beside a DuckDB database; without one (PostgreSQL without the variable) every
 * secret is refused alike with SECRET_KEY_MISSING. Secrets are never logged and never returned.
 */
/** The key, or none: sealing and opening then refuse with SECRET_KEY_MISSING. */
export type SecretKeySource = { readonly key: Buffer } | { readonly missing: true };

const KEY_BYTES = 32;

/** Encrypts and decrypts secrets; the key is read on first use. */
export class SecretBox {
  private key: Buffer | undefined;

  constructor(private readonly source: SecretKeySource) {}

  private keyBytes(): Buffer {
    if ('missing' in this.source) throw new AppError('SECRET_KEY_MISSING');
    this.key ??= this.source.key;
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
