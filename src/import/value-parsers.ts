/**
 * Text → canonical SQL literal text for each field type, accepting what spreadsheets and 1C
 * exports write. Each parser returns the canonical text, or undefined when the text is not
 * of the type (the caller words the error). No regular expression is built per call.
 */

/** DECIMAL(18,4) holds at most 14 digits before the point. */
export const MAX_INTEGER_DIGITS = 14;

const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
const PLAIN_COMMA_DECIMAL = /^-?\d+,\d+$/;
// "1 234,50", "1 234.50" (space, no-break or narrow no-break space between groups), "1234,5",
// "1,234.50", "1.234,50": a group separator needs a decimal separator of the other kind, or none.
const SPACED_DECIMAL = /^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?$/;
const COMMA_DECIMAL = /^[+-]?\d*,\d+$|^[+-]?\d+,?$/;
const COMMA_GROUPS = /^[+-]?\d{1,3}(?:,\d{3})+\.\d+$/;
const DOT_GROUPS = /^[+-]?\d{1,3}(?:\.\d{3})+,\d+$/;
const LEADING_PLUS_OR_DOT = /^[+-]?\.\d+$|^\+\d+(?:\.\d+)?$/;

function withinRange(canonical: string): boolean {
  if (canonical.length <= MAX_INTEGER_DIGITS) return true;
  const digits = canonical.replace(/^-/, '').split('.')[0]!.replace(/^0+/, '');
  return digits.length <= MAX_INTEGER_DIGITS;
}

function normaliseSign(text: string): string {
  const negative = text.startsWith('-');
  let body = text.replace(/^[+-]/, '');
  if (body.startsWith('.')) body = `0${body}`;
  if (body.endsWith('.')) body = body.slice(0, -1);
  return negative ? `-${body}` : body;
}

/**
 * A decimal number as text: '.' or ',' as the decimal separator, optional space groups.
 * Returns the canonical form "-1234.5", 'range' when it has more than 14 digits before the
 * point, or undefined.
 */
export function parseDecimalText(text: string): string | 'range' | undefined {
  let canonical: string | undefined;
  if (PLAIN_DECIMAL.test(text)) canonical = text;
  else if (PLAIN_COMMA_DECIMAL.test(text)) canonical = text.replace(',', '.');
  else {
    const t = text.trim();
    if (PLAIN_DECIMAL.test(t)) canonical = t;
    else if (LEADING_PLUS_OR_DOT.test(t)) canonical = normaliseSign(t);
    else if (COMMA_DECIMAL.test(t)) canonical = normaliseSign(t.replace(',', '.'));
    else if (SPACED_DECIMAL.test(t)) canonical = normaliseSign(t.replace(/[ \u00a0\u202f]/g, '').replace(',', '.'));
    else if (COMMA_GROUPS.test(t)) canonical = normaliseSign(t.replaceAll(',', ''));
    else if (DOT_GROUPS.test(t)) canonical = normaliseSign(t.replaceAll('.', '').replace(',', '.'));
  }
  if (canonical === undefined) return undefined;
  return withinRange(canonical) ? canonical : 'range';
}

/** A JSON number as canonical decimal text (never exponent notation), 'range' or undefined. */
export function decimalFromNumber(value: number): string | 'range' | undefined {
  if (!Number.isFinite(value)) return undefined;
  if (Math.abs(value) >= 10 ** MAX_INTEGER_DIGITS) return 'range';
  const text = String(value);
  return text.includes('e') ? value.toFixed(10).replace(/\.?0+$/, '') : text;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day <= days;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
// 1C writes dates as 31.12.2023 and date-times as 31.12.2023 0:00:00.
const DOTTED_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/;

/** 1C's "empty date" (01.01.0001): no date at all. */
export const EMPTY_DATE = 'empty';

/**
 * A date: YYYY-MM-DD or DD.MM.YYYY, optionally followed by a time (dropped). Returns
 * 'YYYY-MM-DD', EMPTY_DATE for 1C's empty date 01.01.0001, or undefined.
 */
export function parseDateText(text: string): string | typeof EMPTY_DATE | undefined {
  let m = ISO_DATE.exec(text);
  let year: number;
  let month: number;
  let day: number;
  if (m) {
    year = Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
    // Already canonical: hand back the same string.
    if (year >= 1000 && isCalendarDate(year, month, day)) return text;
  } else {
    const t = text.trim();
    m = ISO_DATE_TIME.exec(t) ?? ISO_DATE.exec(t);
    if (m) {
      year = Number(m[1]);
      month = Number(m[2]);
      day = Number(m[3]);
    } else {
      m = DOTTED_DATE.exec(t);
      if (!m) return undefined;
      day = Number(m[1]);
      month = Number(m[2]);
      year = Number(m[3]);
    }
  }
  if (year === 1 && month === 1 && day === 1) return EMPTY_DATE;
  if (year < 1000 || !isCalendarDate(year, month, day)) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const DOTTED_DATE_TIME = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** A timestamp: ISO 8601 (an offset is converted to UTC) or DD.MM.YYYY H:MM:SS. Returns 'YYYY-MM-DD HH:MM:SS[.fff]' in UTC. */
export function parseTimestampText(text: string): string | typeof EMPTY_DATE | undefined {
  const t = text.trim();
  const dotted = DOTTED_DATE_TIME.exec(t);
  let iso: string;
  if (dotted) {
    const [, d, mo, y, h = '0', mi = '00', s = '00'] = dotted;
    if (y === '0001' && Number(d) === 1 && Number(mo) === 1) return EMPTY_DATE;
    iso = `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}T${h.padStart(2, '0')}:${mi}:${s}Z`;
  } else if (ISO_DATE.test(t)) {
    iso = `${t}T00:00:00Z`;
  } else if (ISO_DATE_TIME.test(t)) {
    const local = t.replace(' ', 'T');
    iso = /Z|[+-]\d{2}:?\d{2}$/.test(local) ? local : `${local}Z`;
  } else {
    return undefined;
  }
  const date = parseDateText(iso.slice(0, 10));
  if (date === undefined) return undefined;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace('Z', '')
    .replace(/\.000$/, '');
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'да', 'д', 'истина', 't']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'нет', 'н', 'ложь', 'f']);

/** A boolean: true/false, 1/0, yes/no, да/нет (and 1C's Истина/Ложь), any case. */
export function parseBooleanText(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

const INTEGER = /^[+-]?\d+$/;

/** A whole number (also "5,0" or "5.00"); undefined for anything else. */
export function parseIntegerText(text: string): number | undefined {
  const t = text.trim();
  if (INTEGER.test(t)) return Number(t);
  const decimal = parseDecimalText(t);
  if (decimal === undefined || decimal === 'range') return undefined;
  const n = Number(decimal);
  return Number.isInteger(n) ? n : undefined;
}
