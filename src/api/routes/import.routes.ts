import type { Readable } from 'node:stream';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { resolveImportEntity } from '../../import/entity-names.js';
import { formatFromMediaType, IMPORT_FORMATS, IMPORT_MEDIA_TYPES, isImportMediaType, parseContentType, parseDelimiter } from '../../import/import-format.js';
import { parseEncoding, TEXT_ENCODINGS, type TextEncoding } from '../../import/text-input.js';
import { MAX_LISTED_ERRORS } from '../../import/import-report.js';
import { ENTITY_NAMES } from '../../model/entities.js';
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
    reason: z.string(),
  })
  .meta({ id: 'ImportRowError' });

const reportSchema = z
  .object({
    entity: z.enum(ENTITY_NAMES),
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

const DESCRIPTION = `The request body is the file itself, streamed (no size limit, never held in memory whole):
CSV (\`text/csv\`: a header row, \`,\` \`;\` or tab detected from it, decimal \`.\` or \`,\`,
dates YYYY-MM-DD or DD.MM.YYYY), a JSON array of objects (\`application/json\`) or JSON Lines
(\`application/x-ndjson\`, \`application/jsonl\`); \`application/octet-stream\` with \`format\`.
Any other media type (\`text/plain\`, forms, multipart) or none is refused with 415.

Text is UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1251 (1C's usual export), detected when
the bytes are not UTF-8 or given as \`charset=windows-1251\`; the report says which was used.
Ids are at most 200 characters, other text at most 10,000; NUL characters are refused.

Columns are the entity's API field names (\`legalForm\`, \`partner\`) or SQL column names (\`legal_form\`, \`partner_id\`);
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
          summary: 'Import a file of one entity (CSV, JSON array or JSON Lines), upserting by id',
          description: DESCRIPTION,
          consumes: IMPORT_MEDIA_TYPES,
          params: z.object({ entity: z.string().describe(`One of ${ENTITY_NAMES.join(', ')}`) }),
          querystring: z.object({
            skipBad: booleanQuery.optional().describe('Import the good rows and list the bad ones instead of importing nothing'),
            format: z.enum(IMPORT_FORMATS).optional().describe('Overrides the format the Content-Type implies'),
            delimiter: z.string().optional().describe('CSV delimiter: "," ";" or "tab"; detected from the header line by default'),
          }),
          // The body is a byte stream, not JSON: declared for the document, passed through unread.
          body: z.any().describe('The file: CSV text, a JSON array of objects, or JSON Lines'),
          response: { 200: reportSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema, 415: errorSchema, 422: errorSchema },
        },
      },
      async (request) => {
        const contentType = request.headers['content-type'];
        const encoding = acceptedBody(contentType);
        const entity = resolveImportEntity(request.params.entity);
        const { skipBad, delimiter: delimiterText } = request.query;
        const format = request.query.format ?? formatFromMediaType(contentType);
        if (!format) throw new AppError('IMPORT_UNKNOWN_FORMAT', { source: `a body of type "${contentType}"` });
        const delimiter = delimiterText === undefined ? undefined : parseDelimiter(delimiterText);
        if (delimiterText !== undefined && !delimiter) throw new AppError('IMPORT_BAD_DELIMITER', { delimiter: delimiterText });
        const body = request.body as Readable | undefined;
        if (!body || typeof body.pipe !== 'function') throw new AppError('IMPORT_EMPTY', { reason: 'no request body' });
        const length = Number(request.headers['content-length']);
        return ctx.services.importData(body, {
          entity: entity.name,
          format,
          encoding,
          delimiter,
          skipBad: skipBad ?? false,
          totalBytes: Number.isFinite(length) ? length : undefined,
        });
      },
    );
  });
};
