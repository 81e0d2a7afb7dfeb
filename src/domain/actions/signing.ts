import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, docs/events.md): the headers
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated
 * list of `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret in force (two while a
 * secret is rotated). Secrets are `whsec_` and base64 of at least 24 random bytes.
 */

export const SECRET_PREFIX = 'whsec_';
const MIN_SECRET_BYTES = 24;

/** A new secret: `whsec_` and base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The secret's key bytes, or null when it is not a `whsec_` secret of at least 24 bytes. */
export function secretKey(secret: string): Buffer | null {
  if (!secret.startsWith(SECRET_PREFIX)) return null;
  const base64 = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  const key = Buffer.from(base64, 'base64');
  return key.length >= MIN_SECRET_BYTES ? key : null;
}

export const isValidSecret = (secret: string): boolean => secretKey(secret) !== null;

/** One `v1,…` signature of a message with one secret. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = secretKey(secret);
  if (!key) throw new Error('not a valid whsec_ secret');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The three headers of a message signed with every secret given (the current one first). */
export function signedHeaders(secrets: readonly string[], id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signature(s, id, timestamp, body)).join(' '),
  };
}

/**
 * What a receiver does (docs/events.md): true when one of the header's signatures is the
 * message's under `secret` and the timestamp is within `toleranceSeconds` of now.
 */
export function verifySignature(secret: string, headers: { id: string; timestamp: string; signature: string }, body: string, now = Date.now(), toleranceSeconds = 300): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signature(secret, headers.id, timestamp, body).slice(3), 'base64');
  return headers.signature.split(' ').some((part) => {
    const [version, value] = part.split(',');
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
