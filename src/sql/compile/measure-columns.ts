import type { LeftSide } from './left-side.js';
import type { MeasureReader } from './measure-reader.js';
import type { MeasureSpec } from './measure-spec.js';

/** The value of one measure in a measures table: one column, or two for a ratio. */
export interface MeasureColumn {
  readonly spec: MeasureSpec;
  readonly left: LeftSide;
  /** One column, or two for a ratio (numerator, denominator). */
  readonly names: readonly string[];
}

/**
 * The measures of many rules read from one table computed beforehand. Every distinct spec
 * (by key) is computed once by `source` — the fact scans of the query that builds the table —
 * and stored as its final value (zero, days, ratio parts), so a rule reads a plain column.
 */
export class MeasureColumns {
  private readonly byKey = new Map<string, MeasureColumn>();

  constructor(private readonly source: MeasureReader) {}

  /** A reader for a SELECT whose root row (aliased `root`) is a row of the measures table. */
  reader(root: string): MeasureReader {
    return { leftSide: (spec) => this.leftSide(spec, root), joins: () => [], scanCount: 0 };
  }

  /** How many distinct measures the rules read. */
  get size(): number {
    return this.byKey.size;
  }

  /** Every distinct measure read, with its column names, in the order of the select list. */
  entries(): readonly MeasureColumn[] {
    return [...this.byKey.values()];
  }

  /** The select list that computes every column, for the query that builds the table. */
  selectList(): string[] {
    return [...this.byKey.values()].flatMap(({ left, names }) => {
      switch (left.kind) {
        case 'scalar':
          return [`${left.sql} AS ${names[0]}`];
        case 'ratio':
          return [`${left.numerator} AS ${names[0]}`, `${left.denominator} AS ${names[1]}`];
        default:
          throw new Error(`a measure has no ${left.kind} value`);
      }
    });
  }

  private leftSide(spec: MeasureSpec, root: string): LeftSide {
    let column = this.byKey.get(spec.key);
    if (!column) {
      const left = this.source.leftSide(spec);
      const name = `m${this.byKey.size}`;
      column = { spec, left, names: left.kind === 'ratio' ? [`${name}_n`, `${name}_d`] : [name] };
      this.byKey.set(spec.key, column);
    }
    const [first, second] = column.names.map((n) => `${root}.${n}`);
    switch (column.left.kind) {
      case 'scalar':
        return { ...column.left, sql: first! };
      case 'ratio':
        return { kind: 'ratio', numerator: first!, denominator: second! };
      default:
        throw new Error(`a measure has no ${column.left.kind} value`);
    }
  }
}
