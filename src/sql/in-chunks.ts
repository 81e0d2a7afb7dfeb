/**
 * Runs fn on consecutive slices of at most `size` items, one after another, and returns what
 * each call returned, in order: for lists longer than one statement should bind (a `$n` per
 * item) or carry. Nothing is called for an empty list.
 *
 * @example
 * const found = (await inChunks(ids, 1000, (chunk) => db.query(sql`SELECT id FROM partners WHERE id IN (${sql.list(chunk)})`))).flat();
 */
export async function inChunks<T, R>(items: readonly T[], size: number, fn: (chunk: readonly T[], start: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(size) || size < 1) throw new Error(`inChunks: the chunk size must be a positive integer, not ${size}`);
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) results.push(await fn(items.slice(start, start + size), start));
  return results;
}
