import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { TargetRefusedError, type TargetGuard } from './target-guard.js';

/** What a POST gave: the status (null when no answer came) and the first bytes of the answer or the error. */
export interface PostOutcome {
  readonly status: number | null;
  readonly excerpt: string;
  readonly error: string | null;
  readonly durationMs: number;
}

const EXCERPT_BYTES = 1024;

/**
 * POSTs a JSON body within `timeoutMs` (the whole exchange), through the SSRF guard; never
 * follows redirects (a 3xx is a failure, as Standard Webhooks says). Never throws.
 */
export function postJson(url: string, body: string, headers: Record<string, string>, guard: TargetGuard, timeoutMs: number): Promise<PostOutcome> {
  const started = Date.now();
  const done = (status: number | null, excerpt: string, error: string | null): PostOutcome => ({ status, excerpt, error, durationMs: Date.now() - started });
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve(done(null, '', `not a URL: ${url}`));
      return;
    }
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !guard.permits(host)) {
      resolve(done(null, '', new TargetRefusedError(host, host).message));
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : null;
    if (!send) {
      resolve(done(null, '', `unsupported scheme ${target.protocol}`));
      return;
    }
    const req = send(
      target,
      {
        method: 'POST',
        lookup: guard.lookup,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Segmenta-Webhooks/1', ...headers },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < EXCERPT_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => resolve(done(res.statusCode ?? null, Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8'), null)));
        res.on('error', (error) => resolve(done(res.statusCode ?? null, '', error.message)));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (error) => resolve(done(null, '', error.message)));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}
