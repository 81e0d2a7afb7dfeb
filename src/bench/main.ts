/**
 * `npm run bench`: runs every benchmark section (src/bench/sections.ts) at a scale (default
 * 1M partners × 20M sale lines), each section once per engine in a child process of its own,
 * so the peak memory it reports (the child's maximum resident set, DuckDB's native memory
 * included) is that section's alone. Prints a table and writes bench-results/latest.json.
 *
 *   npm run bench -- --partners 100000 --sales 2000000 --only demo,import --engines duckdb
 */
import { execSync, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { BenchEngine, BenchFigure, BenchScale } from './bench-section.js';
import { createBenchContext } from './context.js';
import { DEFAULT_BENCH_SCALE } from './scale.js';
import { SECTIONS } from './sections.js';

/** Peak memory target of issue 2, for every section. */
const PEAK_MEMORY_TARGET_MIB = 4096;

interface SectionRun {
  readonly section: string;
  readonly title: string;
  readonly engine: BenchEngine;
  readonly seconds: number;
  readonly peakRssMiB: number | null;
  readonly cpuSeconds: number;
  readonly figures: readonly BenchFigure[];
  readonly error?: string;
}

interface ChildResult {
  readonly figures: BenchFigure[];
  readonly peakRssMiB: number;
  /** CPU time of the section's process, all threads: on a shared machine wall time alone misleads. */
  readonly cpuSeconds: number;
  readonly error?: string;
}

const { values } = parseArgs({
  options: {
    partners: { type: 'string' },
    sales: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    engines: { type: 'string' },
    section: { type: 'string' },
    engine: { type: 'string' },
    help: { type: 'boolean' },
  },
});

const wholeNumber = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${text}"`);
  return n;
};

const scale: BenchScale = {
  partners: wholeNumber('partners', values.partners, DEFAULT_BENCH_SCALE.partners),
  sales: wholeNumber('sales', values.sales, DEFAULT_BENCH_SCALE.sales),
  seed: wholeNumber('seed', values.seed, DEFAULT_BENCH_SCALE.seed),
};
const databaseUrl = process.env.DATABASE_URL;
const available: BenchEngine[] = databaseUrl ? ['duckdb', 'postgres'] : ['duckdb'];
const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

if (values.help) {
  process.stdout.write(
    'npm run bench -- [--partners N] [--sales N] [--seed N] [--only demo,import] [--engines duckdb,postgres]\n' +
      `Sections: ${SECTIONS.map((s) => s.name).join(', ')}. PostgreSQL runs when DATABASE_URL is set. BENCH_IMPORT_LINES limits the import section.\n`,
  );
} else if (values.section) {
  await runChild(values.section, values.engine as BenchEngine);
} else {
  await runAll();
}

