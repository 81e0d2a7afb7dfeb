import type { PeriodJson } from '../../api/analytics';

export const PERIOD_UNITS = ['days', 'weeks', 'months', 'years'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

/** A period "the last N units" (`{"last": {"months": 12}}`), or null for any other period. */
export function lastPeriodOf(period: PeriodJson | undefined): { unit: PeriodUnit; count: number } | null {
  const last = period?.last;
  if (!period || Object.keys(period).length !== 1 || typeof last !== 'object' || last === null) return null;
  const entries = Object.entries(last as Record<string, unknown>);
  if (entries.length !== 1) return null;
  const [unit, count] = entries[0]!;
  if (!(PERIOD_UNITS as readonly string[]).includes(unit) || typeof count !== 'number') return null;
  return { unit: unit as PeriodUnit, count };
}

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const iso = (date: Date) => date.toISOString().slice(0, 10);

/** The day `months` months before `date`, clamped to the month's end (as the rule language counts). */
export function monthsBefore(date: string, months: number): string {
  const d = day(date);
  const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return iso(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d.getUTCDate(), last))));
}

export const addDays = (date: string, days: number) => iso(new Date(day(date).getTime() + days * 86_400_000));

/** Today in UTC, as the server counts "today". */
export const todayUtc = () => new Date().toISOString().slice(0, 10);

/** A quarter label of the API, '2025-Q4', as its parts; null for 'total' or anything else. */
export function quarterParts(label: string): { year: number; quarter: number } | null {
  const match = /^(\d{4})-Q([1-4])$/.exec(label);
  return match ? { year: Number(match[1]), quarter: Number(match[2]) } : null;
}

/** The first and last day of a quarter. */
export function quarterBounds(year: number, quarter: number): { from: string; to: string } {
  const from = iso(new Date(Date.UTC(year, (quarter - 1) * 3, 1)));
  const to = iso(new Date(Date.UTC(year, quarter * 3, 0)));
  return { from, to };
}
