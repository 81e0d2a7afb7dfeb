import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../errors/app-error.js';
import { networkReason } from '../network-reason.js';

/**
 * A client of 1C's standard OData interface (v3; developer guide §17.4): JSON answers
 * (`$format=json`), HTTP Basic as a 1C user, paging by `$top`/`$skip` under a stable `$orderby`
 * (never with `$inlinecount`, which makes 1C ignore the paging), Cyrillic names percent-encoded
 * in paths and options. It tells 1C's failures apart: an HTML sign-in page with status 200 or a
 * 401/403 (CONNECTOR_AUTH_FAILED), 404 for an object not published (CONNECTOR_OBJECT_UNPUBLISHED),
 * 1C's `odata.error` body (CONNECTOR_REMOTE_ERROR with its message), and retries 5xx answers and
 * time-outs with exponential backoff before giving up (CONNECTOR_UNREACHABLE). Requests are
 * spaced to at most `requestsPerSecond`.
 */

export interface ODataClientOptions {
  /** The base's publication, e.g. `http://srv/trade/odata/standard.odata` (with or without the tail). */
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** Ask only the rows the user may see (1C's row-level restrictions): `allowedOnly=true`. */
  readonly allowedOnly?: boolean;
  /** Most requests per second (default 20). */
  readonly requestsPerSecond?: number;
  /** Per-request time-out (default 60 s). */
  readonly timeoutMs?: number;
  /** Attempts for one request on 5xx and time-outs (default 4). */
  readonly attempts?: number;
  /** The first retry's wait; doubled each time (default 500 ms). */
  readonly backoffMs?: number;
  /** Told of every request sent (runs count them; tests too). */
  readonly onRequest?: ((method: string, url: string) => void) | undefined;
}

export interface QueryOptions {
  readonly select?: readonly string[];
  readonly filter?: string;
  readonly orderby?: string;
  readonly top?: number;
  readonly skip?: number;
}

export type ODataRow = Record<string, unknown>;

/** The empty reference and the empty date of 1C. */
export const EMPTY_REF = '00000000-0000-0000-0000-000000000000';
export const EMPTY_DATE = '0001-01-01T00:00:00';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `guid'…'` (only a well-formed GUID: a literal never carries text of the caller). */
export function guidLiteral(ref: string): string {
  if (!GUID.test(ref)) throw new Error(`not a GUID: ${ref}`);
  return `guid'${ref.toLowerCase()}'`;
}

/** `datetime'yyyy-mm-ddThh:mm:ss'` of a naive local time of the 1C server. */
export function datetimeLiteral(local: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}:\d{2}))?$/.exec(local);
  if (!m) throw new Error(`not a date: ${local}`);
  return `datetime'${m[1]}T${m[2] ?? '00:00:00'}'`;
}

/** A string literal, quotes doubled. */
export const stringLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** A reference value, or null for the empty one. */
export function refOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value !== EMPTY_REF ? value : null;
}

/** The date part of a 1C date, or null for the empty date. */
export function dateOf(value: unknown): string | null {
  if (typeof value !== 'string' || value.startsWith('0001-01-01')) return null;
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null;
}

export class ODataClient {
  readonly base: string;
  private readonly authorization: string;
  private nextAt = 0;
  /** Requests sent (every attempt). */
  requests = 0;

  constructor(private readonly options: ODataClientOptions) {
    const trimmed = options.url.replace(/\/+$/, '');
    this.base = /\/odata\/standard\.odata$/i.test(trimmed) ? trimmed : `${trimmed}/odata/standard.odata`;
    this.authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`, 'utf8').toString('base64')}`;
  }

  /** The URL of a resource with options, names and values percent-encoded. */
  urlOf(resource: string, query: QueryOptions = {}, format = true): string {
    const path = resource
      .split('/')
      .map((part) => encodePath(part))
      .join('/');
    const params: string[] = [];
    if (format) params.push('$format=json');
    if (query.select?.length) params.push(`$select=${encodeURIComponent(query.select.join(','))}`);
    if (query.filter) params.push(`$filter=${encodeURIComponent(query.filter)}`);
    if (query.orderby) params.push(`$orderby=${encodeURIComponent(query.orderby)}`);
    if (query.top !== undefined) params.push(`$top=${query.top}`);
    if (query.skip) params.push(`$skip=${query.skip}`);
    if (this.options.allowedOnly) params.push('allowedOnly=true');
    return `${this.base}/${path}${params.length ? `?${params.join('&')}` : ''}`;
  }

  /** Rows of one request (`value`). */
  async get(resource: string, query: QueryOptions = {}): Promise<ODataRow[]> {
    const body = await this.request('GET', resource, this.urlOf(resource, query));
    const value = (body as { value?: unknown } | null)?.value;
    if (!Array.isArray(value)) throw this.remoteError(resource, 200, 'the answer has no "value" list');
    return value as ODataRow[];
  }

