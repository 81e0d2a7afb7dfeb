import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, isAppError } from '../../errors/app-error.js';
import { resolveImportEntity } from '../../import/entity-names.js';
import { formatFromMediaType, IMPORT_FORMATS, IMPORT_MEDIA_TYPES, isImportMediaType, parseContentType, parseDelimiter } from '../../import/import-format.js';
import { parseEncoding, TEXT_ENCODINGS, type TextEncoding } from '../../import/text-input.js';
import { MAX_LISTED_ERRORS, type RowError } from '../../import/import-report.js';
import { errorsIn, ROW_ERROR_CODES } from '../../import/row-error-codes.js';
import { IMPORT_JOB, IMPORT_STAGES, startImportJob } from '../../domain/jobs/import.job.js';
import type { JobView } from '../../domain/jobs/job-registry.js';
import { IMPORT_ENTITY_NAMES } from '../../model/entities.js';
import type { ColumnMapping } from '../../import/column-map.js';
import { previewImport, PREVIEW_ROWS, type ImportOptions } from '../../import/importer.js';
import { deleteMapping, getMapping, listMappings, mappingFor, saveMapping } from '../../import/mappings.js';
import type { Database } from '../../storage/database.js';
import { auditId } from '../audit.js';
import { importCounts } from '../audit-states.js';
import type { RouteModule } from '../context.js';
import { booleanQuery, errorSchema } from '../schemas.js';

const rowErrorSchema = z
  .object({
    line: z.number().int().describe('Physical line where the row starts, 1-based; the CSV header is line 1'),
    element: z.number().int().optional().describe('JSON arrays: index of the row in the array, 0-based'),
    column: z.string().nullable().describe('The field as the file names it; null when the whole row is wrong'),
    value: z.string().nullable().describe('The offending value as text'),
    reason: z.string().describe('Why, for a person: English, or in the language of `lang`'),
    code: z.enum(ROW_ERROR_CODES).optional().describe("The reason as a code, to say it in the reader's language (docs/import.md)"),
    params: z
      .record(z.string(), z.union([z.string(), z.number()]))
      .optional()
      .describe("The code's values"),
  })
  .meta({ id: 'ImportRowError' });

const reportSchema = z
  .object({
    entity: z.enum(IMPORT_ENTITY_NAMES),
    format: z.enum(IMPORT_FORMATS),
    encoding: z
      .enum(TEXT_ENCODINGS)
      .nullable()
      .describe('The encoding a text file was read in: the charset given, its byte order mark, or detected (Windows-1251 when the bytes are not UTF-8); null for XLSX'),
    rows: z.number().int().describe('Data rows in the file, good and bad'),
    inserted: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int().describe('Rows identical to what was stored; nothing written for them'),
    duplicates: z.number().int().describe('Rows superseded by a later row with the same id in the file (the last one wins)'),
    skipped: z.number().int().describe('Bad rows left out (skipBad=true only)'),
    errorCount: z.number().int(),
    errors: z.array(rowErrorSchema).describe(`The first ${MAX_LISTED_ERRORS} problems, in file order`),
    errorsTruncated: z.boolean().describe(`More than ${MAX_LISTED_ERRORS} problems were found`),
    newProperties: z.array(z.object({ name: z.string(), type: z.string() })).describe('Additional properties met for the first time, with the inferred type'),
  })
  .meta({ id: 'ImportReport' });

