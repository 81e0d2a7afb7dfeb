import type { Command } from 'commander';
import { registerAnalytics } from './analytics.js';
import { registerImport } from './import.js';
import { registerReport } from './report.js';
import { registerSegments } from './segments.js';
import { registerServe } from './serve.js';

/** Every CLI command. Each module adds its command (and subcommands) to the program. */
export const COMMANDS: readonly ((program: Command) => void)[] = [registerServe, registerImport, registerSegments, registerAnalytics, registerReport];
