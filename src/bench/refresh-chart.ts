/**
 * Draws the refresh benchmark's figures as one SVG for docs/benchmarks.md:
 * `npx tsx src/bench/refresh-chart.ts [results.json] [out.svg]` (defaults: .bench/refresh-results.json,
 * docs/benchmarks/refresh-at-scale.svg). Three panels: batch against one query per segment,
 * batch time by partners, batch time by segments.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchEngine, BenchFigure } from './bench-section.js';

interface Results {
  readonly scale: { partners: number; sales: number };
  readonly figures: readonly BenchFigure[];
}

const COLORS: Record<BenchEngine, string> = { duckdb: '#d97706', postgres: '#2563eb' };
const NAMES: Record<BenchEngine, string> = { duckdb: 'DuckDB', postgres: 'PostgreSQL' };

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const seconds = (ms: number) => (ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`);
const count = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

/** The figure of that metric; a metric may carry a note in brackets ("… (20 timed, scaled to 100)"). */
function figure(figures: readonly BenchFigure[], engine: BenchEngine, metric: string): number | undefined {
  return figures.find((f) => f.engine === engine && (f.metric === metric || f.metric.startsWith(`${metric} (`)))?.value;
}

/** The company size of the curve by segments, when it was not the run's scale. */
function segmentsCurvePartners(figures: readonly BenchFigure[]): number | undefined {
  for (const f of figures) {
    const m = /^by segments: batch refresh of \d+ segments at (\d+) partners$/.exec(f.metric);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** A panel with a log-x line chart of points per engine. */
function linePanel(x0: number, title: string, series: { engine: BenchEngine; points: { x: number; y: number; note?: string }[] }[], xLabel: (x: number) => string): string {
  const w = 250;
  const h = 220;
  const top = 60;
  const left = x0 + 50;
  const all = series.flatMap((s) => s.points);
  if (!all.length) return `<text x="${x0 + 10}" y="${top}" class="t">${esc(title)}: no data</text>`;
  const xs = [...new Set(all.map((p) => p.x))].sort((a, b) => a - b);
  const lx = (x: number) => (xs.length === 1 ? left + w / 2 : left + ((Math.log(x) - Math.log(xs[0]!)) / (Math.log(xs.at(-1)!) - Math.log(xs[0]!))) * (w - 60) + 20);
  const maxY = Math.max(...all.map((p) => p.y)) * 1.15;
  const ly = (y: number) => top + h - (y / maxY) * h;
  const parts = [`<text x="${x0 + 10}" y="30" class="t">${esc(title)}</text>`];
  parts.push(`<line x1="${left}" y1="${top + h}" x2="${left + w}" y2="${top + h}" class="axis"/><line x1="${left}" y1="${top}" x2="${left}" y2="${top + h}" class="axis"/>`);
  for (const x of xs) parts.push(`<text x="${lx(x)}" y="${top + h + 16}" class="l" text-anchor="middle">${esc(xLabel(x))}</text>`);
  for (let i = 0; i <= 4; i++) {
    const y = (maxY / 4) * i;
    parts.push(`<text x="${left - 6}" y="${ly(y) + 4}" class="l" text-anchor="end">${seconds(y)}</text>`);
    if (i) parts.push(`<line x1="${left}" y1="${ly(y)}" x2="${left + w}" y2="${ly(y)}" class="grid"/>`);
  }
  for (const s of series) {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    parts.push(`<polyline fill="none" stroke="${COLORS[s.engine]}" stroke-width="2.5" points="${pts.map((p) => `${lx(p.x)},${ly(p.y)}`).join(' ')}"/>`);
    for (const p of pts) {
      parts.push(`<circle cx="${lx(p.x)}" cy="${ly(p.y)}" r="4" fill="${COLORS[s.engine]}"/>`);
      // The rightmost point's label ends at the point, so that it stays inside the panel. Where
      // another engine's point at the same x is higher, this label goes below the point if there is
      // room above the axis, and the note (the same for both engines) is left to the higher one.
      const last = p.x === xs.at(-1);
      const others = series.filter((o) => o !== s).flatMap((o) => o.points.filter((q) => q.x === p.x));
      const lower = others.some((q) => q.y > p.y);
      const roomBelow = (y: number) => ly(y) + 16 <= top + h - 4;
      const crowded = others.some((q) => q.y < p.y && !roomBelow(q.y) && ly(q.y) - ly(p.y) < 14);
      const y = lower && roomBelow(p.y) ? ly(p.y) + 16 : ly(p.y) - (crowded ? 20 : 8);
      const note = p.note && !lower ? ` · ${esc(p.note)}` : '';
      parts.push(`<text x="${lx(p.x) + (last ? -6 : 6)}" y="${y}" class="v"${last ? ' text-anchor="end"' : ''}>${seconds(p.y)}${note}</text>`);
    }
  }
  return parts.join('\n');
}

/** Bars: the batch and one query per segment, per engine. */
function barPanel(x0: number, title: string, bars: { engine: BenchEngine; batch: number; single: number }[]): string {
  const w = 250;
  const h = 220;
  const top = 60;
  const left = x0 + 50;
  const maxY = Math.max(1, ...bars.flatMap((b) => [b.batch, b.single])) * 1.15;
  const ly = (y: number) => top + h - (y / maxY) * h;
  const parts = [`<text x="${x0 + 10}" y="30" class="t">${esc(title)}</text>`];
  parts.push(`<line x1="${left}" y1="${top + h}" x2="${left + w}" y2="${top + h}" class="axis"/>`);
  bars.forEach((b, i) => {
    const x = left + 15 + i * 120;
    const speedup = b.single / b.batch;
    for (const [j, [label, value]] of (
      [
        ['batch', b.batch],
        ['one by one', b.single],
      ] as const
    ).entries()) {
      const bx = x + j * 48;
      parts.push(`<rect x="${bx}" y="${ly(value)}" width="40" height="${top + h - ly(value)}" fill="${COLORS[b.engine]}" opacity="${j ? 0.45 : 1}"/>`);
      parts.push(`<text x="${bx + 20}" y="${ly(value) - 5}" class="v" text-anchor="middle">${seconds(value)}</text>`);
      parts.push(`<text x="${bx + 20}" y="${top + h + 14}" class="l" text-anchor="middle">${label}</text>`);
    }
    parts.push(`<text x="${x + 44}" y="${top + h + 30}" class="l" text-anchor="middle">${NAMES[b.engine]}: ${speedup.toFixed(1)}× faster</text>`);
  });
  return parts.join('\n');
}

export function refreshChart(results: Results): string {
  const { figures, scale } = results;
  const engines = (['duckdb', 'postgres'] as const).filter((e) => figures.some((f) => f.engine === e));
  const bars = engines.flatMap((engine) => {
    const batch = figure(figures, engine, 'batch refresh of 100 segments');
    const single = figure(figures, engine, 'the same segments, one query each');
    return batch && single ? [{ engine, batch, single }] : [];
  });
  const byPartners = engines.map((engine) => ({
    engine,
    points: figures.flatMap((f) => {
      const m = /^by partners: batch refresh of 100 segments at (\d+) partners$/.exec(f.metric);
      return f.engine === engine && m ? [{ x: Number(m[1]), y: f.value }] : [];
    }),
  }));
  const bySegments = engines.map((engine) => ({
    engine,
    points: figures.flatMap((f) => {
      const m = /^by segments: batch refresh of (\d+) segments( at \d+ partners)?$/.exec(f.metric);
      if (f.engine !== engine || !m) return [];
      const measures = figure(figures, engine, `by segments: distinct measures of ${m[1]} segments${m[2] ?? ''}`);
      return [{ x: Number(m[1]), y: f.value, ...(measures ? { note: `${measures} measures` } : {}) }];
    }),
  }));
  const legend = engines.map((e, i) => `<rect x="${20 + i * 130}" y="330" width="12" height="12" fill="${COLORS[e]}"/><text x="${38 + i * 130}" y="341" class="l">${NAMES[e]}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="360" viewBox="0 0 1000 360" font-family="Helvetica, Arial, sans-serif">
<style>.t{font-size:13px;font-weight:bold;fill:#111}.l{font-size:11px;fill:#444}.v{font-size:10px;fill:#111}.axis{stroke:#888}.grid{stroke:#e5e5e5}</style>
<rect width="1000" height="360" fill="white"/>
${barPanel(0, `100 segments, ${count(scale.partners)} partners × ${count(scale.sales)} lines`, bars)}
${linePanel(320, '100 segments, by partners (20 lines each)', byPartners, (x) => `${count(x)} partners`)}
${linePanel(660, `By segments, ${count(segmentsCurvePartners(figures) ?? scale.partners)} partners`, bySegments, (x) => `${x} segments`)}
${legend}
</svg>
`;
}

const [input = '.bench/refresh-results.json', output = 'docs/benchmarks/refresh-at-scale.svg'] = process.argv.slice(2);
if (process.argv[1]?.includes('refresh-chart')) {
  const results = JSON.parse(readFileSync(input, 'utf8')) as Results;
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, refreshChart(results));
  console.log(`wrote ${output}`);
}
