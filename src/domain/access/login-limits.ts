/**
 * Limits on guessing passwords that live in the process (docs/security.md, "Signing in"): how
 * many sign-in attempts one address may make, and the failures of logins that do not exist
 * (counted like a user's, so the answers do not tell which logins exist). Each map holds at
 * most `maxEntries` keys; the oldest are dropped first.
 */

/** At most `max` attempts per key in a window of `windowMs`; a successful one may be given back. */
export class AttemptLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Counts an attempt; answers the seconds to wait when it is over the limit (and then it is not counted). */
  take(key: string, now: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    let window = this.windows.get(key);
    if (!window || now >= window.start + this.windowMs) {
      this.windows.delete(key);
      if (this.windows.size >= this.maxEntries) dropOldest(this.windows);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.max) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)) };
    window.count++;
    return { allowed: true };
  }

  /** Gives an attempt back (a successful sign-in does not count against its address). */
  giveBack(key: string): void {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count--;
  }
}

/** Failures and locks of logins that have no user, by the same schedule as users' (`lockFor`). */
export class UnknownLoginFailures {
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(
    private readonly lockFor: (failures: number) => number,
    private readonly maxEntries = 10_000,
  ) {}

  lockedUntil(login: string, now: number): number | null {
    const entry = this.failures.get(login);
    return entry && entry.lockedUntil > now ? entry.lockedUntil : null;
  }

  record(login: string, now: number): void {
    const entry = this.failures.get(login) ?? { count: 0, lockedUntil: 0 };
    this.failures.delete(login);
    if (this.failures.size >= this.maxEntries) dropOldest(this.failures);
    entry.count++;
    const lock = this.lockFor(entry.count);
    if (lock > 0) entry.lockedUntil = now + lock;
    this.failures.set(login, entry);
  }
}

function dropOldest(map: Map<string, unknown>): void {
  const oldest = map.keys().next();
  if (!oldest.done) map.delete(oldest.value);
}
