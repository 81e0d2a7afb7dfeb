import { execFile } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { cliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';

const run = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A stream that keeps what is written to it. */
class Collected extends Writable {
  private readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
    done();
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * `segmenta --db <file> …` on that DuckDB file, run in this process (the program `segmenta`
 * runs, with buffers for its output): a cold `node --import tsx` per command made the CLI tests
 * slow. DATABASE_URL is left as it is (CI sets it): an explicit --db must win over it.
 * test/cli-process.test.ts runs the real executable.
 */
export function segmentaCli(dbPath: string): (...args: string[]) => Promise<CliResult> {
  const withInput = segmentaCliWithInput(dbPath);
  return (...args) => withInput(undefined, ...args);
}

/** The same, with `input` on standard input (a password for `--password-stdin`); none when undefined. */
export function segmentaCliWithInput(dbPath: string): (input: string | undefined, ...args: string[]) => Promise<CliResult> {
  return async (input, ...args) => {
    const stdout = new Collected();
    const stderr = new Collected();
    const code = await runCli(['--db', dbPath, ...args], cliIo(stdout, stderr, input === undefined ? undefined : Readable.from([Buffer.from(input)])));
    return { code, stdout: stdout.text, stderr: stderr.text };
  };
}

/** `segmenta …` as a user runs it (from source), in a process of its own with the given environment. */
export async function spawnSegmenta(args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 0): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
