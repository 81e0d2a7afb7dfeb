/**
 * The import-cycle check of `npm run cycles` (dependency-cruiser with .dependency-cruiser.cjs),
 * run as that script runs it but on fixture modules, so the check itself cannot silently pass:
 * a runtime cycle fails it, a cycle of type-only imports does not.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function cycles(...paths: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, ['node_modules/dependency-cruiser/bin/dependency-cruise.mjs', ...paths, '--config', '.dependency-cruiser.cjs']);
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

describe('npm run cycles', () => {
  it('fails on modules that import each other at runtime, and lets type-only imports go both ways', async () => {
    const result = await cycles('test/fixtures/import-cycles');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('error no-runtime-cycle: test/fixtures/import-cycles/runtime-a.ts');
    expect(result.stdout).toContain('1 dependency violations (1 errors, 0 warnings). 4 modules, 4 dependencies cruised.');
    expect(result.stdout).not.toContain('types-');
  });
});
