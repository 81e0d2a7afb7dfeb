import type { z } from 'zod';
import type { PartnerScope } from '../access/principal.js';
import type { Database } from '../../storage/database.js';
import type { CellValue, ColumnType } from './report-result.schema.js';

/**
 * A report (SPEC §6) is a few tables of plain cells plus a summary, the same shape for every
 * report: the API returns it as JSON, the UI draws it as a table or chart, and the exporters
 * write each table as CSV or as an XLSX sheet.
 */

/** A cell and a column's type are the API's words (report-result.schema.ts); the shapes below are their read-only forms. */
export type { CellValue, ColumnType } from './report-result.schema.js';

export interface ReportColumn {
  readonly key: string;
  readonly title: string;
  readonly type: ColumnType;
}

export interface ReportTable {
  readonly name: string;
  readonly title: string;
  readonly columns: readonly ReportColumn[];
  readonly rows: readonly Readonly<Record<string, CellValue>>[];
  /** Rows there are in all; more than `rows.length` when the report's `limit` cut the list. */
  readonly total: number;
}

/** What a report computes. */
export interface ReportBody {
  /** The parameters it ran with, defaults filled in. */
  readonly parameters: Readonly<Record<string, CellValue | readonly string[]>>;
  readonly summary: Readonly<Record<string, CellValue>>;
  readonly tables: readonly ReportTable[];
}

export interface ReportResult extends ReportBody {
  readonly report: string;
  readonly title: string;
  readonly generatedAt: string;
}

/**
 * One report: its name (the URL and CLI name), its parameters as a zod schema over query-string
 * values (strings, coerced), and how it runs. It runs for a caller's scope: every partner row,
 * count and sum it shows is of the partners the scope sees (docs/security.md).
 */
export interface ReportDefinition<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly params: S;
  run(db: Database, scope: PartnerScope, params: z.output<S>): Promise<ReportBody>;
}

/** Declares a report with its parameter types checked against its schema. */
export const defineReport = <S extends z.ZodObject>(definition: ReportDefinition<S>): ReportDefinition<S> => Object.freeze(definition);

export const column = (key: string, title: string, type: ColumnType = 'text'): ReportColumn => ({ key, title, type });

/** A table with every row shown. */
export const fullTable = (name: string, title: string, columns: readonly ReportColumn[], rows: readonly Record<string, CellValue>[]): ReportTable => ({
  name,
  title,
  columns,
  rows,
  total: rows.length,
});

/** Runs a report for a scope, with parameters already checked by its schema. */
export async function runReport<S extends z.ZodObject>(db: Database, scope: PartnerScope, definition: ReportDefinition<S>, params: z.output<S>): Promise<ReportResult> {
  const body = await definition.run(db, scope, params);
  return { report: definition.name, title: definition.title, generatedAt: new Date().toISOString(), ...body };
}
