/**
 * The one transaction runner of the adapters. Each adapter says only how to begin, commit and
 * roll back on its connection (Kysely's `Driver` is the model); when to do which lives here.
 */

/** How one connection begins, commits and rolls back a transaction. */
export interface TransactionControl {
  begin(): Promise<unknown>;
  commit(): Promise<unknown>;
  rollback(): Promise<unknown>;
}

/** What runs once each open transaction (by the object its statements run on) has ended. */
const endings = new WeakMap<object, (() => void)[]>();

/**
 * Runs fn once the transaction `tx` has committed or rolled back (an in-process lock that must
 * outlive the commit). Returns false, calling nothing, when `tx` is not a transaction
 * this runner opened.
 */
export function afterTransaction(tx: object, fn: () => void): boolean {
  const pending = endings.get(tx);
  if (!pending) return false;
  pending.push(fn);
  return true;
}

/**
 * Runs fn in a transaction: committed when it resolves, rolled back when it throws (a failed
 * rollback is ignored — the connection may be gone — and fn's error is the one rethrown).
 * `tx`, the object fn's statements run on, is known to afterTransaction meanwhile.
 */
export async function runInTransaction<T>(control: TransactionControl, fn: () => Promise<T>, tx?: object): Promise<T> {
  await control.begin();
  if (tx) endings.set(tx, []);
  try {
    const result = await fn();
    await control.commit();
    return result;
  } catch (error) {
    await control.rollback().catch(() => undefined);
    throw error;
  } finally {
    if (tx) {
      const pending = endings.get(tx) ?? [];
      endings.delete(tx);
      for (const end of pending) end();
    }
  }
}
