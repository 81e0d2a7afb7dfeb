import { Console } from 'node:console';
import { AppError } from '../errors/app-error.js';
import type { Readable, Writable } from 'node:stream';

/** An output stream; a terminal has isTTY (progress bars draw only there). */
export type CliStream = Writable & { readonly isTTY?: boolean };

/**
 * Where commands write, and the exit code they ask for. `segmenta` passes the process's streams;
 * tests run the CLI in their own process with buffers, so nothing here may be process-global.
 */
export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  /** Where `--password-stdin` reads from; none in tests that do not give one. */
  readonly stdin?: Readable;
  /** log and table on stdout, error on stderr. */
  readonly console: Console;
  /** Set by a command that ends in a failure it has already reported (1: nothing imported, 2: not allowed). */
  exitCode: number;
}

export function cliIo(stdout: CliStream, stderr: CliStream, stdin?: Readable): CliIo {
  return { stdout, stderr, ...(stdin ? { stdin } : {}), console: new Console({ stdout, stderr }), exitCode: 0 };
}

/**
 * The first line of standard input, without its line end or a byte order mark: a password or a
 * token given with `--password-stdin` / `--secret-stdin`, so it is in no shell history. `what`
 * names it in the error when there is no standard input.
 */
export async function firstLineOfStdin(io: CliIo, what: string, flag: string): Promise<string> {
  if (!io.stdin) throw new AppError('VALIDATION_FAILED', { summary: `${what}: ${flag} needs standard input`, issues: [{ path: what, message: 'no standard input' }] });
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').replace(/^\uFEFF/, '');
}
