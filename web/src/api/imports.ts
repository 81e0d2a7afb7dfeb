import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ImportPreview } from '../../../src/import/import-preview';
import type { ImportReport, RowError } from '../../../src/import/import-report';
import type { EntityName } from '../../../src/model/entities';
import type { ImportJob } from '../../../src/domain/jobs/import.job';
import { ApiError, apiGet, apiSend, apiUpload } from './client';

export type { ImportJob, ImportPreview, ImportReport, RowError };

/** A file's headings mapped to columns: heading → column, or null to leave the column out. */
export type ColumnMapping = Record<string, string | null>;

export interface SavedMapping {
  readonly name: string;
  readonly entity: EntityName;
  readonly source: string | null;
  readonly columns: ColumnMapping;
  readonly updatedBy: string | null;
  readonly updatedAt: string;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The media type an import sends a file as, from its name (CSV for .csv/.txt and anything unknown). */
export function mediaTypeOf(fileName: string): string {
  const name = fileName.toLowerCase();
  if (name.endsWith('.xlsx')) return XLSX;
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'application/x-ndjson';
  if (name.endsWith('.json')) return 'application/json';
  return 'text/csv';
}

export interface ImportRequest {
  readonly entity: EntityName;
  readonly file: File;
  readonly columns: ColumnMapping;
  readonly skipBad?: boolean;
}

const paramsOf = (request: ImportRequest) => ({
  columns: Object.keys(request.columns).length ? JSON.stringify(request.columns) : undefined,
  skipBad: request.skipBad ? 'true' : undefined,
});

/** What importing the file would do (nothing is written). */
export function previewImport(request: ImportRequest): Promise<ImportPreview> {
  return apiUpload<ImportPreview>(`/import/${request.entity}/preview`, request.file, mediaTypeOf(request.file.name), paramsOf(request));
}

/** The bar's share of the upload; the import job (its share of the file read, then writing) has the rest. */
const UPLOAD_SHARE = 0.2;
const POLL_MS = 300;

/**
 * Imports the file as a background job: uploads it (the first part of `onProgress`), then polls
 * the job's progress until its report (or its error, thrown as an ApiError).
 */
export async function runImport(request: ImportRequest, onProgress: (fraction: number) => void): Promise<ImportReport> {
  let job = await apiUpload<ImportJob>(`/import/${request.entity}/jobs`, request.file, mediaTypeOf(request.file.name), paramsOf(request), (sent, total) =>
    onProgress(total > 0 ? (UPLOAD_SHARE * sent) / total : 0),
  );
  for (;;) {
    if (job.status === 'succeeded' && job.result) return job.result;
    if (job.status === 'failed') {
      const error = job.error ?? { code: 'INTERNAL', message: 'The import failed', details: {} };
      throw new ApiError(error.code === 'IMPORT_BAD_ROWS' ? 422 : 400, error.code, error.details, error.message);
    }
    onProgress(UPLOAD_SHARE + (1 - UPLOAD_SHARE) * job.progress);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    job = await apiGet<ImportJob>(`/import/jobs/${encodeURIComponent(job.id)}`);
  }
}

export function useImportMappings(entity: EntityName) {
  return useQuery({
    queryKey: ['import', 'mappings', entity],
    queryFn: ({ signal }) => apiGet<SavedMapping[]>('/import/mappings', { entity }, signal),
  });
}

export function useSaveMapping() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, ...body }: { name: string; entity: EntityName; source: string | null; columns: ColumnMapping }) =>
      apiSend<SavedMapping>('PUT', `/import/mappings/${encodeURIComponent(name)}`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['import', 'mappings'] }),
  });
}
