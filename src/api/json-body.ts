import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';

/**
 * Largest JSON request body, 10 MB: a rule, a segment or an order of 10,000 lines is far below
 * it. Imports stream their files through parsers of their own and are not bound by it.
 */
export const JSON_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * Deepest nesting of a JSON body. Rules nest a few levels (and/or/not over conditions), settings
 * two or three; 64 leaves room and stops a body of 10,000 nested arrays before any recursive code
 * (validation, describing values, compiling) overflows the stack.
 */
export const JSON_DEPTH_LIMIT = 64;

/** Where `value` first nests deeper than `limit`, as a path like `body.rule.and[0]…`; null when it does not. */
export function tooDeepAt(value: unknown, limit: number): string | null {
  // Iterative, so that checking depth cannot itself run out of stack.
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: 'body' }];
  while (stack.length) {
    const { value: node, depth, path } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return path.length > 200 ? `${path.slice(0, 200)}…` : path;
    const entries = Array.isArray(node) ? node.map((v, i) => [`[${i}]`, v] as const) : Object.entries(node).map(([k, v]) => [`.${k}`, v] as const);
    for (const [step, child] of entries) stack.push({ value: child, depth: depth + 1, path: path + step });
  }
  return null;
}

/** JSON bodies: Fastify's own safe parser (no __proto__ pollution), then the depth limit. */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    void parse(request, String(body), (error, value) => {
      if (error) return done(error, undefined);
      const at = tooDeepAt(value, JSON_DEPTH_LIMIT);
      if (at !== null) return done(new AppError('BODY_TOO_DEEP', { limit: JSON_DEPTH_LIMIT, path: at }), undefined);
      done(null, value);
    });
  });
}
