import type { EntityName } from '../model/entities.js';
import type { ImportFormat } from './import-format.js';
import type { ImportReport } from './import-report.js';
import type { TextEncoding } from './text-input.js';

/** How one heading of a previewed file maps. */
export interface PreviewColumn {
  /** The heading as the file has it. */
  readonly heading: string;
  /** The column it fills (`name`, `role_customer`, `properties.inn`), or null (unknown or left out). */
  readonly field: string | null;
  /** By the mapping given, the field's own name, a known heading (Russian, 1C, Bitrix24, amoCRM); or left out, or unknown. */
  readonly how: 'mapping' | 'name' | 'heading' | 'skipped' | 'unknown';
  /** For an unknown heading: the closest columns, best first. */
  readonly suggestions: string[];
}

/** One of the first rows of a previewed file, as parsed. */
export interface PreviewRow {
  /** The row's line (CSV, JSON) or row number (XLSX), as the file shows it. */
  readonly line: number;
  /** Parsed values by column (canonical text: `2024-03-01`, `1234.56`, `true`); properties as `properties.<name>`. */
  readonly values: Record<string, string | null>;
  /** Whether the row has a problem (listed in the report's errors under its line). */
  readonly bad: boolean;
}

/** What importing a file would do (nothing is written). */
export interface ImportPreview {
  readonly entity: EntityName;
  readonly format: ImportFormat;
  /** The encoding a text file was read in; null for XLSX. */
  readonly encoding: TextEncoding | null;
  /** CSV: the delimiter used (given or detected). */
  readonly delimiter?: string;
  /** XLSX: the sheet read. */
  readonly sheet?: string;
  readonly columns: PreviewColumn[];
  /** Required columns no heading fills. */
  readonly missingColumns: string[];
  readonly sample: PreviewRow[];
  /** The report the import would give; with bad rows and no skipBad the import would refuse the file. */
  readonly report: ImportReport;
}
