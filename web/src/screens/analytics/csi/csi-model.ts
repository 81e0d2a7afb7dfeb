import type { CsiNpsQuery, SatisfactionRow } from '../../../api/analytics';
import { addDays, monthsBefore, quarterBounds, quarterParts } from '../period';

/** The periods offered: the server's default (the last 12 months) and a few usual others. */
export const PERIOD_PRESETS = ['last12', 'last24', 'thisYear', 'lastYear'] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

/** The dates of a preset on `today`; `last12` leaves them to the server (its default). */
export function presetDates(preset: PeriodPreset, today: string): Pick<CsiNpsQuery, 'from' | 'to'> {
  const year = Number(today.slice(0, 4));
  switch (preset) {
    case 'last12':
      return {};
    case 'last24':
      return { from: addDays(monthsBefore(today, 24), 1), to: today };
    case 'thisYear':
      return { from: `${year}-01-01`, to: today };
    case 'lastYear':
      return { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` };
  }
}

export const BREAKDOWNS = ['all', 'segments', 'managers'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

export const METRICS = ['nps', 'csi', 'averageScore', 'responses'] as const;
export type Metric = (typeof METRICS)[number];

/** A line of the chart and a block of the table: the whole base, a segment or a manager. */
export interface SatisfactionGroup {
  id: string;
  scope: SatisfactionRow['scope'];
  key: string | null;
  name: string;
  total: SatisfactionRow;
  quarters: SatisfactionRow[];
}

/** The API's rows (a total row, then one per quarter, for each group) as groups. */
export function groupsOf(rows: readonly SatisfactionRow[]): SatisfactionGroup[] {
  const groups = new Map<string, SatisfactionGroup>();
  for (const row of rows) {
    const id = `${row.scope}:${row.key ?? ''}`;
    let group = groups.get(id);
    if (!group) {
      group = { id, scope: row.scope, key: row.key, name: row.name, total: row, quarters: [] };
      groups.set(id, group);
    }
    if (row.quarter === 'total') group.total = row;
    else group.quarters.push(row);
  }
  return [...groups.values()];
}

/** Whether the period covers only part of a quarter (its numbers count that part alone). */
export function isPartialQuarter(label: string, from: string, to: string): boolean {
  const parts = quarterParts(label);
  if (!parts) return false;
  const bounds = quarterBounds(parts.year, parts.quarter);
  return from > bounds.from || to < bounds.to;
}

export const metricOf = (row: SatisfactionRow, metric: Metric): number | null => (metric === 'responses' ? row.responses : row[metric]);
