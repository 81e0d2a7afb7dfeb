/**
 * A child process script of a kill test as one bundled file (esbuild), in a directory of the
 * caller's with a link to node_modules: it starts in a fraction of the time `node --import tsx`
 * takes to load and compile the sources (seconds of CPU per cold start), so kill tests spend
 * their time on kills. Without esbuild, the sources through tsx.
 */
import { existsSync, symlinkSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/** The node arguments that run `source` (a path from the repository root). */
export async function childCommand(source: string, dir: string): Promise<string[]> {
  try {
    const { build } = (await import('esbuild')) as { build: (options: Record<string, unknown>) => Promise<unknown> };
    const outfile = join(dir, basename(source).replace(/\.ts$/, '.mjs'));
    if (!existsSync(join(dir, 'node_modules'))) symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
    await build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning' });
    return [outfile];
  } catch {
    return ['--import', 'tsx', source];
  }
}
