import type { BenchScale } from './bench-section.js';

/** The scale of SPEC/issue 2's benchmark: a million partners, twenty million sale lines. */
export const DEFAULT_BENCH_SCALE: BenchScale = { partners: 1_000_000, sales: 20_000_000, seed: 1 };

/** Bumped when the demo generator changes what it writes, so cached demo databases are remade. */
export const DEMO_CACHE_VERSION = 2;

/** `1000000_20000000_1`: names the cached demo database (file or PostgreSQL schema) of a scale. */
export const scaleKey = (scale: BenchScale): string => `${scale.partners}_${scale.sales}_${scale.seed}`;
