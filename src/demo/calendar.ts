import { cumulative, lowerBound, type Random } from './random.js';

/**
 * Days as whole numbers since 1970-01-01 (UTC), the form the generator works in; the loader
 * turns them into SQL dates. The demo's history ends on `today`.
 */
const MS_PER_DAY = 86_400_000;

export function dayNumber(isoDate: string): number {
  return Math.round(Date.parse(`${isoDate}T00:00:00Z`) / MS_PER_DAY);
}

export function dayText(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Today in UTC as YYYY-MM-DD (rules are evaluated in UTC too). */
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The day `years` whole years before `day`, as 1C counts it (Feb 29 → Feb 28). */
export function yearsBefore(day: number, years: number): number {
  const date = new Date(day * MS_PER_DAY);
  const year = date.getUTCFullYear() - years;
  const month = date.getUTCMonth();
  const dayOfMonth = Math.min(date.getUTCDate(), month === 1 && !isLeapYear(year) ? 28 : 31);
  return Math.round(Date.UTC(year, month, dayOfMonth) / MS_PER_DAY);
}

/** Month (1–12) and day of month of a day number. */
export function monthAndDay(day: number): { year: number; month: number; day: number } {
  const date = new Date(day * MS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function dayOf(year: number, month: number, dayOfMonth: number): number {
  return Math.round(Date.UTC(year, month - 1, dayOfMonth) / MS_PER_DAY);
}

/**
 * How busy a trading company selling tools and building materials is in each month: the
 * building season peaks in spring and summer, December closes the year, January is quiet.
 */
const MONTH_FACTOR = [0.55, 0.75, 1.0, 1.15, 1.25, 1.2, 1.1, 1.1, 1.05, 1.0, 0.95, 1.2];
/** Sunday … Saturday: shops are open on Saturday, offices hardly at the weekend. */
const WEEKDAY_FACTOR = [0.15, 1.0, 1.05, 1.05, 1.05, 1.0, 0.45];
/** Sales grow about 12% a year. */
const YEARLY_GROWTH = 0.12;

/**
 * The days of the sales history (three years ending today) with their weights, to draw
 * document dates from: seasonality by month and weekday, and growth.
 */
export class SalesCalendar {
  readonly first: number;
  readonly last: number;
  private readonly sums: Float64Array;

  constructor(today: number, years = 3) {
    this.last = today;
    this.first = yearsBefore(today, years) + 1;
    const weights = new Float64Array(this.last - this.first + 1);
    for (let i = 0; i < weights.length; i++) {
      const day = this.first + i;
      const date = new Date(day * MS_PER_DAY);
      const yearsAgo = (this.last - day) / 365.25;
      weights[i] = MONTH_FACTOR[date.getUTCMonth()]! * WEEKDAY_FACTOR[date.getUTCDay()]! * Math.pow(1 + YEARLY_GROWTH, -yearsAgo);
    }
    this.sums = cumulative(weights);
  }

  /** A day in [from, to] (clamped to the history), drawn by the calendar's weights. */
  draw(random: Random, from: number, to: number): number {
    const low = Math.max(from, this.first) - this.first;
    const high = Math.min(to, this.last) - this.first;
    if (high <= low) return this.first + Math.max(0, high);
    const below = low > 0 ? this.sums[low - 1]! : 0;
    const x = below + random.next() * (this.sums[high]! - below);
    return this.first + Math.min(high, lowerBound(this.sums, x));
  }
}
