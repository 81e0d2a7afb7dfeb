/**
 * Calendar dates as 'YYYY-MM-DD' strings, for periods and anniversaries. Plain proleptic
 * Gregorian arithmetic on UTC days; no time zones are involved anywhere in rules.
 */
export interface YMD {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const DAY_MS = 86_400_000;

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses a calendar date 'YYYY-MM-DD' (years 0001–9999); undefined when it is not one. */
export function parseIsoDate(text: string): YMD | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

export const isIsoDate = (value: unknown): value is string => typeof value === 'string' && parseIsoDate(value) !== undefined;

export const formatIsoDate = ({ year, month, day }: YMD): string => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

function ymd(text: string): YMD {
  const date = parseIsoDate(text);
  if (!date) throw new Error(`not a date: ${text}`);
  return date;
}

function toEpochDay({ year, month, day }: YMD): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return Math.round(date.getTime() / DAY_MS);
}

function fromEpochDay(days: number): YMD {
  const date = new Date(days * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export const addDays = (date: string, days: number): string => formatIsoDate(fromEpochDay(toEpochDay(ymd(date)) + days));

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string): number => toEpochDay(ymd(to)) - toEpochDay(ymd(from));

/** Adds calendar months; a day the target month lacks becomes its last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: string, months: number): string {
  const { year, month, day } = ymd(date);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return formatIsoDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/** The first day of the month, quarter or year containing the date. */
export function startOf(date: string, unit: 'month' | 'quarter' | 'year'): string {
  const { year, month } = ymd(date);
  const first = unit === 'month' ? month : unit === 'quarter' ? month - ((month - 1) % 3) : 1;
  return formatIsoDate({ year, month: first, day: 1 });
}

export const monthsOf = (unit: 'month' | 'quarter' | 'year'): number => (unit === 'month' ? 1 : unit === 'quarter' ? 3 : 12);

/** Today in UTC, the default evaluation date. */
export const todayIso = (): string => new Date().toISOString().slice(0, 10);
