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
import { resolvePrice, rootTypeOf } from './price-math.js';
import type { PriceSource, PriceType, PriceTypeBrief } from './prices.schema.js';
import type { PricingRule, TermsSnapshot } from './terms-snapshot.js';
import type { Agreement } from './terms.schema.js';
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
    order.date ?? todayIso(),
  );
  return priceWithFacts(snapshot, order, facts);
}

/**
 * The agreement an order is priced under (docs/sales-terms.md#which-agreement-applies): the one
 * it names (refused unless open to the partner on the date); else, of the agreements open to
 * the partner on the date, the highest priority, then one for a segment over one open to
 * everyone, then the smaller id. Null when none is open.
 */
export function applicableAgreement(snapshot: TermsSnapshot, facts: OrderFacts, date: string, named: string | undefined): { agreement: Agreement; chosen: 'named' | 'automatic' } | null {
  if (named !== undefined) {
    const problem = agreementProblem(snapshot, facts, named, date);
    if (problem) throw new AppError('AGREEMENT_NOT_OPEN', { id: named, partnerId: facts.partner.id, date, reason: problem });
    return { agreement: snapshot.agreements.get(named)!.agreement, chosen: 'named' };
  }
  let best: Agreement | null = null;
  for (const { agreement } of snapshot.agreements.values()) {
    if (agreementProblem(snapshot, facts, agreement.id, date) !== null) continue;
    if (best === null || compareAgreements(agreement, best) < 0) best = agreement;
  }
  return best ? { agreement: best, chosen: 'automatic' } : null;
}

/** Which of two open agreements applies first: priority, then a segment's over everyone's, then the id. */
function compareAgreements(a: Agreement, b: Agreement): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const aSegment = a.segmentId === null ? 1 : 0;
  const bSegment = b.segmentId === null ? 1 : 0;
  if (aSegment !== bSegment) return aSegment - bSegment;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The price type of the order: the agreement's, else the default one. */
export function orderPriceType(snapshot: TermsSnapshot, agreement: Agreement | null): { type: PriceType; source: 'agreement' | 'default' } | null {
  const own = agreement?.priceType ? snapshot.priceTypes.get(agreement.priceType) : undefined;
  if (own) return { type: own, source: 'agreement' };
  return snapshot.defaultPriceType ? { type: snapshot.defaultPriceType, source: 'default' } : null;
}

export const brief = (t: PriceType): PriceTypeBrief => ({ id: t.id, name: t.name, currency: t.currency, vatIncluded: t.vatIncluded, vatRate: t.vatRate });

/** Each line's unit price: given (manual), or the order's price type's on the date. */
function linePrices(snapshot: TermsSnapshot, order: Order, facts: OrderFacts, date: string, agreement: Agreement | null): { price: number; row: PriceSource | null }[] {
  const typed = orderPriceType(snapshot, agreement);
  return order.lines.map((line, i) => {
    if (line.price !== undefined) return { price: line.price, row: null };
    if (!typed) {
      const reason = agreement
        ? `agreement "${agreement.name}" has no price type and no price type is the default`
        : `no agreement is open to partner "${facts.partner.id}" on ${date} and no price type is the default`;
      throw new AppError('PRICE_TYPE_NOT_RESOLVED', {
        what: `the price of line ${i + 1} (product "${line.productId}")`,
        line: i + 1,
        productId: line.productId,
        partnerId: facts.partner.id,
        date,
        reason,
      });
    }
    const found = resolvePrice(snapshot.priceTypes, facts.prices, typed.type.id, line.productId, date);
    if (!found) {
      const root = rootTypeOf(snapshot.priceTypes, typed.type.id);
      const via = root !== undefined && root !== typed.type.id ? ` (computed from "${snapshot.priceTypes.get(root)?.name ?? root}", which has none)` : '';
      throw new AppError('PRICE_NOT_FOUND', { line: i + 1, productId: line.productId, priceTypeId: typed.type.id, priceTypeName: typed.type.name, date, reason: via });
    }
    return { price: found.price, row: found.row };
  });
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
  const applicable = applicableAgreement(snapshot, facts, date, order.agreementId);
  if (applicable) {
    const a = applicable.agreement;
    agreement = { id: a.id, name: a.name, priceType: a.priceType, discountPercent: a.discountPercent, chosen: applicable.chosen };
    const rule = agreementRule(snapshot, a.id);
    if (rule) extra.push(rule);
  }
  const typed = orderPriceType(snapshot, applicable?.agreement ?? null);
  const unitPrices = linePrices(snapshot, order, facts, date, applicable?.agreement ?? null);
  const amounts = order.lines.map((l, i) => roundMoney(l.quantity * unitPrices[i]!.price));
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
      price: unitPrices[i]!.price,
      priceSource: line.price === undefined ? 'priceType' : 'manual',
      priceType: line.price === undefined && typed ? brief(typed.type) : null,
      priceRow: unitPrices[i]!.row,
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
  const after = roundMoney(orderAmount - discountTotal);
  return {
    partnerId: facts.partner.id,
    date,
    agreement,
    priceType: typed ? { ...brief(typed.type), source: typed.source } : null,
    lines,
    totals: { amount: orderAmount, discountAmount: discountTotal, amountAfterDiscount: after, ...vatOf(after, typed?.type ?? null) },
    manualDiscount: manual,
  };
}

/**
 * The VAT of the order at its price type's rate, rounded to 0.01: inside the amount when the
 * type's prices include VAT, on top of it when not. Null without a price type.
 */
export function vatOf(amount: number, type: PriceType | null): { vatIncluded: boolean | null; vatRate: number | null; vatAmount: number | null; amountWithVat: number | null } {
  if (!type) return { vatIncluded: null, vatRate: null, vatAmount: null, amountWithVat: null };
  const rate = type.vatRate;
  if (type.vatIncluded) return { vatIncluded: true, vatRate: rate, vatAmount: roundMoney((amount * rate) / (100 + rate)), amountWithVat: amount };
  const vatAmount = roundMoney((amount * rate) / 100);
  return { vatIncluded: false, vatRate: rate, vatAmount, amountWithVat: roundMoney(amount + vatAmount) };
}
