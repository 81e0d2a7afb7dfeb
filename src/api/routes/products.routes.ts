import { z } from 'zod';
import { escapeLike } from '../../sql/compile/predicates.js';
import { sql, type Sql } from '../../sql/sql.js';
import { partnerInScope } from '../../domain/access/partner-scope-sql.js';
import { scopeOf } from '../access.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';
import { productChoiceSchema } from '../../domain/terms/terms.schema.js';

/**
 * Products to pick from, e.g. for the order lines of the web UI's pricing try-out: a search by
 * name or code, a short list, each with the price of its last sale as a suggestion (products carry
 * no list price; sales are the only prices the service knows).
 */

const textOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export const productsRoutes: RouteModule = (app) => {
  app.get(
    '/products',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['products'],
        summary: 'Products by name or code (a short list to pick from), with the price of the last sale (a manager: the last sale to own partners)',
        querystring: z.object({
          q: z.string().optional().describe('Substring of the name or the code, case-insensitive'),
          ids: z.string().optional().describe('Comma-separated codes: exactly these products'),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ items: z.array(productChoiceSchema) }), 400: errorSchema },
      },
    },
    async (request) => {
      const { q, ids, limit } = request.query;
      const where: Sql[] = [];
      if (q?.trim()) {
        // Escaped: `%` and `_` typed in the search box are matched as themselves.
        const pattern = sql.param(`%${escapeLike(q.trim().toLowerCase())}%`);
        where.push(sql`(lower(name) LIKE ${pattern} ESCAPE '\\' OR lower(id) LIKE ${pattern} ESCAPE '\\')`);
      }
      const wanted = (ids ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean)
        .slice(0, 100);
      if (ids !== undefined) where.push(wanted.length ? sql`id IN (${sql.list(wanted)})` : sql`FALSE`);
      const rows = await request.db.query(
        sql`SELECT id, name, group_id, brand, unit FROM products ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql.empty} ORDER BY name, id LIMIT ${sql.raw(String(Math.trunc(limit)))}`,
      );
      if (rows.length === 0) return { items: [] };
      const found = rows.map((row) => String(row.id));
      const prices = await request.db.query(
        sql`SELECT product_id, price FROM (
           SELECT product_id, revenue / quantity AS price, ROW_NUMBER() OVER (PARTITION BY product_id ORDER BY date DESC, id DESC) AS rn
           FROM sales WHERE quantity > 0 AND product_id IN (${sql.list(found)}) AND ${partnerInScope(scopeOf(request), sql`partner_id`)}
         ) last_sales WHERE rn = 1`,
      );
      const lastPrice = new Map(prices.map((row) => [String(row.product_id), Math.round(Number(row.price) * 100) / 100]));
      return {
        items: rows.map((row) => ({
          id: String(row.id),
          name: String(row.name),
          group: textOrNull(row.group_id),
          brand: textOrNull(row.brand),
          unit: textOrNull(row.unit),
          lastPrice: lastPrice.get(String(row.id)) ?? null,
        })),
      };
    },
  );
};
