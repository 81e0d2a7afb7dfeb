import type { PeriodNode } from '../../rules/ast/period-node.js';
import { plainValue } from '../../rules/ast/value-node.js';
import { addDays, addMonths, monthsOf, startOf } from '../../rules/calendar.js';

/** Facts dated from `from` (null: no lower bound) to `to`, both inclusive. */
export interface DateRange {
  readonly from: string | null;
  readonly to: string;
}

const minDate = (a: string, b: string): string => (a < b ? a : b);

/**
 * The dates a (parameter-folded) period covers, evaluated on `asOf`. Nothing after `asOf`
 * ever counts: evaluating as of a date means seeing the world as it was that day.
 *
 * - no period: everything up to asOf;
 * - last N days / months / years: (asOf − N units, asOf], so "last 30 days" is 30 days including asOf;
 * - from / to: inclusive, the end cut at asOf;
 * - current month / quarter / year: its first day to asOf;
 * - previous month / quarter / year: the whole previous one.
 */
export function resolvePeriod(period: PeriodNode | undefined, asOf: string): DateRange {
  if (!period) return { from: null, to: asOf };
  switch (period.kind) {
    case 'last': {
      const count = plainValue(period.count) as number;
      const back = period.unit === 'days' ? addDays(asOf, -count) : addMonths(asOf, -(period.unit === 'months' ? count : count * 12));
      return { from: addDays(back, 1), to: asOf };
    }
    case 'range': {
      const from = period.from ? (plainValue(period.from) as string) : null;
      const to = period.to ? minDate(plainValue(period.to) as string, asOf) : asOf;
      return { from, to };
    }
    case 'current': {
      const unit = plainValue(period.unit) as 'month' | 'quarter' | 'year';
      return { from: startOf(asOf, unit), to: asOf };
    }
    case 'previous': {
      const unit = plainValue(period.unit) as 'month' | 'quarter' | 'year';
      const current = startOf(asOf, unit);
      return { from: addMonths(current, -monthsOf(unit)), to: addDays(current, -1) };
    }
  }
}
