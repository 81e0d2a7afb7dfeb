import { isAppError } from '../errors/app-error.js';
import type { CliIo } from './io.js';

/** Prints an error for a person: code, message and details; a stack only with SEGMENTA_DEBUG=1. */
export function printError(io: CliIo, error: unknown): void {
  if (isAppError(error)) {
    io.stderr.write(`Error ${error.code}: ${error.message}\n`);
    const details = Object.entries(error.details).filter(([key]) => key !== 'summary');
    if (details.length) io.stderr.write(`${JSON.stringify(Object.fromEntries(details), null, 2)}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`Error: ${message}\n`);
    if (process.env.SEGMENTA_DEBUG === '1' && error instanceof Error) io.stderr.write(`${error.stack}\n`);
  }
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
