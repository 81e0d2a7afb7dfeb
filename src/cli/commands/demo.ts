import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { createDemoManagerUser, describeFirstStartUsers } from '../../demo/first-start.js';
import { createDemoSubscription } from '../../demo/demo-subscriptions.js';
import { createDemoSegments, DEFAULT_DEMO_PARTNERS, loadDemo, SALES_PER_PARTNER, type DemoProgress, type DemoSummary } from '../../demo/index.js';
import { positiveInt, withDatabase } from '../context.js';
import type { CliIo } from '../io.js';

interface DemoCommandOptions {
  readonly seed: number;
  readonly partners: number;
  readonly sales?: number;
  readonly force?: boolean;
  readonly segments: boolean;
}

const count = (n: number): string => n.toLocaleString('en-US');

function wholeNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new Error(`${name} must be a whole number, got "${value}"`);
    return n;
  };
}

/** A progress bar per stage on stderr when it is a terminal; nothing otherwise. */
function progressBar(io: CliIo): { onProgress: (p: DemoProgress) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  let stage = '';
  const enabled = io.stderr.isTTY;
  return {
    onProgress: (p) => {
      if (!enabled) return;
      if (p.stage !== stage) {
        stage = p.stage;
        bar?.stop();
        bar = new cliProgress.SingleBar(
          { format: `${p.stage.padEnd(11)} {bar} {percentage}% | {done}/{all} | {eta_formatted} left`, stream: io.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, 0, { done: count(0), all: count(p.total) });
      }
      bar!.update(p.done, { done: count(p.done), all: count(p.total) });
    },
    stop: () => bar?.stop(),
  };
}

function summary(s: DemoSummary, database: string): string {
  return [
    `Loaded the demo company (seed ${s.seed}, history up to ${s.today}) into ${database} in ${s.seconds.toFixed(1)} s:`,
    `  ${count(s.partners)} partners, ${count(s.products)} products, ${count(s.sales)} sale lines, ${count(s.interactions)} interactions, ${count(s.settlements)} settlement entries, ${count(s.deals)} deals;`,
    `  ${count(s.regions)} regions, ${count(s.partnerGroups)} partner groups, ${count(s.partnerTypes)} partner types, ${count(s.managers)} managers, ${count(s.productGroups)} product groups.`,
  ].join('\n');
}

export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description(
      'Generate a realistic demo company (a Perm trading house: regions, partners, products, three years of sales, interactions, settlements, deals) and demo segments. Deterministic by --seed; refuses a database that already holds data unless --force.',
    )
    .option('--seed <n>', 'same seed, same company', wholeNumber('--seed'), 1)
    .option('--partners <n>', 'number of partners', positiveInt('--partners'), DEFAULT_DEMO_PARTNERS)
    .option('--sales <n>', `number of sale lines (default ${SALES_PER_PARTNER} per partner)`, positiveInt('--sales'))
    .option('--force', 'delete the data already in the database (partners, products, facts, directories, stored segment members) and load the demo instead')
    .option('--no-segments', 'do not create the demo segments')
    .action(async (options: DemoCommandOptions, command: Command) => {
      await withDatabase(command, async (db, services) => {
        const bar = progressBar(io);
        let loaded: DemoSummary;
        try {
          loaded = await loadDemo(db, {
            seed: options.seed,
            partners: options.partners,
            ...(options.sales === undefined ? {} : { sales: options.sales }),
            replace: options.force ?? false,
            onProgress: bar.onProgress,
          });
        } finally {
          bar.stop();
        }
        io.stdout.write(`${summary(loaded, db.description)}\n`);
        if (options.segments) {
          const segments = await createDemoSegments(services.segments);
          await createDemoSubscription(services.subscriptions);
          io.stdout.write(`Created ${segments.created.length} demo segments (${segments.generated.length} stored ones generated) in ${segments.seconds.toFixed(1)} s.\n`);
        }
        // A manager's view of own partners can be tried: the user `manager` (unless one exists).
        const manager = await createDemoManagerUser(services.access);
        for (const line of describeFirstStartUsers(manager ? [manager] : [])) io.stdout.write(`${line}\n`);
      });
    });
}
