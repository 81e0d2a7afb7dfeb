/**
 * Failpoints for crash tests: with SEGMENTA_FAILPOINT=<name>, the process stops at that point
 * (prints `failpoint <name> reached` to stderr and waits) so a test can kill it there. Without
 * the variable this is a no-op.
 */
export async function failpoint(name: string): Promise<void> {
  if (process.env.SEGMENTA_FAILPOINT !== name) return;
  process.stderr.write(`failpoint ${name} reached\n`);
  await new Promise(() => undefined);
}
