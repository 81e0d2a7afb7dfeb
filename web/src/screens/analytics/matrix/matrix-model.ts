import type { AxisSource, Matrix, MatrixAxis, MatrixInput, PeriodJson, QuadrantPosition } from '../../../api/analytics';
import { lastPeriodOf } from '../period';

/**
 * The matrix form's state and its conversion to and from the API's matrix
 * (docs/analytics.md#matrix-bcg-style), and the scatter's axis scales.
 */

export type SourceKind = 'measure' | 'score' | 'property';
export type PeriodMode = 'all' | 'months' | 'custom';

export interface AxisDraft {
  label: string;
  /** The user typed the label: choosing another source no longer renames it. */
  labelEdited: boolean;
  kind: SourceKind;
  name: string | null;
  periodMode: PeriodMode;
  months: number | string;
  /** A period the form cannot edit (kept as it is while periodMode is 'custom'). */
  customPeriod?: PeriodJson;
  /** A measure's `where`, kept as it is (the form does not edit it). */
  where?: Record<string, unknown>;
  threshold: number | string;
}

export type FilterMode = 'all' | 'customers' | 'custom';

export interface MatrixDraft {
  id: string;
  idEdited: boolean;
  name: string;
  description: string;
  x: AxisDraft;
  y: AxisDraft;
  filterMode: FilterMode;
  customFilter?: unknown;
  quadrants: Record<QuadrantPosition, { key: string; name: string }>;
}

/** Only partners with the customer role are placed (seed 002's matrix is of customers). */
export const CUSTOMERS_FILTER = { attr: 'roles', op: 'contains', value: 'customer' } as const;

/** A matrix id: the API's slug, at most 40 characters. */
export const MATRIX_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export const DEFAULT_QUADRANT_KEYS: Record<QuadrantPosition, string> = {
  highHigh: 'stars',
  highLow: 'cash-cows',
  lowHigh: 'problem-children',
  lowLow: 'dogs',
};

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function axisDraftOf(axis: MatrixAxis): AxisDraft {
  const source = axis.source;
  const base = { label: axis.label, labelEdited: true, threshold: axis.threshold, months: 12 as number | string, periodMode: 'all' as PeriodMode };
  if ('score' in source) return { ...base, kind: 'score', name: source.score };
  if ('property' in source) return { ...base, kind: 'property', name: source.property };
  const last = lastPeriodOf(source.period);
  const period: Pick<AxisDraft, 'periodMode' | 'months' | 'customPeriod'> =
    source.period === undefined
      ? { periodMode: 'all', months: 12 }
      : last?.unit === 'months'
        ? { periodMode: 'months', months: last.count }
        : { periodMode: 'custom', months: 12, customPeriod: source.period };
  return { ...base, ...period, kind: 'measure', name: source.measure, ...(source.where ? { where: source.where } : {}) };
}

export function draftOfMatrix(matrix: Matrix): MatrixDraft {
  const filterMode: FilterMode = matrix.filter === undefined || matrix.filter === null ? 'all' : sameJson(matrix.filter, CUSTOMERS_FILTER) ? 'customers' : 'custom';
  return {
    id: matrix.id,
    idEdited: true,
    name: matrix.name,
    description: matrix.description,
    x: axisDraftOf(matrix.x),
    y: axisDraftOf(matrix.y),
    filterMode,
    ...(filterMode === 'custom' ? { customFilter: matrix.filter } : {}),
    quadrants: { ...matrix.quadrants },
  };
}

/**
 * A new matrix as seed 002 draws it — activity (purchases) across, capacity (revenue) up —
 * on the last 12 months' sales; the thresholds are a start the user adjusts.
 */
export function newMatrixDraft(names: Record<QuadrantPosition, string>, labels: { x: string; y: string }): MatrixDraft {
  const axis = (label: string, name: string, threshold: number): AxisDraft => ({ label, labelEdited: false, kind: 'measure', name, periodMode: 'months', months: 12, threshold });
  return {
    id: '',
    idEdited: false,
    name: '',
    description: '',
    x: axis(labels.x, 'sales.documents', 6),
    y: axis(labels.y, 'sales.revenue', 300_000),
    filterMode: 'customers',
    quadrants: {
      highHigh: { key: DEFAULT_QUADRANT_KEYS.highHigh, name: names.highHigh },
      highLow: { key: DEFAULT_QUADRANT_KEYS.highLow, name: names.highLow },
      lowHigh: { key: DEFAULT_QUADRANT_KEYS.lowHigh, name: names.lowHigh },
      lowLow: { key: DEFAULT_QUADRANT_KEYS.lowLow, name: names.lowLow },
    },
  };
}

function axisOf(draft: AxisDraft): MatrixAxis {
  const name = draft.name ?? '';
  let source: AxisSource;
  if (draft.kind === 'score') source = { score: name };
  else if (draft.kind === 'property') source = { property: name };
  else {
    const period = draft.periodMode === 'months' ? { last: { months: Number(draft.months) } } : draft.periodMode === 'custom' ? draft.customPeriod : undefined;
    source = { measure: name, ...(period ? { period } : {}), ...(draft.where ? { where: draft.where } : {}) };
  }
  return { label: draft.label.trim(), source, threshold: Number(draft.threshold) };
}

