import { AppError } from '../../errors/app-error.js';
import type { Database } from '../../storage/database.js';
import { authenticateApiKey, createApiKey, findApiKey, listApiKeys, looksLikeApiKey, revokeApiKey, touchApiKey, type ApiKeyInfo, type NewApiKey } from './api-keys.js';
import { CredentialCache } from './credential-cache.js';
import { AttemptLimiter, UnknownLoginFailures } from './login-limits.js';
import { checkPasswordPolicy, dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import { scopeForRole, type Credentials } from './principal.js';
import { createSession, deleteExpiredSessions, deleteSession, deleteUserSessions, findSession, sha256, type NewSession } from './sessions.js';
import {
  addUser,
  countUsers,
  findUserByLogin,
  getUser,
  getUserByLogin,
  listUsers,
  lockFor,
  normalizeLogin,
  passwordHashOf,
  recordFailedLogin,
  recordSuccessfulLogin,
  updateUser,
  type NewUser,
  type UserInfo,
  type UserPatch,
} from './users.js';

export interface AccessOptions {
  /** How long verified credentials stay in the process (ms, default 5,000; 0 keeps none). */
  readonly cacheMs?: number;
  /** Sign-in attempts one address may make per minute (default 10; a successful one is given back). */
  readonly loginAttemptsPerMinute?: number;
}

export const DEFAULT_CREDENTIAL_CACHE_MS = 5_000;
export const DEFAULT_LOGIN_ATTEMPTS_PER_MINUTE = 10;
/** last_used_at of a key is a write: at most once a minute per key. */
const KEY_USE_PRECISION_MS = 60_000;
/** A session token is 32 random bytes in base64url. */
const SESSION_TOKEN_LENGTH = 43;

export interface SignedIn {
  readonly user: UserInfo;
  readonly session: NewSession;
}

/**
 * Users, API keys and sessions, with the credential cache kept in step (docs/security.md). The
 * composition root makes one per database; the API signs requests in through it, and every
 * change that takes access away (revoke, disable, new password or role, sign-out) forgets the
 * cached credentials it affects before it answers.
 */
export class AccessService {
  readonly cache: CredentialCache;
  private readonly attempts: AttemptLimiter;
  private readonly unknownLogins = new UnknownLoginFailures(lockFor);
  private readonly keyUsed = new Map<string, number>();

  constructor(
    readonly db: Database,
    options: AccessOptions = {},
  ) {
    this.cache = new CredentialCache(options.cacheMs ?? DEFAULT_CREDENTIAL_CACHE_MS);
    this.attempts = new AttemptLimiter(options.loginAttemptsPerMinute ?? DEFAULT_LOGIN_ATTEMPTS_PER_MINUTE, 60_000);
  }

  // Users

  /** Adds a user (outside a transaction: the password's hash takes ~30 ms; the UNIQUE login is the guard). */
  addUser(input: NewUser): Promise<UserInfo> {
    return addUser(this.db, input);
  }

  listUsers(): Promise<UserInfo[]> {
    return listUsers(this.db);
  }

  countUsers(): Promise<number> {
    return countUsers(this.db);
  }

  getUser(id: string): Promise<UserInfo> {
    return getUser(this.db, id);
  }

  getUserByLogin(login: string): Promise<UserInfo> {
    return getUserByLogin(this.db, login);
  }

  /** Changes a user; disabling it or setting its password ends its sessions. */
  async updateUser(id: string, patch: UserPatch): Promise<UserInfo> {
    // The slow hash first, so that the transaction holds nothing up while it is computed.
    if (patch.password !== undefined) checkPasswordPolicy(patch.password);
    const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
    const user = await this.db.transaction(async (tx) => {
      const changed = await updateUser(tx, id, patch, Date.now(), passwordHash);
      if (patch.disabled === true || patch.password !== undefined) await deleteUserSessions(tx, id);
      return changed;
    });
    this.cache.forgetPrincipal('user', id);
    return user;
  }

  // API keys

  createKey(input: NewApiKey): Promise<{ key: string; info: ApiKeyInfo }> {
    return this.db.transaction((tx) => createApiKey(tx, input));
  }

  listKeys(): Promise<ApiKeyInfo[]> {
    return listApiKeys(this.db);
  }

  /** One key (revoked ones too; never its secret), or null. */
  findKey(id: string): Promise<ApiKeyInfo | null> {
    return findApiKey(this.db, id);
  }

  /**
   * How the audit log reads a user or a key by id (src/api/audit.ts, src/cli/audit.ts): as
   * listed, never a password or a secret; a user that does not exist is a 404, read as null.
   */
  readonly auditLoaders = {
    user: (id: string): Promise<UserInfo> => this.getUser(id),
    apiKey: (id: string): Promise<ApiKeyInfo | null> => this.findKey(id),
  };

  /** Revokes a key at once (ENTITY_NOT_FOUND when there is no active key of that id). */
  async revokeKey(id: string): Promise<void> {
    const revoked = await revokeApiKey(this.db, id);
    this.cache.forgetPrincipal('key', id);
    if (!revoked) throw new AppError('ENTITY_NOT_FOUND', { entity: 'API key', id });
  }

  // Signing in

  /**
   * Signs a user in and opens a session. Refuses with LOGIN_RATE_LIMITED when `address` made
   * too many attempts, LOGIN_LOCKED while the login is locked after failures, LOGIN_FAILED for
   * an unknown login or a wrong password (alike, and taking alike long), USER_DISABLED for the
   * right password of a disabled user.
   */
  async login(loginText: string, password: string, address: string, now = Date.now()): Promise<SignedIn> {
    const attempt = this.attempts.take(address, now);
    if (!attempt.allowed) throw new AppError('LOGIN_RATE_LIMITED', { retryAfterSeconds: attempt.retryAfterSeconds });
    const login = normalizeLogin(loginText);
    const user = await findUserByLogin(this.db, login);
    if (!user) {
      const lockedUntil = this.unknownLogins.lockedUntil(login, now);
      if (lockedUntil !== null) throw lockedError(lockedUntil, now);
      await verifyPassword(await dummyPasswordHash(), password);
      this.unknownLogins.record(login, now);
      throw new AppError('LOGIN_FAILED');
    }
    if (user.lockedUntil !== null && Date.parse(user.lockedUntil) > now) throw lockedError(Date.parse(user.lockedUntil), now);
    const hash = await passwordHashOf(this.db, user.id);
    if (hash === null || !(await verifyPassword(hash, password))) {
      await recordFailedLogin(this.db, user.id, now);
      throw new AppError('LOGIN_FAILED');
    }
    if (user.disabled) throw new AppError('USER_DISABLED', { login: user.login });
    await recordSuccessfulLogin(this.db, user.id);
    await deleteExpiredSessions(this.db, now);
    const session = await createSession(this.db, user.id, now);
    this.attempts.giveBack(address);
    return { user: { ...user, failedLogins: 0, lockedUntil: null }, session };
  }

  /** Ends the session the credentials came with (nothing for an API key). */
  async logout(credentials: Credentials): Promise<void> {
    if (credentials.tokenHash === null) return;
    this.cache.forget(credentials.tokenHash);
    await deleteSession(this.db, credentials.tokenHash);
  }

  /** The caller of `Authorization: Bearer <key>`, or null for a malformed, unknown or revoked key. */
  async authenticateKey(presented: string, now = Date.now()): Promise<Credentials | null> {
    if (!looksLikeApiKey(presented)) return null;
    const secretHash = sha256(presented);
    const cached = this.cache.get(secretHash, now);
    if (cached) return cached;
    const principal = await authenticateApiKey(this.db, presented);
    if (!principal) return null;
    if ((this.keyUsed.get(principal.id) ?? -Infinity) <= now - KEY_USE_PRECISION_MS) {
      this.keyUsed.set(principal.id, now);
      await touchApiKey(this.db, principal.id, now);
    }
    const credentials: Credentials = { principal, via: 'key', csrfToken: null, tokenHash: null };
    this.cache.set(secretHash, credentials, now);
    return credentials;
  }

  /** The user of a session cookie's token, or null when it is unknown, expired or its user disabled. */
  async authenticateSession(token: string, now = Date.now()): Promise<Credentials | null> {
    if (token.length !== SESSION_TOKEN_LENGTH) return null;
    const tokenHash = sha256(token);
    const cached = this.cache.get(tokenHash, now);
    if (cached) return cached;
    const session = await findSession(this.db, token, now);
    if (!session) return null;
    const credentials: Credentials = {
      principal: { kind: 'user', id: session.userId, name: session.login, role: session.role, scope: scopeForRole(session.role, session.managerIds) },
      via: 'session',
      csrfToken: session.csrfToken,
      tokenHash,
    };
    this.cache.set(tokenHash, credentials, now, session.expiresAt);
    return credentials;
  }
}

function lockedError(until: number, now: number): AppError {
  return new AppError('LOGIN_LOCKED', { retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) });
}
