import type { ColumnValues, Queryable } from '../sql/queryable.js';
import type { Session } from '../storage/database.js';

/** Column types of a staging table: INTEGER (Int32Array), DOUBLE PRECISION (Float64Array), VARCHAR (texts). */
export type StagedType = 'int' | 'double' | 'text';

const SQL_TYPES: Record<StagedType, string> = { int: 'INTEGER', double: 'DOUBLE PRECISION', text: 'VARCHAR' };

/**
 * Temporary tables the generator appends a batch of numbers (and a few texts) to, column by
 * column, before INSERT … SELECT statements shape them into real rows (ids, dates, decimals,
 * directory ids) with the same SQL on every engine — far cheaper than formatting millions of
 * values as text in JavaScript. Each batch gets a table of its own, dropped once shaped:
 * DuckDB keeps deleted rows in memory, dropped tables it frees.
 */
export class StagedTable {
  private batches = 0;

  /** `shape(table)` gives the INSERT … SELECT statements that read a batch's table. */
  constructor(
    private readonly db: Queryable,
    readonly name: string,
    private readonly columns: readonly (readonly [string, StagedType])[],
    private readonly shape: (table: string) => readonly string[],
  ) {}

  /**
   * Appends one batch and turns it into real rows, on `db` (a pipeline lane) or the table's own
   * connection. The arrays must not change until this resolves.
   */
  async load(values: readonly ColumnValues[], length: number, db: Queryable = this.db): Promise<void> {
    if (length === 0) return;
    const table = `${this.name}_${++this.batches}`;
    await db.run(`CREATE TEMPORARY TABLE ${table} (${this.columns.map(([c, t]) => `${c} ${SQL_TYPES[t]}`).join(', ')})`);
    try {
      await db.appendColumns(
        table,
        this.columns.map(([c]) => c),
        values,
        length,
      );
      for (const statement of this.shape(table)) await db.run(statement);
    } finally {
      await db.run(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

/**
 * Keeps the database busy while JavaScript generates the next batch; at most `depth` loads
 * wait, so memory stays bounded. Without lanes, loads run one after another in submission
 * order on the connection their table was made with. With lanes (DuckDB: connections of their
 * own), a load runs on the next lane in turn, in a transaction that commits only after the
 * previous load's: one batch is appended (the appender works on the JavaScript thread) while
 * another is shaped into rows on DuckDB's threads, yet every batch lands in the tables in
 * submission order, so a seed gives the same tables row for row.
 */
export class LoadPipeline {
  private readonly pending: Promise<void>[] = [];
  private readonly laneTails: Promise<void>[];
  private committed: Promise<void> = Promise.resolve();
  private submitted = 0;
  private failed: unknown;

  constructor(
    private readonly lanes: readonly Session[] = [],
    private readonly depth = Math.max(2, lanes.length + 1),
  ) {
    this.laneTails = lanes.map(() => Promise.resolve());
  }

  /** `load(db)` writes one batch; `db` is the lane to write on (undefined without lanes). */
  async submit(load: (db: Queryable | undefined) => Promise<void>): Promise<void> {
    const next = this.lanes.length ? this.onLane(load) : (this.pending[this.pending.length - 1] ?? Promise.resolve()).then(() => load(undefined));
    next.catch((error: unknown) => {
      this.failed ??= error;
    });
    this.pending.push(next);
    while (this.pending.length > this.depth) await this.pending.shift()!.catch(() => undefined);
    if (this.failed !== undefined) await this.drain();
  }

  /** Waits for every submitted load to end (none is left running on a lane); rethrows the first failure. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.pending.splice(0));
    if (this.failed !== undefined) throw this.failed;
  }

  private onLane(load: (db: Queryable) => Promise<void>): Promise<void> {
    const index = this.submitted++ % this.lanes.length;
    const lane = this.lanes[index]!;
    const previous = this.committed;
    // A failed load fails the ones after it too (their transactions roll back).
    const next = this.laneTails[index]!.then(() =>
      lane.transaction(async (tx) => {
        await load(tx);
        await previous;
      }),
    );
    this.laneTails[index] = next.catch(() => undefined);
    this.committed = next;
    return next;
  }
}
