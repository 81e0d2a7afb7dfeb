import { tableToCsv, pickTable } from './export-csv.js';
import { reportToXlsx } from './export-xlsx.js';
import { reportWords, type ExportLanguage } from './export-locale.js';
import type { ReportResult } from './report.js';

export const REPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** A file name for an export: the report, its main parameter, the date; latin letters, digits and "-" only. */
export function reportFileName(result: ReportResult, format: ReportFormat, table?: string): string {
  const main = result.parameters.segment ?? result.parameters.matrix ?? null;
  const parts = [result.report, typeof main === 'string' ? main : null, table ?? null, result.generatedAt.slice(0, 10)].filter((p): p is string => p !== null);
  return `${parts.join('-').replace(/[^A-Za-z0-9_-]+/g, '_')}.${format}`;
}

/** A report as the bytes of a file in a format (JSON pretty-printed; CSV: one table), for people in a language when one is given. */
export async function reportFile(result: ReportResult, format: ReportFormat, table?: string, language?: ExportLanguage | null): Promise<Buffer> {
  switch (format) {
    case 'json':
      return Buffer.from(`${JSON.stringify(result, null, 2)}\n`);
    case 'csv':
      return Buffer.from(tableToCsv(pickTable(result, table), language, reportWords(result, language)));
    case 'xlsx':
      return reportToXlsx(result, language);
  }
}
