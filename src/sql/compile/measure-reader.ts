import type { LeftSide } from './left-side.js';
import type { MeasureSpec } from './measure-spec.js';

/**
 * Where the measures of one SELECT come from: aggregate subqueries over the fact tables
 * (FactScans), or columns of a measures table computed beforehand for many rules at once
 * (MeasureColumns, in batch plans).
 */
export interface MeasureReader {
  /** The SQL of a measure's value (or ratio) for the root row of the SELECT. */
  leftSide(spec: MeasureSpec): LeftSide;
  /** LEFT JOINs to append after the root table aliased `root`. */
  joins(root: string): string[];
  /** How many aggregate subqueries over fact tables the joins hold. */
  readonly scanCount: number;
}
