import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { AppError } from '../../errors/app-error.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy.js';

/**
 * Users' passwords (docs/security.md): hashed with Argon2id at OWASP's minimum cost (19 MiB of
 * memory, 2 passes, 1 lane: about 30 ms here), in the PHC string form that carries its salt and
 * parameters, so a later, costlier setting still verifies older hashes.
 */

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };

/** Argon2id (`Algorithm.Argon2id`; a const enum, so written as its value). */
const ARGON2ID = 2 as Algorithm;
export const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Refuses a password the policy does not allow (VALIDATION_FAILED on `password`). */
export function checkPasswordPolicy(password: string): void {
  const chars = [...password].length;
  let message: string | undefined;
  if (chars < PASSWORD_MIN_LENGTH) message = `a password needs at least ${PASSWORD_MIN_LENGTH} characters`;
  else if (chars > PASSWORD_MAX_LENGTH) message = `a password has at most ${PASSWORD_MAX_LENGTH} characters`;
  else if (password.trim() === '') message = 'a password cannot be only spaces';
  if (message) throw new AppError('VALIDATION_FAILED', { summary: `password: ${message}`, issues: [{ path: 'password', message }] });
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** True when `password` matches the stored hash; false for a wrong one or a hash that does not parse. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH * 4) return false;
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * A hash no password matches, verified against for a login that does not exist: the answer
 * then takes as long as for a wrong password, so timing does not tell which logins exist.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(32).toString('base64url'));
  return dummy;
}

/** A password made for a user (first start, `segmenta users add` without one): 120 random bits. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
