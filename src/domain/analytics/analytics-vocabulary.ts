/**
 * The fixed words of the analytics (docs/analytics.md). Plain constants with no imports: the
 * server's schemas and the web UI both read them.
 */

/** The stored score sets a refresh recomputes. */
export const SCORE_SETS = ['rfm', 'renew'] as const;
export type ScoreSet = (typeof SCORE_SETS)[number];

/** A matrix's quadrants: highLow = x high and y low, and so on. */
export const QUADRANT_POSITIONS = ['highHigh', 'highLow', 'lowHigh', 'lowLow'] as const;
export type QuadrantPosition = (typeof QUADRANT_POSITIONS)[number];
