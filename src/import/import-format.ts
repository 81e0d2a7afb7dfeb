import { extname } from 'node:path';

/** The file formats import reads (SPEC §1). */
export const IMPORT_FORMATS = ['csv', 'json', 'jsonl', 'xlsx'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const isImportFormat = (value: string): value is ImportFormat => (IMPORT_FORMATS as readonly string[]).includes(value);

const BY_EXTENSION: Readonly<Record<string, ImportFormat>> = {
  '.csv': 'csv',
  '.txt': 'csv',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.xlsx': 'xlsx',
};

/** The format a file name implies (`sales.csv` → csv), or undefined. */
export function formatFromFileName(path: string): ImportFormat | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}

// No text/plain, form or multipart types: a browser sends those cross-site without asking
// (no CORS preflight), so accepting them would let any web page import into Segmenta.
const BY_MEDIA_TYPE: Readonly<Record<string, ImportFormat | undefined>> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  // Any format, given by the `format` parameter.
  'application/octet-stream': undefined,
};

/** Media types an import request body may have (any other is refused). */
export const IMPORT_MEDIA_TYPES = Object.keys(BY_MEDIA_TYPE);

/** A Content-Type header's media type and charset, lower-cased (`text/csv; charset=UTF-8` → text/csv, utf-8). */
export function parseContentType(contentType: string | undefined): { mediaType: string; charset: string | undefined } | undefined {
  if (!contentType) return undefined;
  const [type, ...parameters] = contentType.split(';');
  const charset = parameters
    .map((p) => p.trim().split('='))
    .find(([name]) => name?.trim().toLowerCase() === 'charset')?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
  return { mediaType: type!.trim().toLowerCase(), charset };
}

/** Whether import takes a body of this media type. */
export const isImportMediaType = (mediaType: string): boolean => Object.hasOwn(BY_MEDIA_TYPE, mediaType);

/** The format a Content-Type header implies (`text/csv; charset=utf-8` → csv), or undefined. */
export function formatFromMediaType(contentType: string | undefined): ImportFormat | undefined {
  const parsed = parseContentType(contentType);
  return parsed && isImportMediaType(parsed.mediaType) ? BY_MEDIA_TYPE[parsed.mediaType] : undefined;
}

/** Field delimiters a CSV file may use; detected from the header line unless given. */
export const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** Reads a delimiter option: the character itself, or a name for the ones awkward to type. */
export function parseDelimiter(value: string): CsvDelimiter | undefined {
  const named: Record<string, CsvDelimiter> = { comma: ',', semicolon: ';', tab: '\t', '\\t': '\t' };
  const delimiter = named[value.toLowerCase()] ?? value;
  return (CSV_DELIMITERS as readonly string[]).includes(delimiter) ? (delimiter as CsvDelimiter) : undefined;
}
