import type { ColumnValues, Queryable } from '../sql/queryable.js';

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

  /** Appends one batch and turns it into real rows. The arrays must not change until this resolves. */
  async load(values: readonly ColumnValues[], length: number): Promise<void> {
    if (length === 0) return;
    const table = `${this.name}_${++this.batches}`;
    await this.db.run(`CREATE TEMPORARY TABLE ${table} (${this.columns.map(([c, t]) => `${c} ${SQL_TYPES[t]}`).join(', ')})`);
    try {
      await this.db.appendColumns(
        table,
        this.columns.map(([c]) => c),
        values,
        length,
      );
      for (const statement of this.shape(table)) await this.db.run(statement);
    } finally {
      await this.db.run(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

/**
 * Keeps the database busy while JavaScript generates the next batch: loads run one after
 * another in submission order, at most `depth` waiting, so memory stays bounded.
 */
export class LoadPipeline {
  private readonly pending: Promise<void>[] = [];
  private failed: unknown;

  constructor(private readonly depth = 2) {}

  async submit(load: () => Promise<void>): Promise<void> {
    const previous = this.pending[this.pending.length - 1] ?? Promise.resolve();
    const next = previous.then(load);
    next.catch((error: unknown) => {
      this.failed ??= error;
    });
    this.pending.push(next);
    while (this.pending.length > this.depth) await this.pending.shift();
    if (this.failed !== undefined) throw this.failed;
  }

  /** Waits for every submitted load; rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.pending.length) await this.pending.shift();
  }
}
