import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import type { CliIo } from './io.js';
import { printError } from './output.js';

/** The `segmenta` command with every subcommand, writing to io; it throws instead of exiting the process. */
export function buildProgram(io: CliIo): Command {
  const program = new Command()
    .name('segmenta')
    .description('Segmenta: customer segments for trading companies (1C, Bitrix24, amoCRM).')
    .option('--db <path>', 'DuckDB file (default $SEGMENTA_DB or ./data/segmenta.duckdb); without it, DATABASE_URL=postgres://… selects PostgreSQL')
    .showHelpAfterError()
    // Subcommands inherit both settings when they are created: set them before registering.
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  for (const register of COMMANDS) register(program, io);
  return program;
}

/** Runs `segmenta <args…>` (the arguments after the program name) and answers its exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(args, { from: 'user' });
    return io.exitCode;
  } catch (error) {
    // Commander has printed its own message (or the help, exit code 0).
    if (error instanceof CommanderError) return error.exitCode;
    printError(io, error);
    return 1;
  }
}
