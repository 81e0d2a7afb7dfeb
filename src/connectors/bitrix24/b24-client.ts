import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../errors/app-error.js';
import { networkReason } from '../network-reason.js';

/**
 * A thin client of Bitrix24's REST API through an incoming webhook
 * (`https://<portal>/rest/<userId>/<secret>/<method>.json`, acting with that user's rights).
 * Not the official `@bitrix24/b24jssdk` (docs/connectors-crm.md says why): calls are POSTs of
 * JSON, answers `{result, next?, total?, time}` or `{error, error_description}`.
 *
 * - **Rate limit**: Bitrix24 counts requests in a leaky bucket (50 requests, draining 2 per
 *   second on most plans); the client keeps its own bucket and waits before a request that would
 *   overflow it, so a portal rarely has to refuse. A refusal (503 `QUERY_LIMIT_EXCEEDED`) waits
 *   and retries with exponential backoff; `OPERATION_TIME_LIMIT` (a method used up its run time,
 *   480 s per 10 min) waits until the portal says the time resets, within `maxWaitMs`.
 * - **Auth**: 401, `expired_token`, `INVALID_CREDENTIALS`, `NO_AUTH_FOUND`, `insufficient_scope`
 *   end at once as CONNECTOR_AUTH_FAILED (a wrong or revoked webhook, or missing rights).
 * - **batch**: up to 50 commands in one request (`cmd` of `method?query` strings; one request
 *   of the bucket), their results and errors by name.
 * - The secret (the webhook's code) is never put in an error or a log: errors name the portal.
 */

export interface B24ClientOptions {
  /** The portal, `https://example.bitrix24.ru` (any path after the host is ignored). */
  readonly url: string;
  /** The user the webhook was made by (its rights apply). */
  readonly userId: string;
  /** The webhook's code (the secret part of its URL). */
  readonly secret: string;
  /** The leaky bucket: its size and how many requests drain per second (50 and 2; Enterprise 250 and 5). */
  readonly bucketSize?: number;
  readonly drainPerSecond?: number;
  readonly timeoutMs?: number;
  /** Attempts of one request on limit answers, 5xx and time-outs. */
  readonly attempts?: number;
  /** The first retry's wait; doubled each time. */
  readonly backoffMs?: number;
  /** Longest single wait for OPERATION_TIME_LIMIT before giving up. */
  readonly maxWaitMs?: number;
  readonly onRequest?: ((method: string, url: string) => void) | undefined;
  /** The clock (tests and the bench may speed it up). */
  readonly now?: () => number;
}

export type B24Row = Record<string, unknown>;

export interface B24Answer {
  readonly result: unknown;
  readonly next?: number;
  readonly total?: number;
  readonly time?: { readonly operating_reset_at?: number; readonly operating?: number };
}

export interface BatchAnswer {
  readonly result: Readonly<Record<string, unknown>>;
  readonly errors: Readonly<Record<string, { error: string; error_description: string }>>;
  readonly next: Readonly<Record<string, number>>;
  readonly total: Readonly<Record<string, number>>;
}

/** Most commands Bitrix24 runs in one `batch`. */
export const BATCH_LIMIT = 50;
/** Rows of one list page. */
export const PAGE = 50;

const AUTH_ERRORS = new Set(['expired_token', 'invalid_token', 'INVALID_CREDENTIALS', 'NO_AUTH_FOUND', 'insufficient_scope', 'WRONG_AUTH_TYPE', 'ACCESS_DENIED', 'authorization_error']);

/**
 * PHP-style query text of a value (`filter[>ID]=5&select[0]=ID`): the form `batch` commands
 * take and Bitrix24 parses back into arrays.
 */
export function phpQuery(value: Record<string, unknown>): string {
  const parts: string[] = [];
  const walk = (prefix: string, v: unknown): void => {
    if (v === undefined) return;
    if (v === null) {
      parts.push(`${encodeKey(prefix)}=`);
    } else if (Array.isArray(v)) {
      if (v.length === 0) parts.push(`${encodeKey(prefix)}=`);
      v.forEach((item, i) => walk(`${prefix}[${i}]`, item));
    } else if (typeof v === 'object') {
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) walk(prefix ? `${prefix}[${k}]` : k, item);
    } else {
      parts.push(`${encodeKey(prefix)}=${encodeURIComponent(String(v))}`);
    }
  };
  walk('', value);
  return parts.join('&');
}

const encodeKey = (key: string): string => encodeURIComponent(key).replace(/%5B/g, '[').replace(/%5D/g, ']');

/** A leaky bucket as Bitrix24 keeps one: each request adds 1, `drain` leave per second. */
export class LeakyBucket {
  private level = 0;
  private at: number;

  constructor(
    readonly size: number,
    readonly drain: number,
    private readonly now: () => number = Date.now,
  ) {
    this.at = now();
  }

