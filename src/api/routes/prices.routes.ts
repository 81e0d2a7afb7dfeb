import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { partnerPriceList, PRICE_LIST_MAX } from '../../domain/terms/partner-prices.js';
import { priceListLanguage, priceListXlsx, PRICE_LIST_LANGUAGES } from '../../domain/terms/price-list-xlsx.js';
import { deletePrice, listPrices, priceRowId, setPrice } from '../../domain/terms/prices.js';
import { partnerPriceListSchema, priceRowInputSchema, priceRowSchema } from '../../domain/terms/prices.schema.js';
import { isoDateSchema } from '../../domain/terms/terms.schema.js';
import { todayIso } from '../../rules/calendar.js';
import { scopeOf } from '../access.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

/**
 * Prices (docs/sales-terms.md#prices): the prices history of the set-by-hand price types, one
 * row at a time (bulk: `POST /api/import/prices`), and a partner's prices on a date — as JSON
 * or as an XLSX price list for the client. Price types themselves are in terms.routes.ts.
 */

const errors = { 400: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema };
const rowKey = z.object({ priceTypeId: z.string().min(1), productId: z.string().min(1), validFrom: isoDateSchema });

const priceListQuery = z
  .strictObject({
    date: isoDateSchema.optional().describe('YYYY-MM-DD; today when left out'),
    products: z.string().max(100_000).optional().describe('Product ids, comma-separated'),
    productSegment: z.string().optional().describe('A stored product segment: its members'),
    agreementId: z.string().optional().describe('An agreement open to the partner; else the one that applies'),
    lang: z.enum(PRICE_LIST_LANGUAGES).optional().describe('XLSX only: the language of the file; else Accept-Language'),
  })
  .refine((q) => (q.products === undefined) !== (q.productSegment === undefined), { message: 'give either products or productSegment', path: ['products'] });

type PriceListQuery = z.output<typeof priceListQuery>;
const listRequest = (q: PriceListQuery) => ({
  date: q.date ?? todayIso(),
  products: q.products
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .slice(0, PRICE_LIST_MAX),
  productSegment: q.productSegment,
  agreementId: q.agreementId,
});

export const pricesRoutes: RouteModule = (app, ctx) => {
  const { db } = ctx;

  app.get(
    '/prices',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['prices'],
        summary: 'The prices history: rows by price type, product and date (newest first); with date, only the rows in force on it',
        querystring: z.strictObject({
          priceTypeId: z.string().optional(),
          productId: z.string().optional(),
          date: isoDateSchema.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ items: z.array(priceRowSchema), total: z.number() }), 400: errorSchema },
      },
    },
    async (request) => listPrices(request.db, request.query),
  );

  app.put(
    '/prices',
    {
      config: { access: 'analyst', audit: { entity: 'price', action: 'price.set', id: (request) => priceRowId(request.body as z.output<typeof priceRowInputSchema>) } },
      schema: {
        tags: ['prices'],
        summary: 'Set the price of a product in a set-by-hand price type from a date (replaces the row of the same date)',
        body: priceRowInputSchema,
        response: { 200: priceRowSchema, ...errors },
      },
    },
    async (request) => setPrice(db, request.body),
  );

  app.delete(
    '/prices',
    {
      config: { access: 'analyst', audit: { entity: 'price', action: 'price.delete', id: (request) => priceRowId(request.query as z.output<typeof rowKey>) } },
      schema: { tags: ['prices'], summary: 'Delete one row of the prices history', querystring: rowKey, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await deletePrice(db, request.query);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/partners/:id/prices',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['prices'],
        summary: "A partner's prices on a date: the price type of the agreement that applies (else the default type) and each product's price in it (a partner outside the caller's scope: 404)",
        params: z.object({ id: z.string() }),
        querystring: priceListQuery,
        response: { 200: partnerPriceListSchema, ...errors },
      },
    },
    async (request) => partnerPriceList(request.db, scopeOf(request), request.params.id, listRequest(request.query)),
  );

  app.get(
    '/partners/:id/price-list.xlsx',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['prices'],
        summary: 'The same as an XLSX "price list for the client", in the language of `lang` or Accept-Language (ru, en)',
        params: z.object({ id: z.string() }),
        querystring: priceListQuery,
        response: errors,
      },
    },
    async (request, reply) => {
      const list = await partnerPriceList(request.db, scopeOf(request), request.params.id, listRequest(request.query));
      const lang = priceListLanguage(request.query.lang, request.headers['accept-language']);
      const file = await priceListXlsx(list, lang);
      // A file, not one of the schema's JSON answers.
      const raw: FastifyReply = reply;
      return raw
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="price-list-${encodeURIComponent(list.partnerId)}-${list.date}.xlsx"`)
        .send(file);
    },
  );
};