const previewSchema = z
  .object({
    entity: z.enum(IMPORT_ENTITY_NAMES),
    format: z.enum(IMPORT_FORMATS),
    encoding: z.enum(TEXT_ENCODINGS).nullable().describe('The encoding a text file was read in; null for XLSX'),
    delimiter: z.string().optional().describe('CSV: the delimiter used (given or detected)'),
    sheet: z.string().optional().describe('XLSX: the sheet read'),
    columns: z
      .array(
        z.object({
          heading: z.string().describe('The heading as the file has it'),
          field: z.string().nullable().describe('The column it fills (`name`, `role_customer`, `properties.inn`), or null'),
          how: z
            .enum(['mapping', 'name', 'heading', 'skipped', 'unknown'])
            .describe("By the mapping given, the field's own name, a known heading (Russian, 1C, Bitrix24, amoCRM); left out; or unknown"),
          suggestions: z.array(z.string()).describe('For an unknown heading: the closest columns, best first'),
        }),
      )
      .describe('How each heading of the file maps; unknown ones are left out of the preview (an import refuses them until mapped or set to null)'),
    missingColumns: z.array(z.string()).describe('Required columns no heading fills'),
    sample: z
      .array(z.object({ line: z.number().int(), values: z.record(z.string(), z.string().nullable()), bad: z.boolean() }))
      .describe(`The first ${PREVIEW_ROWS} rows as parsed (canonical text: 2024-03-01, 1234.56, true)`),
    report: reportSchema.describe('What the import would report; with bad rows and no skipBad it would import nothing'),
  })
  .meta({ id: 'ImportPreview' });

const columnMappingSchema = z
  .record(z.string().min(1).max(500), z.string().min(1).max(300).nullable())
  .describe('Heading of the file → column (API or SQL name, `role_<value>`, `properties.<name>`), or null to leave the column out');

const mappingSchema = z
  .object({
    name: z.string(),
    entity: z.enum(IMPORT_ENTITY_NAMES),
    source: z.string().nullable().describe('Where such files come from: 1c, bitrix24, amocrm, excel, …'),
    columns: columnMappingSchema,
    updatedBy: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ImportMapping' });

const mappingInputSchema = z.object({
  entity: z.string().describe(`One of ${IMPORT_ENTITY_NAMES.join(', ')}`),
  source: z.string().max(100).nullable().optional(),
  columns: columnMappingSchema,
});

const mappingName = z.object({ name: z.string().min(1).max(200).describe('The name the mapping is saved under') });

const importQuery = z.object({
  skipBad: booleanQuery.optional().describe('Import the good rows and list the bad ones instead of importing nothing'),
  format: z.enum(IMPORT_FORMATS).optional().describe('Overrides the format the Content-Type implies'),
  delimiter: z.string().optional().describe('CSV delimiter: "," ";" or "tab"; detected from the header line by default'),
  sheet: z.string().max(200).optional().describe("XLSX: the sheet to read, by name; the workbook's first sheet by default"),
  mapping: z.string().max(200).optional().describe("The name of a saved mapping (GET /api/import/mappings) of the file's headings"),
  columns: z.string().max(100_000).optional().describe('A mapping as JSON, `{"Heading": "field" | null}`; applied over the saved `mapping` when both are given'),
  lang: z.enum(['ru', 'en']).optional().describe("The language of the row errors' reasons (English without it)"),
});

/** The report with its row errors' reasons in the language asked. */
const reportIn = <R extends { errors: RowError[] }>(report: R, lang: 'ru' | 'en' | undefined): R => ({ ...report, errors: errorsIn(report.errors, lang) });

/** IMPORT_BAD_ROWS with its row errors' reasons in the language asked; other errors as they are. */
function errorIn(error: unknown, lang: 'ru' | 'en' | undefined): unknown {
  if (!lang || !isAppError(error) || error.code !== 'IMPORT_BAD_ROWS') return error;
  return new AppError('IMPORT_BAD_ROWS', { ...error.details, errors: errorsIn((error.details.errors ?? []) as RowError[], lang) });
}

const importJobSchema = z
  .object({
    id: z.string().describe('Poll GET /api/import/jobs/{id}'),
    type: z.literal(IMPORT_JOB),
    subject: z.string().describe('The entity imported'),
    status: z.enum(['running', 'succeeded', 'failed']),
    stage: z.enum(IMPORT_STAGES).describe('reading (the file: progress is the share of its bytes read), writing (checks, upsert, listeners)'),
    stages: z.array(z.enum(IMPORT_STAGES)),
    progress: z.number().min(0).max(1).describe('Share done: reading is 80 %, measured by the bytes read'),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    elapsedMs: z.number(),
    expectedMs: z.number().nullable(),
    result: z
      .lazy(() => reportSchema)
      .nullable()
      .describe('When succeeded: the report the synchronous import answers'),
    error: z
      .object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) })
      .nullable()
      .describe('When failed: the error (IMPORT_BAD_ROWS lists the rows)'),
  })
  .meta({ id: 'ImportJob' });

