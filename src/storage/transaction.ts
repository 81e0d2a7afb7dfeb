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

/**
 * Runs fn in a transaction: committed when it resolves, rolled back when it throws (a failed
 * rollback is ignored — the connection may be gone — and fn's error is the one rethrown).
 */
export async function runInTransaction<T>(control: TransactionControl, fn: () => Promise<T>): Promise<T> {
  await control.begin();
  try {
    const result = await fn();
    await control.commit();
    return result;
  } catch (error) {
    await control.rollback().catch(() => undefined);
    throw error;
  }
}
