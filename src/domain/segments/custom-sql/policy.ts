import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Whether custom SQL may run in the work under way. The HTTP API sets it per request from its
 * context (`allowCustomSql`), `segmenta serve` sets it for its schedulers; whatever runs from
 * there (a background job, a scheduled batch) inherits it, so a saved custom SQL segment is not
 * run behind a server that has custom SQL switched off. Outside any setting (the CLI, an
 * administrator's tool) it may.
 */
const policy = new AsyncLocalStorage<{ readonly allowed: boolean }>();

/** Runs fn, and all the asynchronous work it starts, with custom SQL allowed or not. */
export function withCustomSqlAllowed<T>(allowed: boolean, fn: () => T): T {
  return policy.run({ allowed }, fn);
}

/** Whether custom SQL may run here (see withCustomSqlAllowed). */
export function customSqlAllowed(): boolean {
  return policy.getStore()?.allowed ?? true;
}