const importJobBody = (job: JobView): z.output<typeof importJobSchema> => ({ ...job, stages: [...job.stages] }) as z.output<typeof importJobSchema>;

/** The import options a request's query gives (the saved and the given mapping merged). */
async function optionsOf(db: Database, entity: string, contentType: string | undefined, query: z.infer<typeof importQuery>): Promise<Omit<ImportOptions, 'entity'>> {
  const encoding = acceptedBody(contentType);
  const format = query.format ?? formatFromMediaType(contentType);
  if (!format) throw new AppError('IMPORT_UNKNOWN_FORMAT', { source: `a body of type "${contentType}"` });
  const delimiter = query.delimiter === undefined ? undefined : parseDelimiter(query.delimiter);
  if (query.delimiter !== undefined && !delimiter) throw new AppError('IMPORT_BAD_DELIMITER', { delimiter: query.delimiter });
  let mapping: ColumnMapping = query.mapping === undefined ? {} : await mappingFor(db, query.mapping, entity);
  if (query.columns !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(query.columns);
    } catch {
      parsed = undefined;
    }
    const given = columnMappingSchema.safeParse(parsed);
    if (!given.success) throw new AppError('VALIDATION_FAILED', { summary: 'columns: not a JSON object of headings to columns (or null)' });
    mapping = { ...mapping, ...given.data };
  }
  return { format, encoding, delimiter, sheet: query.sheet, mapping, skipBad: query.skipBad ?? false };
}

const DESCRIPTION = `The request body is the file itself, streamed (no size limit, never held in memory whole):
CSV (\`text/csv\`: a header row, \`,\` \`;\` or tab detected from it, decimal \`.\` or \`,\`,
dates YYYY-MM-DD or DD.MM.YYYY), a JSON array of objects (\`application/json\`) or JSON Lines
(\`application/x-ndjson\`, \`application/jsonl\`), an Excel workbook
(\`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\`: the first sheet or \`sheet\`);
\`application/octet-stream\` with \`format\`.
Any other media type (\`text/plain\`, forms, multipart) or none is refused with 415.

Text is UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1251 (1C's usual export), detected when
the bytes are not UTF-8 or given as \`charset=windows-1251\`; the report says which was used.
Ids are at most 200 characters, other text at most 10,000; NUL characters are refused.

Columns are the entity's API field names (\`legalForm\`, \`partner\`), SQL column names (\`legal_form\`, \`partner_id\`),
Russian headings and the export headings of 1C, Bitrix24 and amoCRM (\`Наименование\`, \`Основной менеджер\`, \`Название компании\`);
other headings are mapped by \`mapping\` (a saved one) or \`columns\` (JSON), or refused with suggestions;
roles as \`customer|supplier\` or a JSON list; additional properties as \`properties.<name>\` columns or a \`properties\` object.
Rows are upserted by id; a column absent from the file keeps its stored values; of rows with the same id the last wins.
A file with any bad row imports nothing (422, every problem with its line, column, value and reason) unless \`skipBad=true\`.
Re-importing the same file changes nothing.`;

