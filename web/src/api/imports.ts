import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ImportPreview } from '../../../src/import/import-preview';
import type { ImportReport, RowError } from '../../../src/import/import-report';
import type { EntityName } from '../../../src/model/entities';
import { apiGet, apiSend, apiUpload } from './client';

export type { ImportPreview, ImportReport, RowError };

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

/** Imports the file; `onProgress` follows the upload (the server imports as it reads). */
export function runImport(request: ImportRequest, onProgress: (fraction: number) => void): Promise<ImportReport> {
  return apiUpload<ImportReport>(`/import/${request.entity}`, request.file, mediaTypeOf(request.file.name), paramsOf(request), (sent, total) => onProgress(total > 0 ? sent / total : 0));
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
