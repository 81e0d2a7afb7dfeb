import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { REPORTS, runReport, type ReportResult } from '../../domain/reports/index.js';
import { CONTENT_TYPES, REPORT_FORMATS, reportFile, reportFileName, type ReportFormat } from '../../domain/reports/report-file.js';
import { langQuery, type ExportLanguage } from '../../domain/reports/export-locale.js';
import { reportResultSchema } from '../../domain/reports/report-result.schema.js';
import { scopeOf } from '../access.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

const errors = { 400: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema };

/** Sends a report as an attachment (CSV or XLSX), or as JSON. */
async function send(reply: FastifyReply, result: ReportResult, format: ReportFormat, table: string | undefined, language?: ExportLanguage): Promise<FastifyReply> {
  if (format === 'json') return reply.send(result);
  const name = reportFileName(result, format, format === 'csv' ? table : undefined);
  return reply
    .type(CONTENT_TYPES[format])
    .header('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .send(await reportFile(result, format, table, language));
}

/**
 * Every report of src/domain/reports at `GET /api/reports/<name>` (JSON, or `?format=csv|xlsx`),
 * `/api/reports/<name>.csv` and `/api/reports/<name>.xlsx`; its parameters are the query string,
 * documented in the OpenAPI document from the report's own schema.
 */
export const reportsRoutes: RouteModule = (app) => {
  app.get(
    '/reports',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['reports'],
        summary: 'The reports, with their parameters',
        response: {
          200: z.object({
            items: z.array(z.object({ name: z.string(), title: z.string(), description: z.string(), parameters: z.array(z.string()), formats: z.array(z.string()) })),
          }),
        },
      },
    },
    async () => ({
      items: REPORTS.map((r) => ({ name: r.name, title: r.title, description: r.description, parameters: Object.keys(r.params.shape), formats: [...REPORT_FORMATS] })),
    }),
  );

  for (const report of REPORTS) {
    const table = z.string().optional().describe('CSV: the table to write (default the first)');
    app.get(
      `/reports/${report.name}`,
      {
        config: { access: 'manager', heavy: true },
        schema: {
          tags: ['reports'],
          summary: `${report.title} — JSON, or a file with format=csv|xlsx`,
          description: report.description,
          querystring: report.params.extend({ format: z.enum(REPORT_FORMATS).default('json'), table, lang: langQuery }),
          response: { 200: reportResultSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { format, table: tableName, lang, ...params } = request.query as Record<string, unknown> & { format: ReportFormat; table?: string; lang?: ExportLanguage };
        return send(reply, await runReport(request.db, scopeOf(request), report, params as never), format, tableName, lang);
      },
    );
    for (const format of ['csv', 'xlsx'] as const) {
      app.get(
        `/reports/${report.name}.${format}`,
        {
          config: { access: 'manager', heavy: true },
          schema: {
            tags: ['reports'],
            summary: `${report.title} as ${format === 'csv' ? 'CSV (one table, UTF-8 with BOM)' : 'an XLSX workbook (a sheet per table)'}`,
            description: report.description,
            querystring: format === 'csv' ? report.params.extend({ table, lang: langQuery }) : report.params.extend({ lang: langQuery }),
            response: { 400: errorSchema, 404: errorSchema, 409: errorSchema },
          },
        },
        async (request, reply) => {
          const { table: tableName, lang, ...params } = request.query as Record<string, unknown> & { table?: string; lang?: ExportLanguage };
          return send(reply, await runReport(request.db, scopeOf(request), report, params as never), format, tableName, lang);
        },
      );
    }
  }
};
