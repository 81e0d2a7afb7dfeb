import type { ColumnValues, Queryable } from '../storage/database.js';

/** Column types of a staging table: INTEGER (Int32Array), DOUBLE PRECISION (Float64Array), VARCHAR (texts). */
export type StagedType = 'int' | 'double' | 'text';

const SQL_TYPES: Record<StagedType, string> = { int: 'INTEGER', double: 'DOUBLE PRECISION', text: 'VARCHAR' };

/**
 * A temporary table the generator appends a batch of numbers (and a few texts) to, column by
 * column, before one INSERT … SELECT per target table shapes them into real rows (ids, dates,
 * decimals, directory ids) with the same SQL on every engine — far cheaper than formatting
 * millions of values as text in JavaScript. The batch is then cleared for the next one.
 */
export class StagedTable {
  private constructor(
    private readonly db: Queryable,
    readonly name: string,
    private readonly columnNames: readonly string[],
    private readonly shape: readonly string[],
  ) {}

  /** Creates the table; `shape` are the INSERT … SELECT statements that read it. */
  static async create(db: Queryable, name: string, columns: readonly (readonly [string, StagedType])[], shape: readonly string[]): Promise<StagedTable> {
    await db.run(`CREATE TEMPORARY TABLE ${name} (${columns.map(([c, t]) => `${c} ${SQL_TYPES[t]}`).join(', ')})`);
    return new StagedTable(db, name, columns.map(([c]) => c), shape);
  }

  /** Appends one batch and turns it into real rows. The arrays must not change until this resolves. */
  async load(values: readonly ColumnValues[], length: number): Promise<void> {
    if (length === 0) return;
    await this.db.appendColumns(this.name, this.columnNames, values, length);
    for (const statement of this.shape) await this.db.run(statement);
    await this.db.run(`DELETE FROM ${this.name}`);
  }

  async drop(): Promise<void> {
    await this.db.run(`DROP TABLE IF EXISTS ${this.name}`);
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
