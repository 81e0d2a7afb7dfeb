import type { StagedTable, LoadPipeline } from './staged-table.js';

/**
 * A growing batch of generated fact rows, column by column — `ints[c][row]`, `doubles[c][row]` —
 * handed to a staging table through the load pipeline when it holds `batchSize` rows. The
 * staging table's columns are the int columns, then the double columns.
 */
export class FactWriter {
  ints: Int32Array[];
  doubles: Float64Array[];
  length = 0;
  /** Rows handed to the pipeline so far. */
  submitted = 0;
  private capacity: number;

  constructor(
    private readonly table: StagedTable,
    private readonly pipeline: LoadPipeline,
    private readonly intColumns: number,
    private readonly doubleColumns: number,
    private readonly batchSize: number,
    private readonly onLoaded: (rows: number) => void = () => undefined,
  ) {
    this.capacity = batchSize;
    this.ints = Array.from({ length: intColumns }, () => new Int32Array(this.capacity));
    this.doubles = Array.from({ length: doubleColumns }, () => new Float64Array(this.capacity));
  }

  /** Index of a new row (the arrays may be replaced: read `ints`/`doubles` after calling). */
  add(): number {
    if (this.length === this.capacity) this.grow();
    return this.length++;
  }

  get full(): boolean {
    return this.length >= this.batchSize;
  }

  /** Hands the rows so far to the pipeline and starts a new batch. */
  async flush(): Promise<void> {
    if (this.length === 0) return;
    const length = this.length;
    const values = [...this.ints.map((a) => a.subarray(0, length)), ...this.doubles.map((a) => a.subarray(0, length))];
    this.submitted += length;
    const submitted = this.submitted;
    this.capacity = this.batchSize;
    this.ints = Array.from({ length: this.intColumns }, () => new Int32Array(this.capacity));
    this.doubles = Array.from({ length: this.doubleColumns }, () => new Float64Array(this.capacity));
    this.length = 0;
    await this.pipeline.submit(async (db) => {
      await this.table.load(values, length, db);
      this.onLoaded(submitted);
    });
  }

  private grow(): void {
    this.capacity *= 2;
    this.ints = this.ints.map((a) => {
      const b = new Int32Array(this.capacity);
      b.set(a);
      return b;
    });
    this.doubles = this.doubles.map((a) => {
      const b = new Float64Array(this.capacity);
      b.set(a);
      return b;
    });
  }
}
