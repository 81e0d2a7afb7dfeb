import type { Queryable } from '../../sql/queryable.js';

/**
 * A number that changes whenever any sales term changes. Order pricing caches the active
 * terms per process and compares this number on each order, so a change made by another
 * process (or another server) is seen by the next order.
 */
export async function bumpTermsRevision(tx: Queryable): Promise<void> {
  await tx.run('UPDATE terms_revision SET revision = revision + 1 WHERE id = 1');
}

export async function termsRevision(db: Queryable): Promise<number> {
  const [row] = await db.query<{ revision: number }>('SELECT revision FROM terms_revision WHERE id = 1');
  return Number(row?.revision ?? 0);
}
