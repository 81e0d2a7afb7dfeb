import { AppError } from '../../errors/app-error.js';
import { todayIso } from '../../rules/calendar.js';
import type { Queryable } from '../../sql/queryable.js';
import type { PartnerScope } from '../access/principal.js';
import { combineDiscounts, MAX_PERCENT, roundPercent } from './combination.js';
import { birthdayWithin } from './discount-conditions.js';
import { limitFor } from './manual-discount-limits.js';
import type { OrderFacts } from './order-facts.js';
import { readOrderContext } from './order-facts-cache.js';
import type { AppliedRule, ManualDiscountState, Order, OrderPrice, PricedLine } from './order.schema.js';
import type { PricingRule, TermsSnapshot } from './terms-snapshot.js';
import { isWithin } from './validity.js';

/**
 * Order pricing (SPEC §5): for each line, the discounts whose conditions hold, combined by the
 * documented rule (combination.ts), with the rule that gave it and the segment behind it.
 * It reads the cached terms, the partner and the stored memberships — from the in-process copy
 * (order-facts-cache.ts) or one query of indexed lookups — and never the sales history:
 * cumulative conditions are periodic segments, already stored.
 */
export async function priceOrder(db: Queryable, scope: PartnerScope, order: Order): Promise<OrderPrice> {
  const { snapshot, facts } = await readOrderContext(
    db,
    scope,
    order.partnerId,
    order.lines.map((l) => l.productId),
  );
  return priceWithFacts(snapshot, order, facts);
}

/** Rounds money to kopecks/cents, half away from zero, without binary surprises (1.005 → 1.01). */
export function roundMoney(value: number): number {
  const sign = value < 0 ? -1 : 1;
  const text = String(Math.abs(value));
  // Shifting the decimal point in the text rounds what was written, not its binary neighbour.
  const scaled = text.includes('e') ? Math.abs(value) * 100 : Number(`${text}e2`);
  return (sign * Math.round(scaled)) / 100 || 0;
}

/** Why an agreement cannot be used for this partner on this date, or null when it is open. */
export function agreementProblem(snapshot: TermsSnapshot, facts: OrderFacts, agreementId: string, date: string): string | null {
  const terms = snapshot.agreements.get(agreementId);
  if (!terms) return 'there is no active agreement with this id';
  if (!isWithin(terms.period, date)) return `it is valid ${terms.period.from ?? '…'} – ${terms.period.to ?? '…'}`;
  const segment = terms.agreement.segmentId;
  if (segment !== null && !facts.partnerSegments.has(segment)) return `the partner is not in its segment "${segment}"`;
  return null;
}

function agreementRule(snapshot: TermsSnapshot, agreementId: string): PricingRule | null {
  const terms = snapshot.agreements.get(agreementId)!;
  const a = terms.agreement;
  if (a.discountPercent === 0) return null;
  return {
    id: a.id,
    name: a.name,
    source: 'agreement',
    percent: a.discountPercent,
    combine: 'max',
    priority: 0,
    conditions: [],
    partnerSegments: a.segmentId === null ? [] : [a.segmentId],
    productSegments: [],
    period: terms.period,
    campaignId: a.campaignId,
    tableId: null,
  };
}

/** The manual discount asked for, against the limit that applies to the partner. */
export function manualDiscountState(snapshot: TermsSnapshot, facts: OrderFacts, requested: number | undefined): ManualDiscountState | null {
  if (requested === undefined) return null;
  const limit = limitFor(snapshot.limits, facts.partnerSegments);
  return {
    requested,
    limit: limit?.maxPercent ?? null,
    limitId: limit?.id ?? null,
    limitName: limit?.name ?? null,
    segmentId: limit?.segmentId ?? null,
    allowed: limit === null || requested <= limit.maxPercent,
  };
}

