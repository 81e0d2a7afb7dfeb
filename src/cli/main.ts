import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { printError } from './output.js';

const program = new Command()
  .name('segmenta')
  .description('Segmenta: customer segments for trading companies (1C, Bitrix24, amoCRM).')
  .option('--db <path>', 'DuckDB file (default $SEGMENTA_DB or ./data/segmenta.duckdb); without it, DATABASE_URL=postgres://… selects PostgreSQL')
  .showHelpAfterError();

for (const register of COMMANDS) register(program);

// Whatever escapes (a stream's error event, a stray rejection) still reads as a message, not a stack trace.
const fail = (error: unknown) => {
  printError(error);
  process.exit(1);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

program.parseAsync(process.argv).catch((error: unknown) => {
  printError(error);
  process.exitCode = 1;
});
