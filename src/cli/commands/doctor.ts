import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { describeDoctor, runDoctor } from '../../domain/health/doctor.js';
import { withDatabase } from '../context.js';

export function registerDoctor(program: Command, io: CliIo): void {
  program
    .command('doctor')
    .description(
      'Check a database after a crash: opens it (moving aside a write-ahead log that cannot be replayed), verifies that stored compositions, their history and runs agree, and tells what a recovery lost. Exits 1 when it finds problems.',
    )
    .option('--repair', 'fix what is safe to fix: duplicate memberships, history brought in line with the compositions, interrupted runs marked failed')
    .option('--json', 'print the report as JSON')
    .action(async (options: { repair?: boolean; json?: boolean }, command: Command) => {
      const report = await withDatabase(command, (db) => runDoctor(db, { repair: options.repair ?? false }));
      io.console.log(options.json ? JSON.stringify(report, null, 2) : describeDoctor(report).join('\n'));
      if (!report.healthy) io.exitCode = 1;
    });
}
