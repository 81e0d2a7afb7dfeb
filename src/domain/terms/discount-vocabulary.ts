/**
 * The fixed words of discount conditions (SPEC §5). Plain constants with no imports: the
 * server's schemas and the web UI's forms both read them.
 */

export const CONDITION_KINDS = ['partnerInSegment', 'cumulative', 'productInSegment', 'birthday', 'orderAmount'] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

export const CUMULATIVE_MEASURES = ['sales.revenue', 'sales.quantity', 'sales.grossProfit', 'sales.documents'] as const;
export type CumulativeMeasure = (typeof CUMULATIVE_MEASURES)[number];

export const THRESHOLD_OPS = ['gte', 'gt'] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];
