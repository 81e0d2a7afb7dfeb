import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerAnalytics } from './analytics.js';
import { registerBackup } from './backup.js';
import { registerConnectors } from './connectors.js';
import { registerDemo } from './demo.js';
import { registerDoctor } from './doctor.js';
import { registerImport } from './import.js';
import { registerReport } from './report.js';
import { registerSegments } from './segments.js';
import { registerServe } from './serve.js';
import { registerTerms } from './terms.js';
import { registerKeys, registerUsers } from './users.js';

/** Every CLI command. Each module adds its command (and subcommands) to the program. */
export const COMMANDS: readonly ((program: Command, io: CliIo) => void)[] = [
  registerServe,
  registerImport,
  registerDemo,
  registerSegments,
  registerTerms,
  registerAnalytics,
  registerReport,
  registerDoctor,
  registerBackup,
  registerUsers,
  registerKeys,
  registerConnectors,
];
