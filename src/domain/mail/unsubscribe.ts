import { AppError } from '../../errors/app-error.js';
import type { SecretBox } from '../access/secret-box.js';

/**
 * The unsubscribe link's token: the partner's id sealed with the server's SecretBox (AES-GCM,
 * owner `unsubscribe`), so nobody can make one for another partner, and the link needs no
 * sign-in. base64url, to sit in a URL as it is.
 */
const OWNER = 'unsubscribe';

export function unsubscribeToken(box: SecretBox, partnerId: string): string {
  return Buffer.from(box.seal(partnerId, OWNER), 'utf8').toString('base64url');
}

/** The partner a token names; UNSUBSCRIBE_LINK_INVALID when it does not verify. */
export function partnerOfToken(box: SecretBox | null, token: string): string {
  if (!box || !/^[A-Za-z0-9_-]{20,2000}$/.test(token)) throw new AppError('UNSUBSCRIBE_LINK_INVALID');
  try {
    return box.open(Buffer.from(token, 'base64url').toString('utf8'), OWNER);
  } catch {
    throw new AppError('UNSUBSCRIBE_LINK_INVALID');
  }
}

export const unsubscribeUrl = (publicUrl: string, token: string): string => `${publicUrl.replace(/\/+$/, '')}/api/mail/unsubscribe?token=${token}`;
