/**
 * A database that failed for good at run time: DuckDB invalidates its instance after a FATAL
 * or INTERNAL error ("database has been invalidated"), and every later statement fails. Nothing
 * in the process can mend that; the server answers 503 and exits for its supervisor to restart
 * it, which reopens (and, if need be, recovers) the file — instead of answering 500 forever.
 */

const INVALIDATED = /database has been invalidated|^FATAL Error|^INTERNAL Error/i;

export const isDatabaseInvalidated = (error: unknown): boolean => error instanceof Error && INVALIDATED.test(error.message);

type Listener = (error: Error) => void;
const listeners = new Set<Listener>();

/** Hears the first and every later invalidation; returns the removal. `serve` exits on it. */
export function whenDatabaseInvalidated(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells the listeners; call where an invalidating error is caught. */
export function reportDatabaseInvalidated(error: Error): void {
  for (const listener of listeners) listener(error);
}
