import type { Release } from './keyed-locks.js';

/**
 * Waiting locks by key: `lock` resolves once every key is free, and holds them until released.
 * Several keys are taken one by one in sorted order, so two holders of overlapping sets cannot
 * wait for each other. Unlike KeyedLocks (all or none, refused at once), a caller here waits
 * its turn: for short writes that must not interleave (a segment's composition). In-process only.
 *
 * @example
 * const writing = new KeyedMutex<string>();
 * const release = await writing.lock(['b', 'a']);
 * try { await write(); } finally { release(); }
 */
export class KeyedMutex<K extends string | number> {
  /** Per key, the promise that resolves when its last holder or waiter releases it. */
  private readonly tails = new Map<K, Promise<void>>();

  isLocked(key: K): boolean {
    return this.tails.has(key);
  }

  /** Waits for every key, takes them in sorted order, and gives back their release. */
  async lock(keys: Iterable<K>): Promise<Release> {
    const sorted = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const releases: Release[] = [];
    for (const key of sorted) releases.push(await this.lockOne(key));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const release of releases) release();
    };
  }

  /** Runs fn with the keys held. */
  async withLock<T>(keys: Iterable<K>, fn: () => Promise<T>): Promise<T> {
    const release = await this.lock(keys);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private async lockOne(key: K): Promise<Release> {
    const before = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before ? before.then(() => mine) : mine;
    this.tails.set(key, tail);
    await before;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
