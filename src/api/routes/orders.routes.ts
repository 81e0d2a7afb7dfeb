import { checkOrder } from '../../domain/terms/order-check.js';
import { priceOrder } from '../../domain/terms/order-pricing.js';
import { orderCheckResultSchema, orderCheckSchema, orderPriceSchema, orderSchema } from '../../domain/terms/order.schema.js';
import { scopeOf } from '../access.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

/**
 * Orders against the sales terms (SPEC §5): pricing reads stored segment compositions and
 * cached terms — never the sales history — so it answers in milliseconds.
 */
export const ordersRoutes: RouteModule = (app) => {
  app.post(
    '/orders/price',
    {
      config: { access: 'manager', audit: false },
      schema: {
        tags: ['orders'],
        summary: "Price an order: per line the discount, the rule that gave it and the segment behind it; totals (a partner outside the caller's scope: 404)",
        body: orderSchema,
        response: { 200: orderPriceSchema, 400: errorSchema, 404: errorSchema, 422: errorSchema },
      },
    },
    async (request) => priceOrder(request.db, scopeOf(request), request.body),
  );

  app.post(
    '/orders/check',
    {
      config: { access: 'manager', audit: false },
      schema: {
        tags: ['orders'],
        summary: "May the order be shipped? Shipment bans, the manual discount limit, the agreement; and why not (a partner outside the caller's scope: 404)",
        body: orderCheckSchema,
        response: { 200: orderCheckResultSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => checkOrder(request.db, scopeOf(request), request.body),
  );
};
