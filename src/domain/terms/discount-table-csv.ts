import { parse } from 'csv-parse/sync';
import { AppError } from '../../errors/app-error.js';
import type { TableColumnInput } from './discount-table.schema.js';

/**
 * A cumulative discount table as a spreadsheet saves it (CSV, UTF-8, `,` `;` or tab):
 *
 * ```
 * Сегмент номенклатуры;После первой покупки;от 10000 за 24 мес.;от 20000 за 20 мес.;…
 * segment1;1;1,5;2;2,5;3
 * ```
 *
 * The first row heads the columns: "first purchase" / "после первой покупки" is one purchase
 * document at any time; otherwise the first number is the threshold and a number followed by
 * "мес"/"month"/"m", or written after "/" (`10000/24`), is the period in months (none: all
 * time). Each next row is a product segment (its id or exact name) and its percents (decimal
 * `.` or `,`, an optional `%`; empty: no discount in that cell).
 */

export interface CsvIssue {
  readonly line: number;
  readonly column: number;
  readonly value: string;
  readonly reason: string;
}

export interface ParsedTable {
  readonly columns: TableColumnInput[];
  readonly rows: { productSegment: string; percents: (number | null)[] }[];
}

const FIRST_PURCHASE = /перв|first/i;
const NUMBER = /\d+(?:[ \u00a0]\d{3})*(?:[.,]\d+)?/g;
const MONTHS_AFTER = /^\s*(мес|month|m\b|м\b)/i;

const toNumber = (text: string): number => Number(text.replace(/[ \u00a0]/g, '').replace(',', '.'));

/** A column heading → threshold and months; null when it has no threshold. */
export function parseColumnHeading(heading: string): TableColumnInput | null {
  const label = heading.trim();
  if (FIRST_PURCHASE.test(label)) return { label, measure: 'sales.documents', months: null, threshold: 1 };
  let threshold: number | undefined;
  let months: number | null = null;
  for (const match of label.matchAll(NUMBER)) {
    const value = toNumber(match[0]);
    const after = label.slice(match.index + match[0].length);
    const before = label.slice(0, match.index).trimEnd();
    if (MONTHS_AFTER.test(after) || (threshold !== undefined && before.endsWith('/'))) months = value;
    else if (threshold === undefined) threshold = value;
  }
  if (threshold === undefined) return null;
  return { label, months, threshold };
}

const detectDelimiter = (headerLine: string): string => (headerLine.includes(';') ? ';' : headerLine.includes('\t') ? '\t' : ',');

export const DELIMITER_NAMES: Readonly<Record<string, string>> = { ',': ',', ';': ';', tab: '\t', '\t': '\t' };

export function parseDiscountTableCsv(text: string, delimiter?: string): ParsedTable {
  const body = text.replace(/^\uFEFF/, '');
  const headerLine = body.split(/\r?\n/, 1)[0] ?? '';
  const sep = delimiter ? DELIMITER_NAMES[delimiter] : detectDelimiter(headerLine);
  if (!sep) throw new AppError('DISCOUNT_TABLE_INVALID', { summary: `the delimiter "${delimiter}" is not supported: use ",", ";" or tab`, issues: [] });
  let records: string[][];
  try {
    records = parse(body, { delimiter: sep, relax_column_count: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new AppError('DISCOUNT_TABLE_INVALID', { summary: `the file cannot be read as CSV: ${error instanceof Error ? error.message : String(error)}`, issues: [] });
  }
  const issues: CsvIssue[] = [];
  const [header, ...data] = records;
  if (!header || header.length < 2) throw new AppError('DISCOUNT_TABLE_INVALID', { summary: 'the header row needs a first cell and at least one column', issues: [] });
  if (data.length === 0) throw new AppError('DISCOUNT_TABLE_INVALID', { summary: 'the table has no rows of product segments', issues: [] });
  const columns: TableColumnInput[] = [];
  header.slice(1).forEach((heading, i) => {
    const column = parseColumnHeading(heading);
    if (column) columns.push(column);
    else issues.push({ line: 1, column: i + 2, value: heading, reason: 'no threshold in the heading (e.g. "от 10000 за 24 мес.", "10000/24", "first purchase")' });
  });
  const rows = data.map((record, r) => {
    const line = r + 2;
    const productSegment = (record[0] ?? '').trim();
    if (!productSegment) issues.push({ line, column: 1, value: '', reason: 'no product segment' });
    if (record.length - 1 > header.length - 1) issues.push({ line, column: header.length + 1, value: record[header.length] ?? '', reason: 'more cells than columns' });
    const percents = header.slice(1).map((_, c) => {
      const raw = (record[c + 1] ?? '').trim();
      if (raw === '') return null;
      const value = Number(raw.replace('%', '').trim().replace(',', '.'));
      if (!Number.isFinite(value) || value > 100 || value < -1000) {
        issues.push({ line, column: c + 2, value: raw, reason: 'not a percent from -1000 to 100' });
        return null;
      }
      return value;
    });
    return { productSegment, percents };
  });
  if (issues.length) {
    const summary = issues.map((i) => `line ${i.line}, column ${i.column} ("${i.value}"): ${i.reason}`).join('; ');
    throw new AppError('DISCOUNT_TABLE_INVALID', { summary, issues });
  }
  return { columns, rows };
}
