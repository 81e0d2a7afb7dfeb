import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that spend a minute or more mostly waiting (children killed at random moments, a fixed
 * corpus of random worlds on three engines) but are short: on a clean clone Vitest knows no
 * durations and starts the largest files first, so these came last and ran alone at the end.
 */
const START_FIRST = ['test/crash-loop.test.ts', 'test/segment-events-crash.test.ts', 'test/rules/differential.test.ts'];

/** Vitest's order (longest first when it has durations, else largest), START_FIRST ahead of it. */
class StartFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification) => {
      const at = START_FIRST.findIndex((path) => spec.moduleId.endsWith(path));
      return at === -1 ? START_FIRST.length : at;
    };
    const sorted = await super.sort(files);
    return sorted
      .map((spec, order) => ({ spec, order }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.order - b.order)
      .map(({ spec }) => spec);
  }
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    sequence: { sequencer: StartFirst },
    pool: 'forks',
    // Vitest's default is one worker per core less one: a single worker here, idle while a test
    // waits on a child process (the crash loop), Chromium or a PostgreSQL server.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/e2e/**'],
        },
      },
      {
        // The web UI in a real Chromium; the global setup builds the UI when it is stale.
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
