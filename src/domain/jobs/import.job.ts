import { createReadStream } from 'node:fs';
import { AppError, isAppError } from '../../errors/app-error.js';
import type { ImportReport, RowError } from '../../import/import-report.js';
import type { ImportInput, ImportOptions } from '../../import/importer.js';
import { errorsIn } from '../../import/row-error-codes.js';
import type { JobRegistry, JobView } from './job-registry.js';

/**
 * An import as a background job (`POST /api/import/{entity}/jobs`): the file, already received
 * whole into a temporary file, is imported while the job tells how much of it has been read
 * (its bytes: a measured share, not a guess by time), then "writing" (checks, upsert, the
 * segments' listeners) until the report. The report, or IMPORT_BAD_ROWS, lists row errors with
 * their reasons in the language asked.
 */

export const IMPORT_JOB = 'import';
export const IMPORT_STAGES = ['reading', 'writing'] as const;
export type ImportStage = (typeof IMPORT_STAGES)[number];
const PLAN = [
  { stage: 'reading' as const, weight: 80 },
  { stage: 'writing' as const, weight: 20 },
];

export type ImportJob = JobView<ImportStage, ImportReport>;

export interface ImportJobInput {
  /** The entity imported (the job's subject). */
  readonly entity: string;
  /** The received file and its size in bytes. */
  readonly file: string;
  readonly size: number;
  readonly options: ImportOptions;
  readonly language?: 'ru' | 'en' | undefined;
  /** Removes the received file (after the import, whatever its outcome). */
  readonly cleanup: () => Promise<void>;
}

export function startImportJob(jobs: JobRegistry, importData: (input: ImportInput, options: ImportOptions) => Promise<ImportReport>, input: ImportJobInput): ImportJob {
  return jobs.start<ImportStage, ImportReport>({
    type: IMPORT_JOB,
    subject: input.entity,
    plan: PLAN,
    expectedMs: null,
    run: async (stage, measure) => {
      // Ours to close: the importer leaves a caller's stream open, and a file refused at its first
      // bytes would keep its descriptor (and the deleted file's disk space) for good.
      const file = createReadStream(input.file, { highWaterMark: 1 << 16 });
      try {
        const report = await importData(file, {
          ...input.options,
          totalBytes: input.size,
          onProgress: (p) => {
            if (!p.totalBytes) return;
            if (p.bytesRead >= p.totalBytes) stage('writing');
            else measure(p.bytesRead / p.totalBytes);
          },
        });
        return { ...report, errors: errorsIn(report.errors, input.language) };
      } catch (error) {
        if (isAppError(error) && error.code === 'IMPORT_BAD_ROWS' && input.language) {
          const errors = (error.details.errors ?? []) as RowError[];
          throw new AppError('IMPORT_BAD_ROWS', { ...error.details, errors: errorsIn(errors, input.language) });
        }
        throw error;
      } finally {
        file.destroy();
        await input.cleanup();
      }
    },
  });
}
