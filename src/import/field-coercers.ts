import type { FieldType, FlagsField, ScalarField } from '../model/entities.js';
import { said, type RowErrorSaid } from './row-error-codes.js';
import { decimalFromNumber, EMPTY_DATE, MAX_INTEGER_DIGITS, parseBooleanText, parseDateText, parseDecimalText, parseIntegerText, parseTimestampText } from './value-parsers.js';

/**
 * Thrown by a coercer for a value that does not fit its field. Not an Error: no stack trace is
 * captured, so a file with many bad values stays fast.
 */
export class BadValue {
  constructor(
    readonly reason: string,
    /** Where inside the value, when narrower than the column: `properties.vip` and its value. */
    readonly inner?: { readonly column: string; readonly value: unknown },
    /** The reason as a code and values (said in the reader's language). */
    readonly said?: RowErrorSaid,
  ) {}
}

/** Raw value (CSV text, or any JSON value) → SQL literal text for the column, or null. Throws BadValue. */
export type Coerce = (raw: unknown) => string | null;

/** A value quoted for a message: strings in double quotes, anything else as JSON. */
export function quote(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return Array.isArray(value) ? '[…]' : '{…}'; // nested too deep to print
  }
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function describeKind(raw: unknown): string {
  if (Array.isArray(raw)) return 'a list';
  if (raw === null) return 'null';
  return typeof raw === 'object' ? 'an object' : quote(raw);
}

/** Longest id (and reference to an id) an import takes, in characters. */
export const MAX_ID_LENGTH = 200;
/** Longest other text an import takes, in characters: names, documents, e-mails, comments. */
export const MAX_TEXT_LENGTH = 10_000;

const count = (n: number): string => n.toLocaleString('en-US');

/** Refuses text too long for its field or holding a NUL character (which PostgreSQL cannot store). */
export function checkText(text: string, maxLength: number, what = 'text', subject = 'the value'): string {
  if (text.length > maxLength)
    throw new BadValue(`${subject} is ${count(text.length)} characters long; ${what} may have at most ${count(maxLength)}`, undefined, said('tooLong', { length: text.length, max: maxLength }));
  if (text.includes('\u0000')) throw new BadValue(`${subject} contains a NUL character (\\u0000 at position ${text.indexOf('\u0000') + 1}), which ${what} may not hold`);
  return text;
}

/**
 * Text from a JSON value: a string, or a whole number (1C exports numeric codes: {"id": 123} is
 * "123"). A boolean, a fraction or a number past 2^53 (whose digits JSON has already lost) is
 * refused: quoting it says what is meant.
 */
function plainText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return String(raw);
  if (typeof raw === 'number') throw new BadValue(`${quote(raw)} is not text; write it in quotes ("${raw}") if it is meant as text`, undefined, said('notText', { value: quote(raw) }));
  throw new BadValue(`${describeKind(raw)} is not text${typeof raw === 'boolean' ? '; write it in quotes if it is meant as text' : ''}`, undefined, said('notText', { value: describeKind(raw) }));
}

function textOf(raw: unknown, what: string): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new BadValue(`${describeKind(raw)} is not ${what}`);
}

function decimal(raw: unknown): string | null {
  const result = typeof raw === 'number' ? decimalFromNumber(raw) : parseDecimalText(textOf(raw, 'a number'));
  if (result === undefined) throw new BadValue(`${quote(raw)} is not a number`, undefined, said('notNumber', { value: quote(raw) }));
  if (result === 'range')
    throw new BadValue(
      `${quote(raw)} is too large (at most ${MAX_INTEGER_DIGITS} digits before the decimal point)`,
      undefined,
      said('numberTooLarge', { value: quote(raw), digits: MAX_INTEGER_DIGITS }),
    );
  return result;
}

function integer(raw: unknown): number {
  const n = typeof raw === 'number' ? raw : parseIntegerText(textOf(raw, 'a whole number'));
  if (n === undefined || !Number.isInteger(n)) throw new BadValue(`${quote(raw)} is not a whole number`, undefined, said('notWholeNumber', { value: quote(raw) }));
  if (n < INT32_MIN || n > INT32_MAX) throw new BadValue(`${quote(raw)} is too large for a whole-number field`, undefined, said('wholeNumberTooLarge', { value: quote(raw) }));
  return n;
}

function date(raw: unknown): string | null {
  const result = parseDateText(textOf(raw, 'a date'));
  if (result === undefined) throw new BadValue(`${quote(raw)} is not a date (write YYYY-MM-DD or DD.MM.YYYY)`, undefined, said('notDate', { value: quote(raw) }));
  return result === EMPTY_DATE ? null : result;
}

