import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { AppError } from '../errors/app-error.js';
import type { Database } from '../storage/database.js';
import { formatFromFileName, type ImportFormat } from './import-format.js';
import type { ImportReport } from './import-report.js';
import { importData, importPlainCsv, type ImportOptions } from './importer.js';
import { NotPlainAfterAll, plainCsvFile } from './csv-file-load.js';
import { resolveImportEntity } from './entity-names.js';

export interface ImportFileOptions extends Omit<ImportOptions, 'format' | 'totalBytes'> {
  /** Format; from the file's extension (.csv, .json, .jsonl/.ndjson) when not given. */
  readonly format?: ImportFormat | undefined;
}

/**
 * Imports a file from disk (or standard input for `-`), streaming it. See importData. A plain
 * UTF-8 CSV file of sale lines (and the like) is read by the database itself when it can
 * (csv-file-load.ts): the same import, several times faster.
 *
 * @example
 * await importFile(db, 'exports/sales-2024.csv', { entity: 'sales', skipBad: true });
 */
export async function importFile(db: Database, path: string, options: ImportFileOptions): Promise<ImportReport> {
  const format = options.format ?? (path === '-' ? undefined : formatFromFileName(path));
  if (!format) throw new AppError('IMPORT_UNKNOWN_FORMAT', { source: path === '-' ? 'standard input' : `"${path}" (extension not .csv, .json, .jsonl, .ndjson or .xlsx)` });
  if (path === '-') return importData(db, process.stdin, { ...options, format });
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('it is not a file');
    size = info.size;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new AppError('IMPORT_FILE_UNREADABLE', { path, reason });
  }
  // SEGMENTA_CSV_FAST_PATH=off: always the usual path (to compare, or should the fast one misbehave).
  if (format === 'csv' && process.env.SEGMENTA_CSV_FAST_PATH !== 'off') {
    const entity = resolveImportEntity(options.entity);
    const scanned = (bytes: number, rows: number) => options.onProgress?.({ rows, bytesRead: bytes, totalBytes: size });
    const file = await plainCsvFile(db, path, entity, { delimiter: options.delimiter, encoding: options.encoding, bytes: size }, scanned);
    if (file) {
      try {
        return await importPlainCsv(db, file, { ...options, format, totalBytes: size });
      } catch (error) {
        if (!(error instanceof NotPlainAfterAll)) throw error;
      }
    }
  }
  const stream = createReadStream(path);
  try {
    return await importData(db, stream, { ...options, format, totalBytes: size });
  } finally {
    stream.destroy();
  }
}
