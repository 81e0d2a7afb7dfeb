import { z } from 'zod';

/**
 * A report as GET /api/reports/{name} answers it (report.ts says what a report is). Pure (zod
 * only): the route validates with it, the web UI imports its types.
 */

export const cellSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type CellValue = z.output<typeof cellSchema>;

/** How a column is read and exported: numbers stay numbers in XLSX; a share is a fraction 0–1 shown as %. */
export const columnTypeSchema = z.enum(['text', 'number', 'integer', 'date', 'share']);
export type ColumnType = z.output<typeof columnTypeSchema>;

export const reportTableSchema = z.object({
  name: z.string(),
  title: z.string(),
  columns: z.array(z.object({ key: z.string(), title: z.string(), type: columnTypeSchema })),
  rows: z.array(z.record(z.string(), cellSchema)),
  total: z.number().describe('Rows in all; more than rows.length when limit cut the list'),
});
export type ReportTableBody = z.output<typeof reportTableSchema>;
export type ReportColumnBody = ReportTableBody['columns'][number];

export const reportResultSchema = z
  .object({
    report: z.string(),
    title: z.string(),
    generatedAt: z.string(),
    parameters: z.record(z.string(), z.union([cellSchema, z.array(z.string())])),
    summary: z.record(z.string(), cellSchema),
    tables: z.array(reportTableSchema),
  })
  .meta({ id: 'ReportResult' });
export type ReportResultBody = z.output<typeof reportResultSchema>;
