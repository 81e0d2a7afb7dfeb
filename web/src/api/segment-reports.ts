import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet, apiUrl, type QueryParams } from './client';
import type { CellValue as ReportCell, ReportResultBody as ReportResult, ReportTableBody as ReportTable } from '../../../src/domain/reports/report-result.schema';

/** A report of GET /api/reports/{name} (docs/reports.md): every report has this shape. */

export type {
  CellValue as ReportCell,
  ColumnType as ReportColumnType,
  ReportColumnBody as ReportColumn,
  ReportResultBody as ReportResult,
  ReportTableBody as ReportTable,
} from '../../../src/domain/reports/report-result.schema';

/**
 * A report about a segment, as JSON. Kept under the segment's data (`segment-data`), so a
 * Generate or a change of members refreshes it with the rest of the card; `params` null: not
 * asked for (the report cannot be made for this segment).
 */
export function useSegmentReport(segmentId: string, report: string, params: QueryParams | null) {
  return useQuery({
    queryKey: ['segment-data', segmentId, 'report', report, params],
    queryFn: ({ signal }) => apiGet<ReportResult>(`/reports/${report}`, params ?? {}, signal),
    enabled: params !== null,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

/** The report as a file for people in the UI's language: XLSX (a sheet per table) or CSV (one table; Russian: `;`). */
export const reportFileUrl = (report: string, format: 'xlsx' | 'csv', params: QueryParams = {}, lang = 'ru') =>
  apiUrl(`/reports/${report}.${format}`, { ...params, lang: lang === 'en' ? 'en' : 'ru' });

/** A table of a report by name (every report names its tables: docs/reports.md). */
export function reportTable(result: ReportResult | undefined, name: string): ReportTable | undefined {
  return result?.tables.find((t) => t.name === name);
}

/** A numeric cell as a number (null, text and booleans count 0). */
export const numberCell = (value: ReportCell | undefined): number => (typeof value === 'number' ? value : 0);
