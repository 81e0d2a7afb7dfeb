import { MAX_LISTED_ERRORS, type RowError } from './import-report.js';
import type { RowErrorSaid } from './row-error-codes.js';

const MAX_VALUE_LENGTH = 200;

/** A value as shown in an error: text, cut short when long. */
export function displayValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    text = Array.isArray(value) ? '[…]' : '{…}'; // nested too deep to print
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}…` : text;
}

/** Where a row sits in its file. */
export interface RowPosition {
  /** Physical start line, 1-based. */
  readonly line: number;
  /** Index in a JSON array, 0-based; undefined for CSV and JSON Lines. */
  readonly element: number | undefined;
}

/**
 * The problems of an import: every one is counted, the first MAX_LISTED_ERRORS are kept.
 * Rows are counted once however many problems they have.
 */
export class RowErrorLog {
  private readonly listed: RowError[] = [];
  private count = 0;
  private rows = 0;
  private lastRowLine = -1;

  /** Problems found. */
  get errorCount(): number {
    return this.count;
  }

  /** Rows with at least one problem. */
  get badRows(): number {
    return this.rows;
  }

  get truncated(): boolean {
    return this.count > this.listed.length;
  }

  /** Adds a problem of the row at `position`. Problems of one row must be added together. */
  add(position: RowPosition, column: string | null, value: unknown, reason: string, said?: RowErrorSaid): void {
    const rowKey = position.element ?? position.line;
    if (rowKey !== this.lastRowLine) {
      this.rows++;
      this.lastRowLine = rowKey;
    }
    this.addCounted(position, column, value, reason, said);
  }

  /** Adds `badRows` rows found bad together (by a query), with the listed problems of some of them. */
  addFound(badRows: number, errors: readonly RowError[], errorCount: number = errors.length): void {
    this.rows += badRows;
    this.count += errorCount - errors.length;
    for (const error of errors) this.addCounted(error, error.column, error.value, error.reason, error.code ? { code: error.code, params: error.params ?? {} } : undefined);
    this.lastRowLine = -1;
  }

  private addCounted(position: RowPosition | RowError, column: string | null, value: unknown, reason: string, said?: RowErrorSaid): void {
    this.count++;
    if (this.listed.length >= MAX_LISTED_ERRORS) return;
    const said_ = said ? { code: said.code, params: said.params } : {};
    const error: RowError =
      position.element === undefined
        ? { line: position.line, column, value: displayValue(value), reason, ...said_ }
        : { line: position.line, element: position.element, column, value: displayValue(value), reason, ...said_ };
    this.listed.push(error);
  }

  /** The listed problems in file order. */
  list(): RowError[] {
    return [...this.listed].sort((a, b) => a.line - b.line || (a.element ?? 0) - (b.element ?? 0));
  }
}
