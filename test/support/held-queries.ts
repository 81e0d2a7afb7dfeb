/**
 * A database whose queries can be held at the door when they bind a marked value: for tests
 * that need requests still running while they look (a heavy export in progress). Queries that
 * do not bind the marker — authentication, other callers' work — go straight through, and so
 * does everything while the gate is open.
 */
import type { Database } from '../../src/storage/database.js';
import { toStatement, type SqlValue, type Statement } from '../../src/sql/queryable.js';

export interface QueryGate {
  /** From now on, queries binding the marker wait until open(). Counts arrivals from 0 again. */
  hold(): void;
  /** Resolves once `count` queries have arrived at the held door since hold(). */
  arrived(count: number): Promise<void>;
  /** Lets every held query through, and every later one. */
  open(): void;
}

export function holdQueriesBinding(db: Database, marker: SqlValue): { db: Database; gate: QueryGate } {
  let held: { released: Promise<void>; release: () => void } | null = null;
  let arrivals = 0;
  let waiters: { count: number; resolve: () => void }[] = [];
  const gate: QueryGate = {
    hold() {
      if (held) return;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      held = { released, release };
      arrivals = 0;
      waiters = [];
    },
    arrived: (count) => (arrivals >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    open() {
      held?.release();
      held = null;
    },
  };
  const proxy = new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'query') {
        return async (text: string | Statement, params?: readonly SqlValue[]) => {
          const statement = toStatement(text, params);
          const door = held;
          if (door && statement.params.includes(marker)) {
            arrivals += 1;
            for (const w of waiters.filter((x) => arrivals >= x.count)) w.resolve();
            waiters = waiters.filter((x) => arrivals < x.count);
            await door.released;
          }
          return target.query(statement);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { db: proxy, gate };
}