/** Order-level conditions: validity on the date, the partner's segments, birthday, order amount. */
function holdsForOrder(rule: PricingRule, facts: OrderFacts, date: string, orderAmount: number): boolean {
  if (!isWithin(rule.period, date)) return false;
  for (const segment of rule.partnerSegments) if (!facts.partnerSegments.has(segment)) return false;
  for (const condition of rule.conditions) {
    if (condition.kind === 'birthday') {
      if (facts.partner.birthDate === null || !birthdayWithin(facts.partner.birthDate, date, condition.withinDays)) return false;
    } else if (condition.kind === 'orderAmount' && orderAmount < condition.min) return false;
  }
  return true;
}

const holdsForProduct = (rule: PricingRule, productSegments: ReadonlySet<string> | undefined): boolean => rule.productSegments.every((segment) => productSegments?.has(segment) === true);

function describe(rule: PricingRule, snapshot: TermsSnapshot): AppliedRule {
  const segmentId = rule.partnerSegments[0] ?? null;
  return {
    discountId: rule.id,
    source: rule.source,
    name: rule.name,
    percent: rule.percent,
    combine: rule.combine,
    priority: rule.priority,
    segmentId,
    segmentName: segmentId === null ? null : (snapshot.segments.get(segmentId)?.name ?? null),
    productSegmentId: rule.productSegments[0] ?? null,
    campaignId: rule.campaignId,
    tableId: rule.tableId,
  };
}

/** Pricing from facts already read: pure, so the naive benchmark can feed it other facts. */
export function priceWithFacts(snapshot: TermsSnapshot, order: Order, facts: OrderFacts): OrderPrice {
  const date = order.date ?? todayIso();
  let agreement: OrderPrice['agreement'] = null;
  const extra: PricingRule[] = [];
  if (order.agreementId !== undefined) {
    const problem = agreementProblem(snapshot, facts, order.agreementId, date);
    if (problem) throw new AppError('AGREEMENT_NOT_OPEN', { id: order.agreementId, partnerId: facts.partner.id, date, reason: problem });
    const a = snapshot.agreements.get(order.agreementId)!.agreement;
    agreement = { id: a.id, name: a.name, priceType: a.priceType, discountPercent: a.discountPercent };
    const rule = agreementRule(snapshot, a.id);
    if (rule) extra.push(rule);
  }
  const amounts = order.lines.map((l) => roundMoney(l.quantity * l.price));
  const orderAmount = roundMoney(amounts.reduce((s, a) => s + a, 0));
  const orderRules = [...snapshot.rules, ...extra].filter((rule) => holdsForOrder(rule, facts, date, orderAmount));
  const manual = manualDiscountState(snapshot, facts, order.manualDiscount);
  const manualPercent = order.manualDiscount ?? 0;

  const lines: PricedLine[] = order.lines.map((line, i) => {
    const productSegments = facts.productSegments.get(line.productId);
    const candidates = orderRules.filter((rule) => holdsForProduct(rule, productSegments));
    const combined = combineDiscounts(candidates);
    const discountPercent = Math.min(MAX_PERCENT, roundPercent(combined.percent + manualPercent));
    const amount = amounts[i]!;
    const discountAmount = roundMoney((amount * discountPercent) / 100);
    const applied = combined.applied.map((rule) => describe(rule, snapshot));
    return {
      line: i + 1,
      productId: line.productId,
      quantity: line.quantity,
      price: line.price,
      amount,
      automaticPercent: combined.percent,
      manualPercent,
      discountPercent,
      discountAmount,
      amountAfterDiscount: roundMoney(amount - discountAmount),
      rule: applied[0] ?? null,
      applied,
      overridden: combined.overridden.map((r) => ({ discountId: r.id, name: r.name, percent: r.percent, combine: r.combine })),
    };
  });
  const discountTotal = roundMoney(lines.reduce((s, l) => s + l.discountAmount, 0));
  return {
    partnerId: facts.partner.id,
    date,
    agreement,
    lines,
    totals: { amount: orderAmount, discountAmount: discountTotal, amountAfterDiscount: roundMoney(orderAmount - discountTotal) },
    manualDiscount: manual,
  };
}
