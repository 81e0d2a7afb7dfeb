/**
 * `npm run soak [-- --kills N]`: the crash loop of test/crash-loop.test.ts, 1,000 kills by
 * default of children doing a random mix of operations, printing the counts (kills, opens,
 * recovered, unopenable, torn, and what each kill interrupted) for docs/benchmarks.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killsByOperation, prepareCrashLoop, runCrashLoop } from './support/crash-loop.js';

const at = process.argv.indexOf('--kills');
const kills = at > 0 ? Number(process.argv[at + 1]) : 1000;
const dir = mkdtempSync(join(tmpdir(), 'segmenta-soak-'));
try {
  const path = join(dir, 'soak.duckdb');
  const started = Date.now();
  const plan = await prepareCrashLoop(path, { partners: 300 });
  const counts = await runCrashLoop(path, plan, kills, {
    maxDelayMs: 1500,
    log: (line) => process.stderr.write(`\r${line}   `),
  });
  process.stderr.write('\n');
  for (const problem of counts.problems) console.log(problem);
  console.log(
    `soak: ${counts.kills} kills, ${counts.opens} opens, ${counts.recovered} recovered (log moved aside), ${counts.unopenable} unopenable, ${counts.torn} torn, ${counts.staleIndexes} indexes missing rows, ${counts.childFailures} child failures in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  console.log(
    `killed during: ${JSON.stringify(killsByOperation(counts))}; rebuild stages: ${JSON.stringify(Object.fromEntries(Object.entries(counts.killedIn).filter(([k]) => k.startsWith('rebuild:'))))}`,
  );
  process.exitCode = counts.unopenable || counts.torn || counts.staleIndexes || counts.childFailures ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
