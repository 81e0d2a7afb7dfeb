import { AppError } from '../../errors/app-error.js';

/**
 * Who is calling, and what they may see (docs/security.md). A user signs in with a password and
 * an integration with an API key; either way a request carries one Principal.
 */

/** The roles, from the most to the least allowed. */
export const ROLES = ['admin', 'analyst', 'manager'] as const;
export type Role = (typeof ROLES)[number];

/** Refuses a role that is not one of ROLES (VALIDATION_FAILED at `role`). */
export function checkRole(role: string): asserts role is Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    const message = `unknown role "${role}"; roles: ${ROLES.join(', ')}`;
    throw new AppError('VALIDATION_FAILED', { summary: `role: ${message}`, issues: [{ path: 'role', message }] });
  }
}

/**
 * What a route needs: `public` for anyone (health, login, the OpenAPI document), otherwise the
 * least role that may call it (`manager` is any signed-in caller).
 */
export type Access = 'public' | Role;

/**
 * Which partners a caller may see. Admins and analysts see all; a manager sees the partners
 * whose manager is one of `managerIds` (a user may cover several managers).
 */
export type PartnerScope = { readonly all: true } | { readonly all: false; readonly managerIds: readonly string[] };

export const ALL_PARTNERS: PartnerScope = Object.freeze({ all: true });

export function scopeForRole(role: Role, managerIds: readonly string[]): PartnerScope {
  return role === 'manager' ? { all: false, managerIds: [...managerIds] } : ALL_PARTNERS;
}

export interface Principal {
  /** A signed-in user or an API key. */
  readonly kind: 'user' | 'key';
  /** The user's or the key's id (what the audit log records). */
  readonly id: string;
  /** The user's login or the key's name, for display. */
  readonly name: string;
  readonly role: Role;
  readonly scope: PartnerScope;
}

/** A request's caller and how it proved who it is. */
export interface Credentials {
  readonly principal: Principal;
  /** An API key (`Authorization: Bearer`) or a session cookie. */
  readonly via: 'key' | 'session';
  /** The session's CSRF token (null for a key: a browser never sends one by itself). */
  readonly csrfToken: string | null;
  /** The SHA-256 of the session's token (null for a key): what signing out deletes. */
  readonly tokenHash: string | null;
}

/** The managers a principal covers (none for admins and analysts). */
export const managerIdsOf = (principal: Principal): readonly string[] => (principal.scope.all ? [] : principal.scope.managerIds);

const RANK: Record<Role, number> = { admin: 3, analyst: 2, manager: 1 };

/** True when `role` may call a route that needs `access`. */
export function roleAllows(role: Role, access: Access): boolean {
  return access === 'public' || RANK[role] >= RANK[access];
}
