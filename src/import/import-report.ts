import type { EntityName } from '../model/entities.js';
import type { ImportFormat } from './import-format.js';
import type { RowErrorCode, RowErrorParams } from './row-error-codes.js';
import type { TextEncoding } from './text-input.js';

/** One problem with one row of an imported file. */
export interface RowError {
  /** Physical line of the file where the row starts, 1-based; the CSV header is line 1. */
  readonly line: number;
  /** For JSON arrays: the row's index in the array, 0-based. */
  readonly element?: number;
  /** The field as the file names it, or null when the problem is the whole row. */
  readonly column: string | null;
  /** The offending value as text (cut to 200 characters), or null. */
  readonly value: string | null;
  /** Why the row is bad, for a person: `"abc" is not a number` (in the language of `?lang=` when asked). */
  readonly reason: string;
  /** The reason as a code and its values, to say it in the reader's language (src/import/row-error-codes.ts). */
  readonly code?: RowErrorCode;
  readonly params?: RowErrorParams;
}

/** At most this many errors are listed; `errorCount` still counts them all. */
export const MAX_LISTED_ERRORS = 1000;

/** What an import did. rows = inserted + updated + unchanged + duplicates + skipped. */
export interface ImportReport {
  readonly entity: EntityName;
  readonly format: ImportFormat;
  /** The encoding the file was read in: declared, from its byte order mark, or detected (Windows-1251 when its bytes are not UTF-8); null for XLSX. */
  readonly encoding: TextEncoding | null;
  /** Data rows read from the file, good and bad. */
  readonly rows: number;
  readonly inserted: number;
  readonly updated: number;
  /** Rows identical to what the database already held (nothing written for them). */
  readonly unchanged: number;
  /** Rows superseded by a later row with the same id in the same file (the last one wins). */
  readonly duplicates: number;
  /** Bad rows left out (only with skipBad; without it a bad row fails the whole import). */
  readonly skipped: number;
  /** Problems found, counting every one even past the listed ones. */
  readonly errorCount: number;
  /** The first MAX_LISTED_ERRORS problems, in file order. */
  readonly errors: RowError[];
  /** True when more errors were found than are listed. */
  readonly errorsTruncated: boolean;
  /** Properties seen for the first time, with the type inferred for them. */
  readonly newProperties: { name: string; type: string }[];
}

/** Reported while an import reads its file. */
export interface ImportProgress {
  /** Data rows read so far. */
  readonly rows: number;
  readonly bytesRead: number;
  /** Size of the file when known (a file on disk, a request with Content-Length). */
  readonly totalBytes: number | undefined;
}