  /** How long to wait before the next request fits (0: now); takes its place when it does. */
  take(): number {
    const now = this.now();
    this.level = Math.max(0, this.level - ((now - this.at) / 1000) * this.drain);
    this.at = now;
    // Keep one place free: the portal's own count may be a little ahead of ours.
    const room = this.size - 1;
    const wait = this.level + 1 > room ? ((this.level + 1 - room) / this.drain) * 1000 : 0;
    this.level += 1;
    return Math.ceil(wait);
  }

  /** The portal refused: its bucket is full, whatever ours says. */
  fill(): void {
    this.level = this.size;
    this.at = this.now();
  }
}

export class B24Client {
  readonly portal: string;
  private readonly base: string;
  private readonly bucket: LeakyBucket;
  /** Requests sent (every attempt). */
  requests = 0;

  constructor(private readonly options: B24ClientOptions) {
    const url = new URL(options.url);
    this.portal = `${url.protocol}//${url.host}`;
    this.base = `${this.portal}/rest/${encodeURIComponent(options.userId)}/${encodeURIComponent(options.secret)}`;
    this.bucket = new LeakyBucket(options.bucketSize ?? 50, options.drainPerSecond ?? 2, options.now);
  }

  /** Calls one method; its whole answer (`result`, `next`, `total`, `time`). */
  async call(method: string, params: Record<string, unknown> = {}): Promise<B24Answer> {
    const attempts = this.options.attempts ?? 6;
    let wait = this.options.backoffMs ?? 1000;
    let last: AppError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const pause = this.bucket.take();
      if (pause > 0) await sleep(pause);
      this.requests++;
      const url = `${this.base}/${method}.json`;
      this.options.onRequest?.('POST', `${this.portal}/rest/${method}.json`);
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(params),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
        });
        text = await response.text();
      } catch (error) {
        last = new AppError('CONNECTOR_UNREACHABLE', { url: this.portal, object: method, reason: networkReason(error) });
        await sleep(wait);
        wait *= 2;
        continue;
      }
      const body = parse(text);
      const code = typeof body?.error === 'string' ? body.error : null;
      const description = typeof body?.error_description === 'string' ? body.error_description : '';
      if (response.status === 401 || (code !== null && AUTH_ERRORS.has(code))) {
        throw new AppError('CONNECTOR_AUTH_FAILED', {
          system: 'Bitrix24',
          url: this.portal,
          user: this.options.userId,
          object: method,
          reason: `${code ?? `HTTP ${response.status}`}${description ? `: ${description}` : ''} (check the webhook's address, that it is not deleted, and its rights)`,
        });
      }
      if (code === 'QUERY_LIMIT_EXCEEDED') {
        this.bucket.fill();
        last = this.remoteError(method, response.status, code, description);
        await sleep(wait);
        wait *= 2;
        continue;
      }
      if (code === 'OPERATION_TIME_LIMIT') {
        const resetAt = typeof body?.time === 'object' && body.time !== null ? Number((body.time as { operating_reset_at?: unknown }).operating_reset_at) : NaN;
        const until = Number.isFinite(resetAt) ? resetAt * 1000 - (this.options.now ?? Date.now)() : wait;
        last = this.remoteError(method, response.status, code, `${description || 'the method used up its run time'}; Bitrix24 frees it after 10 minutes`);
        if (until > (this.options.maxWaitMs ?? 600_000)) throw last;
        await sleep(Math.max(wait, until));
        wait *= 2;
        continue;
      }
      if (response.status >= 500 && code === null) {
        last = this.remoteError(method, response.status, 'HTTP', text.slice(0, 200) || response.statusText);
        await sleep(wait);
        wait *= 2;
        continue;
      }
      if (code !== null || response.status >= 400) throw this.remoteError(method, response.status, code ?? 'HTTP', description || text.slice(0, 200));
      if (!body || !('result' in body)) throw this.remoteError(method, response.status, 'ANSWER', 'the answer has no "result"');
      return body as unknown as B24Answer;
    }
    throw last ?? new AppError('CONNECTOR_UNREACHABLE', { url: this.portal, object: method, reason: 'no attempt was made' });
  }

  /** `result` of one method. */
  async result<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return (await this.call(method, params)).result as T;
  }

  /** Runs up to 50 commands in one request; a command's error does not stop the others. */
  async batch(commands: Readonly<Record<string, { readonly method: string; readonly params: Record<string, unknown> }>>): Promise<BatchAnswer> {
    const names = Object.keys(commands);
    if (names.length > BATCH_LIMIT) throw new Error(`a batch runs at most ${BATCH_LIMIT} commands`);
    const cmd = Object.fromEntries(names.map((n) => [n, `${commands[n]!.method}?${phpQuery(commands[n]!.params)}`]));
    const answer = await this.call('batch', { halt: 0, cmd });
    const r = (answer.result ?? {}) as { result?: unknown; result_error?: unknown; result_next?: unknown; result_total?: unknown };
    const byName = (v: unknown): Record<string, never> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, never>) : {});
    const errors = byName(r.result_error) as Record<string, { error: string; error_description: string }>;
    for (const [name, error] of Object.entries(errors)) {
      if (AUTH_ERRORS.has(error.error)) {
        throw new AppError('CONNECTOR_AUTH_FAILED', {
          system: 'Bitrix24',
          url: this.portal,
          user: this.options.userId,
          object: commands[name]?.method ?? name,
          reason: `${error.error}: ${error.error_description}`,
        });
      }
    }
    return { result: byName(r.result), errors, next: byName(r.result_next), total: byName(r.result_total) };
  }

  /** Pages of a list method the classic way (`start` = 0, 50, …, following `next`): small lists (users, statuses). */
  async *pages(method: string, params: Record<string, unknown> = {}): AsyncGenerator<B24Row[]> {
    let start: number | undefined = 0;
    while (start !== undefined) {
      const answer = await this.call(method, { ...params, start });
      const rows = listOf(answer.result);
      if (rows.length) yield rows;
      start = answer.next;
    }
  }

  /**
   * Every row of a list method the fast way Bitrix24 documents for exports: `order: {ID: 'ASC'}`,
   * `filter: {'>ID': last}`, `start: -1` (no counting of the total), one request per 50 rows.
   */
  async *fastPages(method: string, params: { filter?: Record<string, unknown>; select?: readonly string[] } = {}): AsyncGenerator<B24Row[]> {
    let last = 0;
    for (;;) {
      const rows = listOf(await this.result(method, { order: { ID: 'ASC' }, filter: { ...params.filter, '>ID': last }, ...(params.select ? { select: params.select } : {}), start: -1 }));
      if (rows.length) yield rows;
      if (rows.length < PAGE) return;
      last = Number(rows[rows.length - 1]!.ID);
    }
  }

  /**
   * Every row of a list method, many pages per request: `batch`es of up to 50 fast-export
   * commands over ID ranges (`>ID` and `<=ID`), so one request reads up to 2,500 rows. A range
   * that gave a full page is read on from its last ID in the next batch; the ranges widen when
   * IDs are sparse. Rows come in ID order. `maxId` is the largest ID (read first).
   */
  async *batchedPages(method: string, params: { filter?: Record<string, unknown>; select?: readonly string[] } = {}): AsyncGenerator<B24Row[]> {
    const top = listOf(await this.result(method, { order: { ID: 'DESC' }, filter: params.filter ?? {}, select: ['ID'], start: -1 }));
    const maxId = top.length ? Number(top[0]!.ID) : 0;
    let width = PAGE;
    let next = 0;
    const open: { after: number; upto: number }[] = [];
    while (open.length || next < maxId) {
      const ranges = open.splice(0, BATCH_LIMIT);
      while (ranges.length < BATCH_LIMIT && next < maxId) {
        ranges.push({ after: next, upto: Math.min(next + width, maxId) });
        next = Math.min(next + width, maxId);
      }
      const commands = Object.fromEntries(
        ranges.map((r, i) => [
          `r${i}`,
          { method, params: { order: { ID: 'ASC' }, filter: { ...params.filter, '>ID': r.after, '<=ID': r.upto }, ...(params.select ? { select: params.select } : {}), start: -1 } },
        ]),
      );
      const answer = await this.batch(commands);
      const rows: B24Row[] = [];
      let span = 0;
      for (let i = 0; i < ranges.length; i++) {
        const name = `r${i}`;
        const error = answer.errors[name];
        if (error) throw this.remoteError(method, 200, error.error, error.error_description);
        const got = listOf(answer.result[name]);
        rows.push(...got);
        const range = ranges[i]!;
        const lastId = got.length ? Number(got[got.length - 1]!.ID) : range.upto;
        if (got.length >= PAGE && lastId < range.upto) open.push({ after: lastId, upto: range.upto });
        else span += range.upto - range.after;
      }
      // Sparse IDs: wider ranges (a full page is read on, so a range may hold any number).
      const density = span > 0 ? rows.length / span : 1;
      width = Math.min(100_000, Math.max(PAGE, Math.floor(PAGE / Math.max(density, 0.0005))));
      rows.sort((a, b) => Number(a.ID) - Number(b.ID));
      if (rows.length) yield rows;
    }
  }

  private remoteError(method: string, status: number, code: string, reason: string): AppError {
    return new AppError('CONNECTOR_REMOTE_ERROR', { system: 'Bitrix24', status, object: method, reason: `${code}${reason ? `: ${reason}` : ''}` });
  }
}

/** A list answer's rows: an array, or `{items: […]}` / `{tasks: […]}` of some methods. */
export function listOf(result: unknown): B24Row[] {
  if (Array.isArray(result)) return result as B24Row[];
  if (result && typeof result === 'object') {
    for (const key of ['items', 'tasks']) {
      const v = (result as Record<string, unknown>)[key];
      if (Array.isArray(v)) return v as B24Row[];
    }
  }
  return [];
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
