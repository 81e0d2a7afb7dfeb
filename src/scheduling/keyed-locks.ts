/** Gives back keys claimed together; calling it again does nothing. */
export type Release = () => void;

/**
 * Work this process is doing, by key (segments being rebuilt, score sets being refreshed):
 * the same key is never worked on twice at once. Several keys are claimed all or none, so a
 * batch never holds half of what it needs. In-process only; across processes, see FiringClaims.
 *
 * @example
 * const rebuilding = new KeyedLocks<string>();
 * const release = rebuilding.claim(['a', 'b'], (id) => new AppError('SEGMENT_REBUILD_RUNNING', { id }));
 * try { await rebuild(['a', 'b']); } finally { release(); }
 */
export class KeyedLocks<K> {
  private readonly held = new Set<K>();

  isHeld(key: K): boolean {
    return this.held.has(key);
  }

  /** Claims every key, or none when one is held already: then returns null. */
  tryClaim(keys: Iterable<K>): Release | null {
    const claimed = new Set(keys);
    for (const key of claimed) if (this.held.has(key)) return null;
    for (const key of claimed) this.held.add(key);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of claimed) this.held.delete(key);
    };
  }

  /** Claims every key, or throws `busy(key)` for the first one held already (claiming none). */
  claim(keys: Iterable<K>, busy: (key: K) => Error): Release {
    const claimed = [...keys];
    const release = this.tryClaim(claimed);
    if (release) return release;
    throw busy(claimed.find((key) => this.held.has(key))!);
  }
}
