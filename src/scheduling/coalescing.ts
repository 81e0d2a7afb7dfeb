/**
 * When a batch of work that falls due together closes: told each time a key joins the open
 * batch (`joined` is its size then, 1 as it opens); calls `close` — once, later or at once —
 * to run the batch. Keys that come after it closed open the next batch.
 *
 * Injected, so that a test says when its batch closes instead of waiting on a real timer.
 */
export type CoalescingWindow = (joined: number, close: () => void) => void;

/** Closes `ms` after the batch opened: firings that land this close together are one batch. */
export const closeAfter =
  (ms: number): CoalescingWindow =>
  (joined, close) => {
    if (joined === 1) setTimeout(close, ms);
  };

/** Closes as soon as `size` keys joined (a test that fires `size` keys together). */
export const closeWhenJoined =
  (size: number): CoalescingWindow =>
  (joined, close) => {
    if (joined >= size) close();
  };

/** Closes at once: every key is a batch of its own. */
export const closeAtOnce: CoalescingWindow = (_joined, close) => close();

interface Batch<K, R> {
  readonly keys: Set<K>;
  /** Runs the batch unless it ran already. */
  readonly close: () => void;
  readonly done: Promise<R>;
}

/**
 * Gathers keys that fall due together (segments whose schedules fire at the same second) and
 * runs them as one batch; everyone who added a key to a batch gets the batch's outcome.
 *
 * @example
 * const batches = new Coalescer((ids: string[]) => refreshSegments(db, ids), closeAfter(50));
 * const [a, b] = await Promise.all([batches.add('people'), batches.add('firms')]); // one refresh of both
 */
export class Coalescer<K, R> {
  private open: Batch<K, R> | null = null;

  constructor(
    private readonly run: (keys: K[]) => Promise<R>,
    private readonly window: CoalescingWindow,
  ) {}

  /** Adds `key` to the open batch (opening one if none is) and resolves with that batch's outcome. */
  add(key: K): Promise<R> {
    const batch = this.open ?? this.openBatch();
    batch.keys.add(key);
    this.window(batch.keys.size, batch.close);
    return batch.done;
  }

  private openBatch(): Batch<K, R> {
    const keys = new Set<K>();
    let close = (): void => undefined;
    const done = new Promise<R>((resolve, reject) => {
      close = () => {
        if (this.open?.keys !== keys) return; // closed already
        this.open = null;
        try {
          this.run([...keys]).then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      };
    });
    this.open = { keys, close, done };
    return this.open;
  }
}
