import { extname } from 'node:path';

/** The file formats import reads (SPEC §1). */
export const IMPORT_FORMATS = ['csv', 'json', 'jsonl'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const isImportFormat = (value: string): value is ImportFormat => (IMPORT_FORMATS as readonly string[]).includes(value);

const BY_EXTENSION: Readonly<Record<string, ImportFormat>> = {
  '.csv': 'csv',
  '.txt': 'csv',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** The format a file name implies (`sales.csv` → csv), or undefined. */
export function formatFromFileName(path: string): ImportFormat | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}

const BY_MEDIA_TYPE: Readonly<Record<string, ImportFormat>> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/plain': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
  'application/ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
};

/** Media types an import request body may have. */
export const IMPORT_MEDIA_TYPES = Object.keys(BY_MEDIA_TYPE);

/** The format a Content-Type header implies (`text/csv; charset=utf-8` → csv), or undefined. */
export function formatFromMediaType(contentType: string | undefined): ImportFormat | undefined {
  if (!contentType) return undefined;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return BY_MEDIA_TYPE[mediaType];
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
