import type { BenchFigure, BenchSection } from './bench-section.js';
import { generateDemo } from './context.js';
import { DEFAULT_BENCH_SCALE } from './scale.js';

/**
 * Demo company generation (`segmenta demo`, issue 2): the demo at the bench scale generated
 * afresh on each engine; the result becomes the cached demo database later sections read.
 * Target (DuckDB, 1M partners × 20M sale lines): ≤ 60 s.
 */
export const demoSection: BenchSection = {
  name: 'demo',
  title: 'Demo company generation',
  async run(ctx) {
    const figures: BenchFigure[] = [];
    const fullScale = ctx.scale.partners === DEFAULT_BENCH_SCALE.partners && ctx.scale.sales === DEFAULT_BENCH_SCALE.sales;
    for (const engine of ctx.engines) {
      const s = await generateDemo(engine, ctx.scale, { databaseUrl: process.env.DATABASE_URL, log: ctx.log });
      const rows = s.partners + s.products + s.sales + s.interactions + s.settlements + s.deals;
      const target = engine === 'duckdb' && fullScale ? { target: '≤ 60 s', met: s.seconds <= 60 } : {};
      figures.push(
        { metric: `generate ${s.partners.toLocaleString('en-US')} partners × ${s.sales.toLocaleString('en-US')} sale lines`, engine, value: round(s.seconds, 1), unit: 's', ...target },
        { metric: `rows written (${rows.toLocaleString('en-US')} in all)`, engine, value: Math.round(rows / s.seconds), unit: 'rows/s' },
        ...Object.entries(s.stageSeconds).map(([stage, seconds]) => ({ metric: `  of which stage "${stage}"`, engine, value: seconds, unit: 's' })),
      );
    }
    return figures;
  },
};

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;