  /**
   * Every row, a page at a time: `$top`/`$skip` under `orderby` (which must make the order
   * stable: a key). Ends at the first page shorter than the page size. The next page is asked
   * for while the caller works on this one (one request ahead, under the same rate limit), so
   * 1C's time to answer and ours to map overlap.
   */
  async *pages(resource: string, query: Omit<QueryOptions, 'top' | 'skip'> & { readonly orderby: string }, pageSize = 1000): AsyncGenerator<ODataRow[]> {
    const page = (skip: number) => {
      const rows = this.get(resource, { ...query, top: pageSize, skip });
      rows.catch(() => undefined); // awaited below, or dropped when the caller stops early
      return rows;
    };
    let next = page(0);
    for (let skip = 0; ; skip += pageSize) {
      const rows = await next;
      if (rows.length === pageSize) next = page(skip + pageSize);
      if (rows.length) yield rows;
      if (rows.length < pageSize) return;
    }
  }

  /** `$metadata` as CSDL XML text. */
  async metadata(): Promise<string> {
    const url = `${this.base}/$metadata`;
    return (await this.request('GET', '$metadata', url, undefined, 'xml')) as string;
  }

  /** Creates an object (POST), returning it as 1C answers. */
  async create(resource: string, body: ODataRow): Promise<ODataRow> {
    return (await this.request('POST', resource, this.urlOf(resource), body)) as ODataRow;
  }

  /** Changes an object (PATCH) at `key`, e.g. `(guid'…')`. */
  async update(resource: string, key: string, body: ODataRow): Promise<void> {
    await this.request('PATCH', resource, `${this.urlOf(resource + key, {}, false)}?$format=json`, body);
  }

  /** Deletes a record or an object at `key`. */
  async remove(resource: string, key: string): Promise<void> {
    await this.request('DELETE', resource, `${this.urlOf(resource + key, {}, false)}?$format=json`);
  }

  private async request(method: string, object: string, url: string, body?: ODataRow, expect: 'json' | 'xml' = 'json'): Promise<unknown> {
    const attempts = this.options.attempts ?? 4;
    let wait = this.options.backoffMs ?? 500;
    let last: AppError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        await sleep(wait);
        wait *= 2;
      }
      await this.pace();
      this.requests++;
      this.options.onRequest?.(method, url);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            authorization: this.authorization,
            accept: expect === 'xml' ? 'application/xml' : 'application/json',
            ...(body ? { 'content-type': 'application/json;charset=utf-8' } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
        });
      } catch (error) {
        last = new AppError('CONNECTOR_UNREACHABLE', { url: this.base, object, reason: networkReason(error) });
        continue;
      }
      const type = response.headers.get('content-type') ?? '';
      const text = await response.text().catch((error: unknown) => {
        last = new AppError('CONNECTOR_UNREACHABLE', { url: this.base, object, reason: networkReason(error) });
        return null;
      });
      if (text === null) continue;
      if (response.status === 401 || response.status === 403) throw this.authError(object, `HTTP ${response.status}${oneCMessage(text) ? `: ${oneCMessage(text)}` : ''}`);
      if (response.status === 404) throw new AppError('CONNECTOR_OBJECT_UNPUBLISHED', { object, url: this.base });
      if (response.status >= 500) {
        last = this.remoteError(object, response.status, oneCMessage(text) ?? (text.slice(0, 200) || response.statusText));
        continue;
      }
      if (response.status >= 400) throw this.remoteError(object, response.status, oneCMessage(text) ?? (text.slice(0, 200) || response.statusText));
      // 1C's web server answers a sign-in problem with its HTML page and status 200.
      if (/text\/html/i.test(type)) throw this.authError(object, 'the server answered an HTML page instead of data (its sign-in page)');
      if (response.status === 204 || text === '') return null;
      if (expect === 'xml') {
        if (!/xml/i.test(type) && !text.trimStart().startsWith('<')) throw this.remoteError(object, response.status, 'the answer is not XML');
        return text;
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw this.remoteError(object, response.status, 'the answer is not JSON');
      }
    }
    throw last ?? new AppError('CONNECTOR_UNREACHABLE', { url: this.base, object, reason: 'no attempt was made' });
  }

  private authError(object: string, reason: string): AppError {
    return new AppError('CONNECTOR_AUTH_FAILED', { system: '1C', url: this.base, user: this.options.user, object, reason });
  }

  private remoteError(object: string, status: number, reason: string): AppError {
    return new AppError('CONNECTOR_REMOTE_ERROR', { system: '1C', status, object, reason });
  }

  /** Waits for the request's slot under the rate limit. */
  private async pace(): Promise<void> {
    const gap = 1000 / (this.options.requestsPerSecond ?? 20);
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + gap;
    if (at > now) await sleep(at - now);
  }
}

/** A path segment: Cyrillic and specials percent-encoded, OData's key syntax `(…)`, `'` and `=` kept. */
function encodePath(part: string): string {
  return encodeURIComponent(part).replace(/%28/g, '(').replace(/%29/g, ')').replace(/%27/g, "'").replace(/%3D/g, '=').replace(/%2C/g, ',');
}

/** 1C's error message from `{"odata.error":{"code":…,"message":{"lang":…,"value":…}}}`. */
function oneCMessage(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as { 'odata.error'?: { code?: unknown; message?: { value?: unknown } } };
    const error = parsed['odata.error'];
    const value = error?.message?.value;
    return typeof value === 'string' ? `${value}${error?.code !== undefined ? ` (code ${String(error.code)})` : ''}` : null;
  } catch {
    return null;
  }
}
