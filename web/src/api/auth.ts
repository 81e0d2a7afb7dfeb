import { ApiError, apiGet, apiSend, setCsrfToken } from './client';
import type { Role } from '../../../src/domain/access/principal';

export type { Role } from '../../../src/domain/access/principal';
export { ROLES } from '../../../src/domain/access/principal';

/** Who is signed in, as `GET /api/auth/me` answers. */
export interface Me {
  readonly kind: 'user' | 'key';
  readonly id: string;
  /** The user's login (or the key's name). */
  readonly name: string;
  readonly role: Role;
  /** The managers whose partners a manager sees; empty for the other roles. */
  readonly managerIds: readonly string[];
  /** The token cookie-authenticated writes send; null when signed in by a key. */
  readonly csrfToken: string | null;
}

/** What `POST /api/auth/login` answers (the session itself is an HttpOnly cookie). */
interface LoginAnswer {
  readonly user: { readonly id: string; readonly login: string; readonly role: Role; readonly managerIds: readonly string[] };
  readonly csrfToken: string;
}

export const ME_QUERY_KEY = ['auth', 'me'] as const;

/** The signed-in caller, or null when nobody is (401). */
export async function fetchMe(signal?: AbortSignal): Promise<Me | null> {
  try {
    const me = await apiGet<Me>('/auth/me', undefined, signal);
    setCsrfToken(me.csrfToken);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export async function login(credentials: { login: string; password: string }): Promise<Me> {
  const answer = await apiSend<LoginAnswer>('POST', '/auth/login', credentials);
  setCsrfToken(answer.csrfToken);
  const { user } = answer;
  return { kind: 'user', id: user.id, name: user.login, role: user.role, managerIds: user.managerIds, csrfToken: answer.csrfToken };
}

export async function logout(): Promise<void> {
  try {
    await apiSend<void>('POST', '/auth/logout');
  } finally {
    setCsrfToken(null);
  }
}
