/** Sales terms (SPEC §5): segments used in agreements, discounts, bans and limits; order pricing and check. */
export * from './agreements.js';
export * from './campaigns.js';
export * from './combination.js';
export * from './cumulative-segments.js';
export * from './discount-conditions.js';
export * from './discount-table.schema.js';
export * from './discount-tables.js';
export * from './discounts.js';
export * from './manual-discount-limits.js';
export * from './order-check.js';
export * from './order-pricing.js';
export * from './order.schema.js';
export * from './partner-agreements.js';
export * from './segment-guard.js';
export { guardSegmentChange, termsUsingSegment } from './segment-refs.js';
export * from './shipment-bans.js';
