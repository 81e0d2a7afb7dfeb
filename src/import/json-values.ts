import { AppError } from '../errors/app-error.js';

/** One row of a JSON file: its parsed value (or why it could not be parsed) and where it starts. */
export interface JsonRow {
  readonly value: unknown;
  /** Set when the row is not valid JSON (JSON Lines only; in an array that fails the file). */
  readonly invalid?: string;
  readonly line: number;
  /** Index in the array, 0-based; undefined for JSON Lines. */
  readonly element: number | undefined;
}

const BATCH = 2_000;

const badJson = (reason: string) => new AppError('IMPORT_BAD_FORMAT', { format: 'JSON', reason });

/**
 * Reads a JSON array of objects, streaming: it cuts the text into the array's elements and
 * hands each to JSON.parse, so no more than one element is ever held as text and every element
 * knows the line it starts on. (A token-level streaming parser such as stream-json reads
 * ~10× slower and cannot tell lines.)
 */
export async function* readJsonArray(input: AsyncIterable<string>): AsyncGenerator<JsonRow[]> {
  let line = 1;
  let depth = 0; // 0 before the array, 1 inside it, more inside an element
  let inString = false;
  let escaped = false;
  let finished = false;
  let element = 0;
  let pieces: string[] = []; // the current element's text from earlier chunks
  let elementLine = 0;
  let inElement = false;
  let batch: JsonRow[] = [];

  const emit = (text: string) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw badJson(`element ${element} (line ${elementLine}) is not valid JSON: ${(error as Error).message}`);
    }
    batch.push({ value, line: elementLine, element });
    element++;
    inElement = false;
  };

  for await (const chunk of input) {
    const text = chunk;
    let start = inElement ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
        else if (c === 0x0a) line++;
        continue;
      }
      if (c === 0x0a) {
        line++;
        continue;
      }
      if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
      if (finished) throw badJson(`unexpected text after the closing ] at line ${line}`);
      if (depth === 0) {
        if (c !== 0x5b) throw badJson(`a JSON import is an array of objects [{…}, {…}], but line ${line} starts with something else; for one object per line use JSON Lines (.jsonl)`);
        depth = 1;
        continue;
      }
      if (depth === 1) {
        if (c === 0x2c || c === 0x5d) {
          // , or ] ends a scalar element (a number, true, …), which the row builder refuses
          if (inElement) {
            emit(pieces.join('') + text.slice(start, i));
            pieces = [];
          }
          if (c === 0x5d) {
            depth = 0;
            finished = true;
          }
          continue;
        }
        if (!inElement) {
          inElement = true;
          elementLine = line;
          start = i;
        }
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 1) {
          emit(pieces.join('') + text.slice(start, i + 1));
          pieces = [];
        }
      }
    }
    if (inElement) pieces.push(text.slice(Math.max(start, 0)));
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (!finished) {
    if (depth === 0 && element === 0 && !inElement) throw new AppError('IMPORT_EMPTY', { reason: 'no JSON array' });
    throw badJson(`the file ends before the array is closed (line ${line}); is it cut short?`);
  }
  if (batch.length) yield batch;
}

/**
 * Reads JSON Lines, streaming: one JSON object per line, blank lines skipped. A line that is
 * not valid JSON is a bad row, not a bad file; a file of blank lines is IMPORT_EMPTY, as an
 * empty CSV or JSON file is (a header row alone or `[]` imports nothing, successfully).
 */
export async function* readJsonLines(input: AsyncIterable<string>): AsyncGenerator<JsonRow[]> {
  let line = 0;
  let rest = '';
  let batch: JsonRow[] = [];
  let rows = 0;
  const take = (text: string) => {
    line++;
    const trimmed = text.trim();
    if (trimmed === '') return;
    rows++;
    try {
      batch.push({ value: JSON.parse(trimmed), line, element: undefined });
    } catch (error) {
      batch.push({ value: trimmed, invalid: `is not valid JSON: ${(error as Error).message}`, line, element: undefined });
    }
  };
  for await (const chunk of input) {
    const text = rest + chunk;
    let from = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      take(text.slice(from, newline));
      from = newline + 1;
      newline = text.indexOf('\n', from);
    }
    rest = text.slice(from);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (rest !== '') take(rest);
  if (rows === 0) throw new AppError('IMPORT_EMPTY', { reason: 'no lines' });
  if (batch.length) yield batch;
}
