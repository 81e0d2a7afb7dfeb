import { cliIo } from './io.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), cliIo(process.stdout, process.stderr));
