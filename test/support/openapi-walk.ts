/**
 * Walks of the API read from its OpenAPI document (as test/access-scope.test.ts does): every GET
 * with its parameters filled in, and the partner ids each answer mentions, in JSON, CSV or XLSX.
 */
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';

export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required?: boolean;
  readonly schema?: { readonly enum?: readonly string[] };
}
export interface OpenApiOperation {
  readonly parameters?: readonly OpenApiParameter[];
}
export type OpenApi = { readonly paths: Record<string, Record<string, OpenApiOperation>> };

/** The ids of `known` that a response mentions anywhere: JSON values, CSV cells, XLSX cells. */
export async function mentionedIds(response: LightMyRequestResponse, known: ReadonlySet<string>): Promise<Set<string>> {
  const found = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string' && known.has(value)) found.add(value);
  };
  const type = String(response.headers['content-type'] ?? '');
  if (type.includes('spreadsheetml')) {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    book.eachSheet((sheet) => sheet.eachRow((row) => (row.values as unknown[]).forEach(add)));
  } else if (type.includes('json')) {
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
      else add(value);
    };
    walk(response.json());
  } else {
    for (const cell of response.body.split(/[,;\t\r\n"]+/)) add(cell);
  }
  return found;
}

/**
 * Every GET of the document with its path parameters filled in by `pathValues` (an enum's values
 * come from the document), twice where it takes query parameters `query` knows: with all of them,
 * and with only the required ones and the date. `skipQuery` leaves a parameter out for a path.
 */
export function getUrls(
  openapi: OpenApi,
  pathValues: (path: string, parameter: OpenApiParameter) => readonly string[],
  query: Readonly<Record<string, string>>,
  skipQuery: (path: string, parameter: OpenApiParameter) => boolean = () => false,
): string[] {
  const urls = new Set<string>();
  for (const [path, operations] of Object.entries(openapi.paths)) {
    const get = operations.get;
    if (!get) continue;
    let paths = [path];
    for (const parameter of (get.parameters ?? []).filter((p) => p.in === 'path')) {
      const values = parameter.schema?.enum ?? pathValues(path, parameter);
      paths = paths.flatMap((p) => values.map((value) => p.replace(`{${parameter.name}}`, encodeURIComponent(value))));
    }
    const known = (get.parameters ?? []).filter((p) => p.in === 'query' && query[p.name] !== undefined && !skipQuery(path, p));
    for (const chosen of [known, known.filter((p) => p.required === true || p.name === 'asOf')]) {
      const pairs = chosen.map((p) => `${p.name}=${encodeURIComponent(query[p.name]!)}`);
      for (const p of paths) urls.add(pairs.length ? `${p}?${pairs.join('&')}` : p);
    }
  }
  return [...urls];
}