function timestamp(raw: unknown): string | null {
  const result = parseTimestampText(textOf(raw, 'a date and time'));
  if (result === undefined) throw new BadValue(`${quote(raw)} is not a date and time (write ISO 8601, e.g. 2024-03-01T10:30:00Z)`, undefined, said('notDateTime', { value: quote(raw) }));
  return result === EMPTY_DATE ? null : result;
}

/** true/false from a boolean, 1/0 or a word (true, yes, да, …). */
export function toBoolean(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (raw === 1 || raw === 0) return raw === 1;
  const result = typeof raw === 'string' ? parseBooleanText(raw) : undefined;
  if (result === undefined) throw new BadValue(`${describeKind(raw)} is not true or false (write true/false, yes/no, да/нет or 1/0)`, undefined, said('notBoolean', { value: describeKind(raw) }));
  return result;
}

const BY_TYPE: Record<FieldType, Coerce> = {
  text: plainText,
  decimal,
  integer: (raw) => String(integer(raw)),
  date,
  timestamp,
  boolean: (raw) => String(toBoolean(raw)),
};

/** Empty: missing, null, or an empty or blank string (CSV writes nothing for null). */
export const isEmpty = (raw: unknown): boolean =>
  raw === undefined || raw === null || raw === '' || (typeof raw === 'string' && (raw.charCodeAt(0) <= 32 || raw.charCodeAt(0) === 160) && raw.trim() === '');

/** Longest text a text field takes: an id or a reference to one, or other text. */
export function textLimit(field: ScalarField): number {
  const isId = field.column === 'id' || field.references !== undefined || field.referencesTable !== undefined || field.column.endsWith('_id');
  return isId ? MAX_ID_LENGTH : MAX_TEXT_LENGTH;
}

/**
 * The coercer of a scalar field, compiled once per import: type, allowed values, bounds.
 * An empty value is null; whether null is allowed is the caller's check (required fields).
 */
export function scalarCoercer(field: ScalarField): Coerce {
  let base = BY_TYPE[field.type];
  if (field.type === 'text') {
    const maxLength = textLimit(field);
    const what = maxLength === MAX_ID_LENGTH ? 'an id' : 'text';
    base = (raw) => checkText(plainText(raw), maxLength, what);
  }
  let coerce: Coerce = base;
  if (field.values) {
    const canonical = new Map(field.values.map((v) => [v.toLowerCase(), v]));
    const allowed = field.values.join(', ');
    coerce = (raw) => {
      const text = base(raw);
      if (text === null) return null;
      const value = canonical.get(text.trim().toLowerCase());
      if (value === undefined) throw new BadValue(`${quote(raw)} is not one of: ${allowed}`, undefined, said('notOneOf', { value: quote(raw), allowed }));
      return value;
    };
  }
  const { min, max } = field;
  if (min !== undefined || max !== undefined) {
    const inner = coerce;
    coerce = (raw) => {
      const text = inner(raw);
      if (text === null) return null;
      const n = Number(text);
      if (min !== undefined && n < min) throw new BadValue(`${quote(raw)} is below the minimum ${min}`, undefined, said('belowMin', { value: quote(raw), min }));
      if (max !== undefined && n > max) throw new BadValue(`${quote(raw)} is above the maximum ${max}`, undefined, said('aboveMax', { value: quote(raw), max }));
      return text;
    };
  }
  return (raw) => (isEmpty(raw) ? null : coerce(raw));
}

const FLAG_SEPARATORS = /[|,;]/;

/**
 * The coercer of a set of flags (partner roles): a JSON list, or text "customer|supplier" or
 * "customer,supplier". Returns one boolean per allowed value, in the field's order.
 */
export function flagsCoercer(field: FlagsField): (raw: unknown) => boolean[] {
  const index = new Map(field.values.map((v, i) => [v.toLowerCase(), i]));
  const allowed = field.values.join(', ');
  return (raw) => {
    const flags = field.values.map(() => false);
    if (isEmpty(raw)) return flags;
    let items: unknown[];
    if (Array.isArray(raw)) items = raw;
    else if (typeof raw === 'string') items = raw.split(FLAG_SEPARATORS);
    else throw new BadValue(`${describeKind(raw)} is not a list of ${field.name} (write e.g. "${field.values.slice(0, 2).join('|')}")`);
    for (const item of items) {
      if (typeof item !== 'string') throw new BadValue(`${describeKind(item)} is not one of the ${field.name}: ${allowed}`);
      const word = item.trim().toLowerCase();
      if (word === '') continue;
      const i = index.get(word);
      if (i === undefined) throw new BadValue(`${quote(item.trim())} is not one of the ${field.name}: ${allowed}`, undefined, said('notOneOf', { value: quote(item.trim()), allowed }));
      flags[i] = true;
    }
    return flags;
  };
}
