/**
 * Exact arithmetic for the reference: amounts as bigint ten-thousandths (DECIMAL(18,4)),
 * and day numbers computed with the civil-from-days algorithm (no Date objects), so the
 * oracle shares no date code with the compiler.
 */
const SCALE = 4;

/** A number with at most 4 decimal places as ten-thousandths. */
export function units(value: number): bigint {
  // Below 2^50 ten-thousandths the nearest whole number to value·10⁴ is the decimal's own
  // when dividing it back gives the value again (the doubles' error is far below ½ there);
  // otherwise (more places, larger) the decimal text decides.
  const scaled = Math.round(value * 10_000);
  if (Math.abs(scaled) < 2 ** 50 && scaled / 10_000 === value) return BigInt(scaled);
  const text = String(value);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`not a plain decimal: ${text}`);
  const fraction = (m[3] ?? '').padEnd(SCALE, '0');
  if (fraction.length > SCALE) throw new Error(`more than ${SCALE} decimal places: ${text}`);
  const magnitude = BigInt(m[2]!) * 10n ** BigInt(SCALE) + BigInt(fraction);
  return m[1] === '-' ? -magnitude : magnitude;
}

export const fromUnits = (value: bigint): number => Number(value) / 10 ** SCALE;

/** Days since 1970-01-01 of a 'YYYY-MM-DD' date (Howard Hinnant's days_from_civil). */
export function dayNumber(date: string): number {
  let y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The 'YYYY-MM-DD' date of a day number (civil_from_days). */
export function dateOfDay(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export const leap = (year: number): boolean => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

const monthLength = (year: number, month: number): number => [31, leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;

/** The same day `months` calendar months earlier, or the last day of that month if it is shorter. */
export function monthsBack(date: string, months: number): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  let total = year * 12 + month - 1 - months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  total = Math.min(day, monthLength(y, m));
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(total).padStart(2, '0')}`;
}