/** In a child: runs one section on one engine and sends its figures and peak memory to the parent. */
async function runChild(name: string, engine: BenchEngine): Promise<void> {
  const section = SECTIONS.find((s) => s.name === name);
  const ctx = createBenchContext({ scale, engines: [engine], databaseUrl, log });
  let result: ChildResult;
  try {
    if (!section) throw new Error(`no benchmark section "${name}"`);
    const figures = await section.run(ctx);
    await ctx.closeAll();
    result = { figures, peakRssMiB: peakRssMiB(), cpuSeconds: cpuSeconds() };
  } catch (error) {
    await ctx.closeAll().catch(() => undefined);
    result = { figures: [], peakRssMiB: peakRssMiB(), cpuSeconds: cpuSeconds(), error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  await new Promise<void>((resolve) => process.send!(result, () => resolve()));
  process.exit(0);
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return Math.round((usage.user + usage.system) / 1e5) / 10;
}

function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function runSectionInChild(section: string, engine: BenchEngine): Promise<ChildResult> {
  return new Promise((resolve) => {
    const args = ['--section', section, '--engine', engine, '--partners', String(scale.partners), '--sales', String(scale.sales), '--seed', String(scale.seed)];
    const child = fork(process.argv[1]!, args, { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: ChildResult | undefined;
    child.on('message', (message) => {
      result = message as ChildResult;
    });
    child.on('exit', (code, signal) => {
      resolve(result ?? { figures: [], peakRssMiB: 0, cpuSeconds: 0, error: `the section's process ended (${signal ?? `exit code ${code}`}) without a result` });
    });
  });
}

async function runAll(): Promise<void> {
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((name) => !SECTIONS.some((s) => s.name === name)) ?? [];
  if (unknown.length) throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
  const engines = values.engines ? (values.engines.split(',').map((e) => e.trim()) as BenchEngine[]) : available;
  for (const engine of engines) {
    if (!available.includes(engine)) throw new Error(`engine ${engine} is not available (PostgreSQL needs DATABASE_URL)`);
  }
  const sections = SECTIONS.filter((s) => !only || only.includes(s.name));
  const started = new Date();
  const loadBefore = loadavg();
  log(
    `scale ${scale.partners.toLocaleString('en-US')} partners × ${scale.sales.toLocaleString('en-US')} sale lines, seed ${scale.seed}; engines ${engines.join(', ')}; ${cpus().length} CPUs, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const runs: SectionRun[] = [];
  for (const section of sections) {
    for (const engine of engines) {
      log(`${section.name} on ${engine}: starting`);
      const t = performance.now();
      const result = await runSectionInChild(section.name, engine);
      const seconds = (performance.now() - t) / 1000;
      if (result.error) log(`${section.name} on ${engine} FAILED: ${result.error}`);
      const memory: BenchFigure = {
        metric: 'peak memory (max RSS of the process)',
        engine,
        value: result.peakRssMiB,
        unit: 'MiB',
        target: `≤ ${PEAK_MEMORY_TARGET_MIB} MiB`,
        met: result.peakRssMiB <= PEAK_MEMORY_TARGET_MIB,
      };
      const cpu: BenchFigure = { metric: `CPU time of the process, all threads (wall ${seconds.toFixed(1)} s)`, engine, value: result.cpuSeconds, unit: 'CPU s' };
      runs.push({
        section: section.name,
        title: section.title,
        engine,
        seconds,
        peakRssMiB: result.peakRssMiB || null,
        cpuSeconds: result.cpuSeconds,
        figures: result.error ? result.figures : [...result.figures, memory, cpu],
        ...(result.error ? { error: result.error.split('\n')[0]! } : {}),
      });
      log(`${section.name} on ${engine}: done in ${seconds.toFixed(1)} s, peak ${result.peakRssMiB} MiB`);
    }
    // Comparisons between engines go with the section's last run.
    const ofSection = runs.filter((r) => r.section === section.name);
    const compared = section.compare?.(ofSection.flatMap((r) => r.figures)) ?? [];
    if (compared.length) runs[runs.length - 1] = { ...runs[runs.length - 1]!, figures: [...runs[runs.length - 1]!.figures, ...compared] };
  }
  const report = {
    date: started.toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    scale,
    engines,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      freeMemoryGiB: Math.round((freemem() / 2 ** 30) * 10) / 10,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg(),
      node: process.version,
    },
    commit: gitCommit(),
    runs,
  };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/latest.json', `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`bench-results/${started.toISOString().replaceAll(':', '-').slice(0, 19)}.json`, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(formatTable(runs));
  process.stdout.write(
    `\nWritten to bench-results/latest.json. Load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} CPUs).\n`,
  );
  if (runs.some((r) => r.error)) process.exitCode = 1;
}

function gitCommit(): string | null {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

function formatTable(runs: readonly SectionRun[]): string {
  const rows: string[][] = [['section', 'engine', 'metric', 'value', 'target', 'met']];
  for (const run of runs) {
    if (run.error) rows.push([run.section, run.engine, `FAILED: ${run.error}`, '', '', '']);
    for (const f of run.figures) {
      rows.push([run.section, f.engine ?? run.engine, f.metric, `${f.value.toLocaleString('en-US')} ${f.unit}`, f.target ?? '', f.met === undefined ? '' : f.met ? 'yes' : 'NO']);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return `\n${[line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n')}\n`;
}