export function matrixInputOf(draft: MatrixDraft): MatrixInput {
  const filter = draft.filterMode === 'customers' ? CUSTOMERS_FILTER : draft.filterMode === 'custom' ? draft.customFilter : undefined;
  return {
    name: draft.name.trim(),
    description: draft.description,
    x: axisOf(draft.x),
    y: axisOf(draft.y),
    ...(filter !== undefined ? { filter } : {}),
    quadrants: draft.quadrants,
  };
}

/** What the form lacks before it can be saved (keys of the locale's messages), none when ready. */
export function draftProblems(draft: MatrixDraft): string[] {
  const problems: string[] = [];
  if (!draft.name.trim()) problems.push('name');
  if (!MATRIX_ID.test(draft.id)) problems.push('id');
  for (const axis of [draft.x, draft.y]) {
    if (!axis.name || !axis.label.trim() || axis.threshold === '' || !Number.isFinite(Number(axis.threshold))) problems.push('axis');
    if (axis.kind === 'measure' && axis.periodMode === 'months' && !(Number(axis.months) >= 1)) problems.push('axis');
  }
  if (Object.values(draft.quadrants).some((q) => !q.name.trim())) problems.push('quadrants');
  return [...new Set(problems)];
}

// ---- the scatter's scales -------------------------------------------------------------------

/**
 * An axis drawn as is, or compressed by a signed square root so a few very large values
 * (revenue) do not squeeze everybody else into a corner; zero and negative values stay placed.
 */
export type AxisScale = 'linear' | 'sqrt';

export const toScale = (scale: AxisScale, value: number) => (scale === 'sqrt' ? Math.sign(value) * Math.sqrt(Math.abs(value)) : value);
export const fromScale = (scale: AxisScale, value: number) => (scale === 'sqrt' ? Math.sign(value) * value * value : value);

/** A round step (1, 2, 5 × 10ⁿ) that cuts `span` into about `count` parts. */
function niceStep(span: number, count: number): number {
  const raw = span / count || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  // d3's thresholds: the step nearest (geometrically) to the raw one.
  return (m >= Math.sqrt(50) ? 10 : m >= Math.sqrt(10) ? 5 : m >= Math.sqrt(2) ? 2 : 1) * power;
}

/**
 * The drawn range (in scale units) of values and the threshold, with a margin; it starts at 0
 * when nothing is negative, so the axes cross at zero. A linear range ends on round values.
 */
export function scaleDomain(scale: AxisScale, values: readonly number[], threshold: number): [number, number] {
  let min = toScale(scale, threshold);
  let max = min;
  for (const v of values) {
    const s = toScale(scale, v);
    if (s < min) min = s;
    if (s > max) max = s;
  }
  if (scale === 'linear') {
    const low = min >= 0 ? 0 : min;
    const step = niceStep(max - low, 5);
    const high = Math.ceil(max / step) * step;
    return [Math.floor(low / step) * step, high > max ? high : high + step];
  }
  const pad = (max - min) * 0.04 || Math.abs(max) * 0.1 || 1;
  return [min >= 0 ? Math.max(0, min - pad) : min - pad, max + pad];
}

/** The nearest of 1, 2, 5 × 10ⁿ (with its sign), or 0. */
function nice(value: number): number {
  if (value === 0) return 0;
  const magnitude = Math.abs(value);
  const power = 10 ** Math.floor(Math.log10(magnitude));
  const step = [1, 2, 5, 10].reduce((best, m) => (Math.abs(m * power - magnitude) < Math.abs(best * power - magnitude) ? m : best), 1);
  return Math.sign(value) * step * power;
}

/**
 * Round values along a drawn axis whose domain is in scale units: a linear axis gets even
 * round steps (0, 200 000, 400 000…); a compressed one 0 and 1, 2, 5 × 10ⁿ spread evenly
 * along it (0, 1 000, 5 000, 20 000, 50 000…).
 */
export function scaleTicks(scale: AxisScale, [low, high]: [number, number], count = 6): number[] {
  if (scale === 'linear') {
    const step = niceStep(high - low, 5);
    const ticks: number[] = [];
    for (let v = Math.ceil(low / step) * step; v <= high + step / 1e6; v += step) ticks.push(Math.round(v / step) * step);
    return ticks;
  }
  const minGap = (high - low) / (count * 1.6);
  const values = new Set<number>();
  if (low <= 0 && high >= 0) values.add(0);
  for (let i = 0; i <= count; i++) values.add(nice(fromScale(scale, low + ((high - low) * i) / count)));
  const ticks: number[] = [];
  for (const drawn of [...values]
    .map((v) => toScale(scale, v))
    .filter((d) => d >= low && d <= high)
    .sort((a, b) => a - b)) {
    if (ticks.length === 0 || drawn - ticks[ticks.length - 1]! >= minGap) ticks.push(drawn);
  }
  return ticks;
}
