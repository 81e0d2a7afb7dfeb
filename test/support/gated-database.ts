/**
 * A database whose transactions can be held at the door: for tests that need to see a long
 * piece of work while it runs (a Generate job in its "evaluating" stage). Everything else goes
 * straight through, so the rest of the service keeps answering while the work waits.
 */
import type { Queryable } from '../../src/sql/queryable.js';
import type { Database } from '../../src/storage/database.js';

export interface Gate {
  /** From now on, a transaction waits until open() (the next one, and those after it). */
  hold(): void;
  /** Lets every waiting and later transaction through. */
  open(): void;
  /** Resolves when a transaction is waiting at the held gate. */
  reached(): Promise<void>;
}

export function gatedDatabase(db: Database): { db: Database; gate: Gate } {
  let held: { release: Promise<void>; open: () => void } | null = null;
  let arrived: (() => void) | null = null;
  let arrival: Promise<void> = new Promise((resolve) => (arrived = resolve));
  const gate: Gate = {
    hold() {
      if (held) return;
      let open!: () => void;
      const release = new Promise<void>((resolve) => (open = resolve));
      held = { release, open };
      arrival = new Promise((resolve) => (arrived = resolve));
    },
    open() {
      held?.open();
      held = null;
    },
    reached: () => arrival,
  };
  const gated = new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'transaction') {
        return async <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> => {
          if (held) {
            arrived?.();
            await held.release;
          }
          return target.transaction(fn);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: gated, gate };
}
