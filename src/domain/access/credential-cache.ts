import type { Credentials } from './principal.js';

/**
 * Verified credentials kept in the process for a few seconds (docs/security.md, "How fast"),
 * so a request signed in a moment ago costs a SHA-256 and a map lookup rather than a database
 * round trip. Keyed by the SHA-256 of the presented secret (the secret itself is never kept).
 * This process's revocations, disablings, sign-outs, password and role changes forget the
 * affected entries at once; a change made by another process (the CLI, a second server on the
 * same PostgreSQL) is seen within `ttlMs`.
 */
export class CredentialCache {
  private readonly entries = new Map<string, { readonly credentials: Credentials; readonly until: number }>();

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(secretHash: string, now: number): Credentials | undefined {
    const entry = this.entries.get(secretHash);
    if (!entry) return undefined;
    if (entry.until > now) return entry.credentials;
    this.entries.delete(secretHash);
    return undefined;
  }

  /** Keeps credentials until `ttlMs` from now, or `endsAt` (a session's end) if sooner. */
  set(secretHash: string, credentials: Credentials, now: number, endsAt = Infinity): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      // The oldest entry goes first (a Map keeps insertion order).
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(secretHash, { credentials, until: Math.min(now + this.ttlMs, endsAt) });
  }

  forget(secretHash: string): void {
    this.entries.delete(secretHash);
  }

  /** Forgets every entry of a user's sessions (`kind: 'user'`) or of an API key (`kind: 'key'`). */
  forgetPrincipal(kind: 'user' | 'key', id: string): void {
    for (const [hash, { credentials }] of this.entries) {
      if (credentials.principal.kind === kind && credentials.principal.id === id) this.entries.delete(hash);
    }
  }
}
