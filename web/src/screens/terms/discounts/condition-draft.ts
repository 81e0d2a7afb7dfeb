import type { ConditionKind, CumulativeMeasure, DiscountCondition, ThresholdOp } from '../../../api/terms';

/**
 * A discount's conditions as the form edits them, and back to the API's shape: empty fields are
 * allowed while typing; a condition is sent only when complete. A cumulative condition is sent
 * without the segment the server binds it to (the server finds or creates it).
 */

/** A condition as the form edits it: the server's shape with empty fields allowed. */
export type ConditionDraft =
  | { kind: 'partnerInSegment'; segment: string | null }
  | { kind: 'productInSegment'; segment: string | null }
  | { kind: 'cumulative'; measure: CumulativeMeasure; months: number | ''; productSegment: string | null; op: ThresholdOp; threshold: number | ''; segment: string | null }
  | { kind: 'birthday'; withinDays: number | '' }
  | { kind: 'orderAmount'; min: number | '' };

export function newCondition(kind: ConditionKind): ConditionDraft {
  switch (kind) {
    case 'partnerInSegment':
    case 'productInSegment':
      return { kind, segment: null };
    case 'cumulative':
      return { kind, measure: 'sales.revenue', months: 12, productSegment: null, op: 'gte', threshold: '', segment: null };
    case 'birthday':
      return { kind, withinDays: 0 };
    case 'orderAmount':
      return { kind, min: '' };
  }
}

export function conditionDraftOf(c: DiscountCondition): ConditionDraft {
  switch (c.kind) {
    case 'partnerInSegment':
    case 'productInSegment':
      return { kind: c.kind, segment: c.segment };
    case 'cumulative':
      return {
        kind: c.kind,
        measure: c.measure ?? 'sales.revenue',
        months: c.months ?? '',
        productSegment: c.productSegment ?? null,
        op: c.op ?? 'gte',
        threshold: c.threshold,
        segment: c.segment ?? null,
      };
    case 'birthday':
      return { kind: c.kind, withinDays: c.withinDays ?? 0 };
    case 'orderAmount':
      return { kind: c.kind, min: c.min };
  }
}

/** The condition as the API takes it, or null while it is incomplete. */
export function conditionInput(c: ConditionDraft): DiscountCondition | null {
  switch (c.kind) {
    case 'partnerInSegment':
    case 'productInSegment':
      return c.segment ? { kind: c.kind, segment: c.segment } : null;
    case 'cumulative':
      // The server binds the condition to its periodic segment; the form sends only what defines it.
      return c.threshold === '' ? null : { kind: c.kind, measure: c.measure, months: c.months === '' ? null : c.months, productSegment: c.productSegment, op: c.op, threshold: c.threshold };
    case 'birthday':
      return { kind: c.kind, withinDays: c.withinDays === '' ? 0 : c.withinDays };
    case 'orderAmount':
      return c.min === '' ? null : { kind: c.kind, min: c.min };
  }
}
