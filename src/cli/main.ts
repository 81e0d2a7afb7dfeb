import { cliIo } from './io.js';
import { printError } from './output.js';
import { runCli } from './program.js';

const io = cliIo(process.stdout, process.stderr, process.stdin);

// Whatever escapes (a stream's error event, a stray rejection) still reads as a message, not a stack trace.
const fail = (error: unknown) => {
  printError(io, error);
  process.exit(1);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

process.exitCode = await runCli(process.argv.slice(2), io);
