import { z } from 'zod';
import type { RouteModule } from '../context.js';

export const healthRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['service'],
        summary: 'Service health: up, and which database engine it uses',
        response: { 200: z.object({ status: z.literal('ok'), engine: z.enum(['duckdb', 'postgres']), version: z.string() }) },
      },
    },
    async () => {
      await ctx.db.query('SELECT 1 AS one');
      return { status: 'ok' as const, engine: ctx.db.dialect.name, version: process.env.npm_package_version ?? '0.1.0' };
    },
  );
};
