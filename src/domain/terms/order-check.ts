import { AppError } from '../../errors/app-error.js';
import type { ErrorCode } from '../../errors/codes.js';
import { todayIso } from '../../rules/calendar.js';
import type { Queryable } from '../../sql/queryable.js';
import type { PartnerScope } from '../access/principal.js';
import { readOrderContext } from './order-facts-cache.js';
import { agreementProblem, manualDiscountState } from './order-pricing.js';
import type { OrderCheckRequest, OrderCheckResult } from './order.schema.js';

/**
 * May this order be shipped (SPEC §5)? No, when the partner is in the segment of an active
 * shipment ban (e.g. overdue receivables), when the manual discount is above the partner's
 * limit, when the named agreement is not open to the partner, or when the partner is marked
 * for deletion. Each reason is an error code with its message and details, like an error.
 */
export async function checkOrder(db: Queryable, scope: PartnerScope, request: OrderCheckRequest): Promise<OrderCheckResult> {
  const date = request.date ?? todayIso();
  const { snapshot, facts } = await readOrderContext(
    db,
    scope,
    request.partnerId,
    (request.lines ?? []).map((l) => l.productId),
  );
  const partner = facts.partner;
  const reasons: OrderCheckResult['reasons'] = [];
  const reason = (code: ErrorCode, details: Record<string, unknown>): void => {
    const { error } = new AppError(code, details).toJSON();
    reasons.push(error);
  };

  if (partner.deleted) reason('PARTNER_MARKED_DELETED', { partnerId: partner.id });
  for (const ban of snapshot.bans) {
    if (!facts.partnerSegments.has(ban.segmentId)) continue;
    reason('SHIPMENT_BANNED', {
      partnerId: partner.id,
      banId: ban.id,
      ban: ban.name,
      segmentId: ban.segmentId,
      segmentName: snapshot.segments.get(ban.segmentId)?.name ?? ban.segmentId,
      reason: ban.reason,
      reasonText: ban.reason ? `: ${ban.reason}` : '',
    });
  }
  const manual = manualDiscountState(snapshot, facts, request.manualDiscount);
  if (manual && !manual.allowed) {
    reason('MANUAL_DISCOUNT_OVER_LIMIT', {
      partnerId: partner.id,
      requested: manual.requested,
      limit: manual.limit,
      limitId: manual.limitId,
      limitName: manual.limitName,
      segmentId: manual.segmentId,
    });
  }
  if (request.agreementId !== undefined) {
    const problem = agreementProblem(snapshot, facts, request.agreementId, date);
    if (problem) reason('AGREEMENT_NOT_OPEN', { id: request.agreementId, partnerId: partner.id, date, reason: problem });
  }
  return { partnerId: partner.id, date, allowed: reasons.length === 0, reasons, manualDiscount: manual };
}
