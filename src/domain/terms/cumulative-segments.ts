import { createHash } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { Segment } from '../segments/segment.schema.js';
import { findSegment } from '../segments/segments.repository.js';
import type { SegmentService } from '../segments/segments.service.js';
import type { CumulativeSpec } from './discount-conditions.js';
import { requireStoredSegment } from './segment-guard.js';

/**
 * Seed 002's lesson: checking cumulative purchases at order time took 40 seconds per order; the
 * fix is a periodic partner segment per cell ("purchases of product segment X over the last N
 * months from T"), rebuilt daily, which pricing reads. A cumulative condition gets such a
 * segment here: one rule with parameters (docs/rules.md), an id derived from the condition so
 * equal conditions share one segment and a re-uploaded table finds its segments again.
 */

export type SegmentNameLanguage = 'ru' | 'en';

/** Daily at 03:00, as in seed 002 ("compute it once a day and remember it"). */
export const CUMULATIVE_SCHEDULE = '0 3 * * *';

const MEASURE_SLUG: Readonly<Record<CumulativeSpec['measure'], string>> = {
  'sales.revenue': 'revenue',
  'sales.quantity': 'quantity',
  'sales.grossProfit': 'profit',
  'sales.documents': 'documents',
};

const numberSlug = (n: number): string => String(n).replace('.', '_').replace('-', 'm');

/** The id of the segment that keeps a cumulative condition, e.g. `cum-segment1-24m-revenue-gte-10000`. */
export function cumulativeSegmentId(spec: CumulativeSpec): string {
  const id = `cum-${spec.productSegment ?? 'all'}-${spec.months === null ? 'all' : `${spec.months}m`}-${MEASURE_SLUG[spec.measure]}-${spec.op}-${numberSlug(spec.threshold)}`;
  if (id.length <= 80) return id;
  return `cum-${createHash('sha1').update(id).digest('hex').slice(0, 24)}`;
}

/** The rule of such a segment: the one rule of docs/rules.md, its values as parameters. */
export function cumulativeRule(spec: CumulativeSpec): { rule: Record<string, unknown>; parameters: Record<string, string | number> } {
  const parameters: Record<string, string | number> = { threshold: spec.threshold };
  const rule: Record<string, unknown> = { measure: spec.measure };
  if (spec.months !== null) {
    rule.period = { last: { months: { param: 'months' } } };
    parameters.months = spec.months;
  }
  if (spec.productSegment !== null) {
    rule.where = { productSegment: { param: 'productSegment' } };
    parameters.productSegment = spec.productSegment;
  }
  rule.op = spec.op;
  rule.value = { param: 'threshold' };
  return { rule, parameters };
}

const NAMES: Readonly<
  Record<
    SegmentNameLanguage,
    {
      purchases: (what: string) => string;
      allProducts: string;
      period: (months: number | null) => string;
      measure: Readonly<Record<CumulativeSpec['measure'], string>>;
      op: Readonly<Record<CumulativeSpec['op'], string>>;
    }
  >
> = {
  ru: {
    purchases: (what) => `Покупки ${what}`,
    allProducts: 'всех товаров',
    period: (months) => (months === null ? 'за всё время' : `за ${months} мес.`),
    measure: { 'sales.revenue': 'на сумму', 'sales.quantity': 'количеством', 'sales.grossProfit': 'с валовой прибылью', 'sales.documents': 'документов' },
    op: { gte: 'от', gt: 'более' },
  },
  en: {
    purchases: (what) => `Purchases of ${what}`,
    allProducts: 'all products',
    period: (months) => (months === null ? 'all time' : `over ${months} months`),
    measure: { 'sales.revenue': 'revenue', 'sales.quantity': 'quantity', 'sales.grossProfit': 'gross profit', 'sales.documents': 'documents' },
    op: { gte: 'from', gt: 'over' },
  },
};

export function cumulativeSegmentName(spec: CumulativeSpec, productSegmentName: string | null, language: SegmentNameLanguage): string {
  const n = NAMES[language];
  const what = productSegmentName === null ? n.allProducts : language === 'ru' ? `«${productSegmentName}»` : `"${productSegmentName}"`;
  // For people (issue 21): «на сумму от 10 000 ₽», not «от 10000»; amounts in roubles, counts bare.
  const money = spec.measure === 'sales.revenue' || spec.measure === 'sales.grossProfit';
  const threshold = `${new Intl.NumberFormat(language === 'ru' ? 'ru-RU' : 'en-GB', { maximumFractionDigits: 2 }).format(spec.threshold)}${money ? ' ₽' : ''}`;
  return `${n.purchases(what)} ${n.period(spec.months)}: ${n.measure[spec.measure]} ${n.op[spec.op]} ${threshold}`;
}

/**
 * The periodic segment of a cumulative condition: found by its id, or created (not yet
 * generated: the caller generates the new ones once all are saved).
 */
export async function ensureCumulativeSegment(
  segments: SegmentService,
  spec: CumulativeSpec,
  options: { usage: string; language: SegmentNameLanguage },
): Promise<{ segment: Segment; created: boolean }> {
  const { db } = segments;
  let productSegmentName: string | null = null;
  if (spec.productSegment !== null) {
    productSegmentName = (await requireStoredSegment(db, spec.productSegment, { usage: options.usage, kind: 'product' })).name;
  }
  const id = cumulativeSegmentId(spec);
  const { rule, parameters } = cumulativeRule(spec);
  const existing = await findSegment(db, id);
  if (existing) {
    const segment = await requireStoredSegment(db, id, { usage: options.usage, kind: 'partner' });
    if (segment.method !== 'periodic' || JSON.stringify(segment.rule) !== JSON.stringify(rule) || JSON.stringify(segment.parameters) !== JSON.stringify(parameters)) {
      throw new AppError('TERM_INVALID', {
        entity: options.usage,
        summary: `segment "${id}" exists but does not keep this cumulative condition; rename or delete it`,
        path: 'conditions',
      });
    }
    return { segment, created: false };
  }
  const segment = await segments.create({
    id,
    kind: 'partner',
    name: cumulativeSegmentName(spec, productSegmentName, options.language),
    description:
      options.language === 'ru' ? 'Создан условиями продаж для накопительной скидки; формируется ежедневно в 03:00' : 'Created by sales terms for a cumulative discount; generated daily at 03:00',
    method: 'periodic',
    rule,
    parameters,
    schedule: CUMULATIVE_SCHEDULE,
    checkOnCreate: false,
    competitors: [],
    archived: false,
  });
  return { segment, created: true };
}
