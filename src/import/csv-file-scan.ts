import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { wholeCharactersLength } from './text-input.js';

/** Where records start: from data record `record` (0-based) on, records start `extra` lines further down. */
export interface LineShift {
  readonly record: number;
  readonly extra: number;
}

/** What a scan found: a file a plain CSV reader reads as readCsv does, or why not. */
export type CsvFileScan =
  | {
      readonly plain: true;
      /** Data records (below the header), blank ones of only delimiters included. */
      readonly records: number;
      /** Quoted line breaks push later records down; empty when there are none. */
      readonly shifts: readonly LineShift[];
    }
  | { readonly plain: false; readonly why: string };

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * Reads a CSV file's bytes once, fast, and tells whether a standard CSV reader (DuckDB's,
 * RFC 4180 quoting) reads it exactly as readCsv (csv-records.ts) does, and on which line each
 * record starts. It is "plain" when it is UTF-8 (a UTF-8 byte order mark allowed), has one
 * line break style (LF, or CRLF throughout), no blank line, no NUL, quotes only around whole
 * fields (a quote inside a field, which readCsv takes literally, is not plain), every record
 * as wide as the header (`width` fields), and a header on one line. Anything else is left to
 * readCsv, which words each problem.
 *
 * A record's line is 2 + its index + the line breaks inside quoted fields of the records
 * before it (readCsv counts a quoted field's LF as a line, as an editor does).
 */
export async function scanCsvFile(path: string, delimiter: string, width: number, onBytes: (bytes: number, records: number) => void = () => undefined): Promise<CsvFileScan> {
  const delim = delimiter.charCodeAt(0);
  const no = (why: string): CsvFileScan => ({ plain: false, why });
  let first = true;
  let carry: Buffer | undefined;
  let bytes = 0;
  // Record state.
  let record = -1; // -1: the header
  let fields = 1;
  let recordEmpty = true;
  let quoted = false;
  let quoteInQuoted = false; // a quote seen inside a quoted field: closing, or the first of ""
  let fieldStart = true;
  let afterClose = false; // just past a closing quote: only a delimiter or line break may follow
  let crlf: boolean | undefined;
  let pendingCr = false;
  let crBefore = false; // the byte before this line feed was a carriage return (maybe in the chunk before)
  let linesInRecord = 0;
  let extra = 0;
  const shifts: LineShift[] = [];

  const endRecord = (): string | undefined => {
    if (recordEmpty) return 'a blank line';
    if (fields !== width) return `a record of ${fields} fields where the header has ${width}`;
    if (linesInRecord > 0) {
      if (record === -1) return 'a line break inside a heading';
      extra += linesInRecord;
      shifts.push({ record: record + 1, extra });
    }
    record++;
    fields = 1;
    recordEmpty = true;
    fieldStart = true;
    afterClose = false;
    linesInRecord = 0;
    return undefined;
  };

  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      onBytes(bytes, Math.max(record, 0));
      let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = undefined;
      if (first) {
        if (buf.length < 3) {
          carry = buf;
          continue;
        }
        first = false;
        if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) return no('UTF-16');
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      }
      const whole = wholeCharactersLength(buf);
      if (whole < buf.length) {
        carry = Buffer.from(buf.subarray(whole));
        buf = buf.subarray(0, whole);
      }
      if (!isUtf8(buf)) return no('not UTF-8');
      const n = buf.length;
      for (let i = 0; i < n; i++) {
        const b = buf[i]!;
        if (quoted) {
          if (quoteInQuoted) {
            quoteInQuoted = false;
            if (b === QUOTE) continue; // "" inside quotes: one quote
            quoted = false;
            afterClose = true; // and b is read below, outside quotes
          } else {
            if (b === QUOTE) quoteInQuoted = true;
            else if (b === LF) linesInRecord++;
            else if (b === CR && record === -1) return no('a line break inside a heading');
            else if (b === 0) return no('a NUL character');
            continue;
          }
        }
        if (pendingCr) {
          if (b !== LF) return no('a carriage return without a line feed');
          pendingCr = false;
          crBefore = true;
        }
        if (b > QUOTE && b !== delim) {
          if (afterClose) return no('text after a closing quote');
          fieldStart = false;
          recordEmpty = false;
          continue;
        }
        if (b === delim) {
          fields++;
          recordEmpty = false;
          fieldStart = true;
          afterClose = false;
        } else if (b === QUOTE) {
          if (!fieldStart || afterClose) return no('a quote inside a field');
          quoted = true;
          fieldStart = false;
          recordEmpty = false;
        } else if (b === CR) {
          if (crlf === false) return no('mixed line breaks');
          crlf = true;
          pendingCr = true;
        } else if (b === LF) {
          const afterCr = crBefore;
          crBefore = false;
          if (crlf === undefined) crlf = afterCr;
          else if (crlf !== afterCr) return no('mixed line breaks');
          const why = endRecord();
          if (why) return no(why);
        } else if (b === 0) {
          return no('a NUL character');
        } else {
          if (afterClose) return no('text after a closing quote');
          fieldStart = false;
          recordEmpty = false;
        }
      }
      if (record === -1 && bytes > 1 << 24) return no('a header past 16 MB');
    }
  } finally {
    stream.destroy();
  }
  if (carry?.length) return no(first ? 'a file of under 3 bytes' : 'a character cut short at the end');
  if (quoteInQuoted) quoted = false; // the file ends on a closing quote
  if (quoted) return no('an unclosed quote');
  if (pendingCr) return no('a carriage return at the end');
  if (!recordEmpty || fields > 1) {
    const why = endRecord();
    if (why) return no(why);
  }
  if (record < 0) return no('no header');
  return { plain: true, records: record, shifts };
}

/** The line a data record starts on (the header is line 1). */
export function lineOfRecord(record: number, shifts: readonly LineShift[]): number {
  let lo = 0;
  let hi = shifts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (shifts[mid]!.record <= record) lo = mid + 1;
    else hi = mid;
  }
  return 2 + record + (lo > 0 ? shifts[lo - 1]!.extra : 0);
}