/** Refuses a body of a type a browser may send cross-site unasked, or in an unknown charset; returns the charset given. */
function acceptedBody(contentType: string | undefined): TextEncoding | undefined {
  const parsed = parseContentType(contentType);
  if (!parsed || !isImportMediaType(parsed.mediaType)) {
    throw new AppError('IMPORT_UNSUPPORTED_MEDIA_TYPE', {
      given: parsed ? `of type "${parsed.mediaType}"` : 'sent without a Content-Type',
      accepted: IMPORT_MEDIA_TYPES.join(', '),
    });
  }
  if (parsed.charset === undefined) return undefined;
  const encoding = parseEncoding(parsed.charset);
  if (!encoding) throw new AppError('IMPORT_UNSUPPORTED_MEDIA_TYPE', { given: `in charset "${parsed.charset}"`, accepted: TEXT_ENCODINGS.join(', ') });
  return encoding;
}

/** `POST /api/import/{entity}`: the raw file as the body, streamed into the importer. */
export const importRoutes: RouteModule = async (app, ctx) => {
  // Encapsulated: only these routes take the raw body stream; every other route keeps JSON parsing.
  await app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    scope.post(
      '/import/:entity',
      {
        // Recorded by its counts (the report without the bad rows' values), never the file.
        config: { access: 'analyst', audit: { entity: 'import', action: 'import.run', id: auditId.param('entity'), after: importCounts } },
        schema: {
          tags: ['import'],
          summary: 'Import a file of one entity (CSV, XLSX, JSON array or JSON Lines), upserting by id',
          description: DESCRIPTION,
          consumes: IMPORT_MEDIA_TYPES,
          params: z.object({ entity: z.string().describe(`One of ${IMPORT_ENTITY_NAMES.join(', ')}`) }),
          querystring: importQuery,
          // The body is a byte stream, not JSON: declared for the document, passed through unread.
          body: z.any().describe('The file: CSV text, a JSON array of objects, or JSON Lines'),
          response: { 200: reportSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema, 415: errorSchema, 422: errorSchema },
        },
      },
      async (request) => {
        const entity = resolveImportEntity(request.params.entity);
        const options = await optionsOf(ctx.db, entity.name, request.headers['content-type'], request.query);
        const body = request.body as Readable | undefined;
        if (!body || typeof body.pipe !== 'function') throw new AppError('IMPORT_EMPTY', { reason: 'no request body' });
        const length = Number(request.headers['content-length']);
        try {
          return reportIn(await ctx.services.importData(body, { ...options, entity: entity.name, totalBytes: Number.isFinite(length) ? length : undefined }), request.query.lang);
        } catch (error) {
          throw errorIn(error, request.query.lang);
        }
      },
    );

    scope.post(
      '/import/:entity/jobs',
      {
        config: { access: 'analyst', audit: { entity: 'import', action: 'import.start', id: auditId.param('entity'), after: 'response' } },
        schema: {
          tags: ['import'],
          summary: 'Import a file as a background job: answers 202 once the file is received, with a job to poll at GET /api/import/jobs/{id} (progress, then the report)',
          description: 'The same body and parameters as `POST /api/import/{entity}`; for a long import the import screen follows the progress.',
          consumes: IMPORT_MEDIA_TYPES,
          params: z.object({ entity: z.string().describe(`One of ${IMPORT_ENTITY_NAMES.join(', ')}`) }),
          querystring: importQuery,
          body: z.any().describe('The file'),
          response: { 202: importJobSchema, 400: errorSchema, 404: errorSchema, 415: errorSchema },
        },
      },
      async (request, reply) => {
        const entity = resolveImportEntity(request.params.entity);
        const options = await optionsOf(ctx.db, entity.name, request.headers['content-type'], request.query);
        const body = request.body as Readable | undefined;
        if (!body || typeof body.pipe !== 'function') throw new AppError('IMPORT_EMPTY', { reason: 'no request body' });
        // Received whole first: the answer comes when the upload is done, the import goes on after it.
        const dir = await mkdtemp(join(tmpdir(), 'segmenta-import-'));
        const cleanup = () => rm(dir, { recursive: true, force: true });
        const file = join(dir, 'body');
        try {
          await pipeline(body, createWriteStream(file));
        } catch (error) {
          await cleanup();
          throw new AppError('IMPORT_ABORTED', { reason: error instanceof Error ? error.message : String(error) });
        }
        const { size } = await stat(file);
        const job = startImportJob(ctx.jobs, ctx.services.importData, { entity: entity.name, file, size, options: { ...options, entity: entity.name }, language: request.query.lang, cleanup });
        return reply.status(202).send(importJobBody(job));
      },
    );

    scope.post(
      '/import/:entity/preview',
      {
        // Writes nothing: the import runs in a transaction that is rolled back.
        config: { access: 'analyst', audit: false },
        schema: {
          tags: ['import'],
          summary: 'Preview an import: what the file is, how its headings map, its first rows as parsed, its bad rows — nothing is written',
          description: `The same body and parameters as \`POST /api/import/{entity}\`. The whole file is read and checked as an import would
(references, duplicates) in a transaction that is rolled back; unknown headings are left out and reported with suggestions,
missing required columns are named. Fix the mapping (\`columns\`, or save one) and import.`,
          consumes: IMPORT_MEDIA_TYPES,
          params: z.object({ entity: z.string().describe(`One of ${IMPORT_ENTITY_NAMES.join(', ')}`) }),
          querystring: importQuery,
          body: z.any().describe('The file: CSV text, an XLSX workbook, a JSON array of objects, or JSON Lines'),
          response: { 200: previewSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema, 415: errorSchema },
        },
      },
      async (request) => {
        const entity = resolveImportEntity(request.params.entity);
        const options = await optionsOf(ctx.db, entity.name, request.headers['content-type'], request.query);
        const body = request.body as Readable | undefined;
        if (!body || typeof body.pipe !== 'function') throw new AppError('IMPORT_EMPTY', { reason: 'no request body' });
        const preview = await previewImport(ctx.db, body, { ...options, entity: entity.name });
        return { ...preview, report: reportIn(preview.report, request.query.lang) };
      },
    );
  });

  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/import/jobs/:id',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['import'],
        summary: 'An import job: stage, progress (the share of the file read), and when finished the report or the error',
        params: z.object({ id: z.string() }),
        response: { 200: importJobSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const job = ctx.jobs.get(request.params.id);
      if (job.type !== IMPORT_JOB) throw new AppError('JOB_NOT_FOUND', { id: request.params.id });
      return importJobBody(job);
    },
  );
  const mappingAudit = { entity: 'importMapping', id: auditId.param('name'), load: async (name: string) => getMapping(ctx.db, name) };
  api.get(
    '/import/mappings',
    {
      config: { access: 'analyst' },
      schema: {
        tags: ['import'],
        summary: 'Saved column mappings of imports',
        querystring: z.object({ entity: z.string().optional(), source: z.string().optional() }),
        response: { 200: z.array(mappingSchema), 404: errorSchema },
      },
    },
    async (request) => listMappings(ctx.db, request.query),
  );
  api.get(
    '/import/mappings/:name',
    { config: { access: 'analyst' }, schema: { tags: ['import'], summary: 'A saved column mapping', params: mappingName, response: { 200: mappingSchema, 404: errorSchema } } },
    async (request) => getMapping(ctx.db, request.params.name),
  );
  api.put(
    '/import/mappings/:name',
    {
      config: { access: 'analyst', audit: mappingAudit },
      schema: {
        tags: ['import'],
        summary: 'Save a column mapping under a name (replacing one of that name), to reuse with ?mapping=NAME or --mapping NAME',
        params: mappingName,
        body: mappingInputSchema,
        response: { 200: mappingSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => saveMapping(ctx.db, request.params.name, request.body, request.principal?.id ?? null),
  );
  api.delete(
    '/import/mappings/:name',
    {
      config: { access: 'analyst', audit: mappingAudit },
      schema: { tags: ['import'], summary: 'Delete a saved column mapping', params: mappingName, response: { 200: mappingSchema, 404: errorSchema } },
    },
    async (request) => deleteMapping(ctx.db, request.params.name),
  );
};
