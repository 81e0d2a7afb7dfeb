import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Where `npm run build` puts the web UI: `<package>/dist/web`. This module is two levels below
 * the package root both as source (src/api) and compiled (dist/api), so one path serves both.
 */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Vite names bundled files by content hash under this folder, so they may be cached forever. */
const ASSETS_PREFIX = '/assets/';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Segmenta</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.5">
<h1>Segmenta</h1>
<p>The web interface is not built, so there is nothing to show here. The API works at <a href="/api/openapi.json">/api</a>.</p>
<p>Build the interface with <code>npm run build</code> (server and interface) or <code>npm run build:web</code>, then restart <code>segmenta serve</code>.</p>
<p lang="ru">Веб-интерфейс не собран. Соберите его командой <code>npm run build</code> и перезапустите <code>segmenta serve</code>.</p>
</body></html>
`;

export interface WebUi {
  /** Whether a built UI was found and is being served. */
  readonly served: boolean;
  /**
   * Answers a request no route matched, if it is a page of the single-page app; returns
   * undefined when the caller should answer with the JSON 404 instead.
   */
  fallback(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined;
}

/** True for a browser navigation to a page of the app (not the API, not a bundled file). */
function isAppPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? request.url;
  return !(path === '/api' || path.startsWith('/api/') || path.startsWith(ASSETS_PREFIX));
}

/**
 * Serves the built single-page app from `root` at `/`. Paths the router knows on the client
 * (/partners/p1) get index.html; /api and missing bundle files keep the JSON 404. Without a
 * build, pages say plainly that the UI is not built.
 */
export async function registerWebUi(app: FastifyInstance, root: string): Promise<WebUi> {
  if (!existsSync(join(root, 'index.html'))) {
    return {
      served: false,
      fallback: (request, reply) => (isAppPage(request) ? reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE) : undefined),
    };
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: 'index.html',
    // Our own Cache-Control below: hashed bundles forever, everything else revalidated.
    cacheControl: false,
    setHeaders: (res, filePath) => {
      const hashed = filePath.startsWith(join(root, 'assets'));
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return {
    served: true,
    fallback: (request, reply) => (isAppPage(request) ? reply.type('text/html; charset=utf-8').sendFile('index.html') : undefined),
  };
}
