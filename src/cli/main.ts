import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import { printError } from './output.js';

const program = new Command()
  .name('segmenta')
  .description('Segmenta: customer segments for trading companies (1C, Bitrix24, amoCRM).')
  .option('--db <path>', 'DuckDB file (default $SEGMENTA_DB or ./data/segmenta.duckdb); without it, DATABASE_URL=postgres://… selects PostgreSQL')
  .showHelpAfterError();

for (const register of COMMANDS) register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  printError(error);
  process.exitCode = 1;
});
