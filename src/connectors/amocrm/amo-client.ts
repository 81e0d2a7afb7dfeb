import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../errors/app-error.js';
import { networkReason } from '../network-reason.js';

/**
 * A client of amoCRM's REST API v4 (`https://<subdomain>.amocrm.ru/api/v4/…`): a long-lived
 * token as `Authorization: Bearer`, lists read a page at a time (`limit` ≤ 250, `page`) while
 * the answer has `_links.next`, an empty page answered 204 No Content. amoCRM allows at most
 * 7 requests a second per integration and answers 429 beyond it (repeated excess blocks the
 * account's IP with 403): requests are spaced client-side, a 429 or 5xx is retried after a
 * doubling pause (Retry-After honoured). 401 is a token amoCRM does not accept.
 */

export interface AmoClientOptions {
  /** The account's address, `https://<subdomain>.amocrm.ru` (a path after it is dropped). */
  readonly url: string;
  readonly token: string;
  /** Most requests per second (amoCRM's limit is 7). */
  readonly requestsPerSecond?: number;
  readonly timeoutMs?: number;
  /** Attempts of one request on 429, 5xx and time-outs. */
  readonly attempts?: number;
  /** The first retry's pause; doubled each time. */
  readonly backoffMs?: number;
  readonly onRequest?: ((method: string, url: string) => void) | undefined;
}

export type AmoObject = Record<string, unknown>;
export type Query = Readonly<Record<string, string | number | readonly (string | number)[] | undefined>>;

/** amoCRM's largest page. */
export const AMO_MAX_LIMIT = 250;

export class AmoClient {
  readonly base: string;
  private nextAt = 0;
  requests = 0;

  constructor(private readonly options: AmoClientOptions) {
    const parsed = new URL(options.url);
    this.base = `${parsed.protocol}//${parsed.host}`;
  }

  urlOf(path: string, query: Query = {}): string {
    const params: string[] = [];
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value as readonly (string | number)[]) params.push(`${encodeURIComponent(`${name}[]`)}=${encodeURIComponent(String(v))}`);
      else params.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
    }
    return `${this.base}/api/v4/${path}${params.length ? `?${params.join('&')}` : ''}`;
  }

  /** One object or answer (null on 204). */
  async get(path: string, query: Query = {}): Promise<AmoObject | null> {
    return (await this.request('GET', path, this.urlOf(path, query))) as AmoObject | null;
  }

  /**
   * Every object of a list, a page at a time: `_embedded[key]` of each page, while the page has
   * `_links.next` (followed as amoCRM gives it); a 204 ends the list.
   */
  async *pages(path: string, key: string, query: Query = {}, limit = AMO_MAX_LIMIT): AsyncGenerator<AmoObject[]> {
    let url: string | null = this.urlOf(path, { ...query, limit: Math.min(limit, AMO_MAX_LIMIT), page: 1 });
    while (url) {
      const body = (await this.request('GET', path, url)) as AmoObject | null;
      if (!body) return;
      const items = (body._embedded as Record<string, unknown> | undefined)?.[key];
      if (!Array.isArray(items)) throw this.remoteError(path, 200, `the answer has no _embedded.${key} list`);
      if (items.length) yield items as AmoObject[];
      const next = ((body._links as Record<string, { href?: unknown } | undefined> | undefined)?.next?.href ?? null) as string | null;
      url = typeof next === 'string' && items.length ? this.sameOrigin(next, path) : null;
    }
  }

  async all(path: string, key: string, query: Query = {}, limit = AMO_MAX_LIMIT): Promise<AmoObject[]> {
    const out: AmoObject[] = [];
    for await (const page of this.pages(path, key, query, limit)) out.push(...page);
    return out;
  }

  async post(path: string, body: unknown): Promise<AmoObject> {
    return ((await this.request('POST', path, this.urlOf(path), body)) ?? {}) as AmoObject;
  }

  async patch(path: string, body: unknown): Promise<AmoObject> {
    return ((await this.request('PATCH', path, this.urlOf(path), body)) ?? {}) as AmoObject;
  }

  /** `_links.next` is absolute; it must stay on the account's host (the token goes only there). */
  private sameOrigin(href: string, path: string): string {
    const next = new URL(href, this.base);
    if (`${next.protocol}//${next.host}` !== this.base) throw this.remoteError(path, 200, `_links.next points elsewhere (${next.host})`);
    return next.toString();
  }

  private async request(method: string, object: string, url: string, body?: unknown): Promise<unknown> {
    const attempts = this.options.attempts ?? 5;
    let wait = this.options.backoffMs ?? 1000;
    let last: AppError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.pace();
      this.requests++;
      this.options.onRequest?.(method, url);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            accept: 'application/hal+json, application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
        });
      } catch (error) {
        last = new AppError('CONNECTOR_UNREACHABLE', { url: this.base, object, reason: networkReason(error) });
        this.pause(wait);
        wait *= 2;
        continue;
      }
      const text = await response.text().catch(() => null);
      if (text === null) {
        last = new AppError('CONNECTOR_UNREACHABLE', { url: this.base, object, reason: 'the answer broke off' });
        continue;
      }
      if (response.status === 401) {
        throw new AppError('CONNECTOR_AUTH_FAILED', {
          system: 'amoCRM',
          url: this.base,
          user: 'long-lived token',
          object,
          reason: `HTTP 401${amoMessage(text) ? `: ${amoMessage(text)}` : ''} (give a new token)`,
        });
      }
      if (response.status === 429 || response.status >= 500) {
        last = this.remoteError(object, response.status, amoMessage(text) ?? (response.status === 429 ? 'too many requests' : response.statusText));
        const retryAfter = Number(response.headers.get('retry-after'));
        this.pause(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.max(wait, retryAfter * 1000) : wait);
        wait *= 2;
        continue;
      }
      if (response.status === 204 || text === '') return null;
      if (response.status >= 400) throw this.remoteError(object, response.status, amoMessage(text) ?? (text.slice(0, 200) || response.statusText));
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw this.remoteError(object, response.status, 'the answer is not JSON');
      }
    }
    throw last ?? new AppError('CONNECTOR_UNREACHABLE', { url: this.base, object, reason: 'no attempt was made' });
  }

  private remoteError(object: string, status: number, reason: string): AppError {
    return new AppError('CONNECTOR_REMOTE_ERROR', { system: 'amoCRM', status, object, reason });
  }

  /** A pause after a refusal also pushes the next request's slot. */
  private pause(ms: number): void {
    this.nextAt = Math.max(this.nextAt, Date.now() + ms);
  }

  /**
   * Waits for the request's slot: requests 5% more than 1/rps apart (7 a second: 150 ms), as
   * amoCRM counts arrivals, which jitter; the next slot counts from when the request really
   * leaves (a timer firing late on a busy machine must not shorten the next gap).
   */
  private async pace(): Promise<void> {
    const gap = Math.ceil(1050 / (this.options.requestsPerSecond ?? 7));
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + gap;
    if (at > now) await sleep(at - now);
    this.nextAt = Math.max(this.nextAt, Date.now() + gap);
  }
}

/** amoCRM's problem JSON: `{"title":…,"detail":…,"validation-errors":…}`. */
function amoMessage(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as { title?: unknown; detail?: unknown; hint?: unknown; 'validation-errors'?: unknown };
    const parts = [parsed.title, parsed.detail, parsed.hint].filter((p): p is string => typeof p === 'string' && p !== '');
    if (parsed['validation-errors'] !== undefined) parts.push(JSON.stringify(parsed['validation-errors']).slice(0, 300));
    return parts.length ? parts.join(': ') : null;
  } catch {
    return null;
  }
}
