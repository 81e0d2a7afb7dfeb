import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createAgreement, deleteAgreement, getAgreement, listAgreements, updateAgreement } from '../../domain/terms/agreements.js';
import { createCampaign, deleteCampaign, getCampaign, listCampaigns, updateCampaign } from '../../domain/terms/campaigns.js';
import { discountTableCsvOptionsSchema, discountTableInputSchema } from '../../domain/terms/discount-table.schema.js';
import { deleteDiscountTable, getDiscountTable, listDiscountTables, saveDiscountTable, saveDiscountTableCsv } from '../../domain/terms/discount-tables.js';
import { createDiscount, deleteDiscount, getDiscount, listDiscounts, updateDiscount } from '../../domain/terms/discounts.js';
import { createManualDiscountLimit, deleteManualDiscountLimit, getManualDiscountLimit, listManualDiscountLimits, updateManualDiscountLimit } from '../../domain/terms/manual-discount-limits.js';
import { openAgreements } from '../../domain/terms/partner-agreements.js';
import { createPriceType, deletePriceType, getPriceType, listPriceTypes, updatePriceType } from '../../domain/terms/price-types.js';
import { priceTypeInputSchema, priceTypePatchSchema, priceTypeSchema } from '../../domain/terms/prices.schema.js';
import { createShipmentBan, deleteShipmentBan, getShipmentBan, listShipmentBans, updateShipmentBan } from '../../domain/terms/shipment-bans.js';
import type { Database } from '../../storage/database.js';
import { auditId, type AuditSpec } from '../audit.js';
import { stateAndResult } from '../audit-states.js';
import { scopeOf } from '../access.js';
import type { ApiInstance, RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';
import {
  agreementInputSchema,
  agreementPatchSchema,
  agreementSchema,
  campaignInputSchema,
  campaignPatchSchema,
  campaignSchema,
  discountInputSchema,
  discountPatchSchema,
  discountSchema,
  discountTableSchema,
  manualDiscountLimitInputSchema,
  manualDiscountLimitPatchSchema,
  manualDiscountLimitSchema,
  shipmentBanInputSchema,
  shipmentBanPatchSchema,
  shipmentBanSchema,
  tableUploadResultSchema,
} from '../../domain/terms/terms.schema.js';

/**
 * Sales terms (SPEC §5, docs/sales-terms.md): campaigns, agreements, discounts, cumulative
 * discount tables, shipment bans, manual discount limits. Every segment they name goes
 * through the shared guard: a dynamic, archived, missing or wrong-kind segment is refused (422).
 */

const idParams = z.object({ id: z.string() });
const errors = { 400: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema };

/**
 * The five plain resources share one shape: list, create, read, change, delete. Results are
 * checked against `output` by the response serializer, so the methods may return domain objects.
 */
interface Resource<Input extends z.ZodType, Patch extends z.ZodType, Output extends z.ZodType> {
  readonly path: string;
  readonly tag: string;
  readonly what: string;
  readonly input: Input;
  readonly patch: Patch;
  readonly output: Output;
  list(db: Database): Promise<readonly object[]>;
  get(db: Database, id: string): Promise<object>;
  create(db: Database, input: z.output<Input>): Promise<object>;
  update(db: Database, id: string, patch: z.output<Patch>): Promise<object>;
  remove(db: Database, id: string): Promise<void>;
}

function registerResource<I extends z.ZodType, P extends z.ZodType, O extends z.ZodType>(app: ApiInstance, db: Database, r: Resource<I, P, O>): void {
  // Widened to plain zod types: generic schemas leave Fastify unable to resolve reply types.
  // The validator still checks bodies against r.input and the serializer results against r.output.
  const input: z.ZodType = r.input;
  const patch: z.ZodType = r.patch;
  const output: z.ZodType = r.output;
  const out = (value: object): unknown => value;
  // The audit log records the term before and after (campaigns → campaign.create, …).
  const audit: AuditSpec = { entity: r.path.replace(/s$/, ''), load: (id) => r.get(db, id) };
  app.get(`/${r.path}`, { config: { access: 'manager' }, schema: { tags: [r.tag], summary: `All ${r.what}s`, response: { 200: z.object({ items: z.array(output) }) } } }, async (request) => ({
    items: (await r.list(request.db)).map(out),
  }));
  app.post(
    `/${r.path}`,
    { config: { access: 'analyst', audit }, schema: { tags: [r.tag], summary: `Create a ${r.what}`, body: input, response: { 201: output, ...errors } } },
    async (request, reply) => reply.status(201).send(out(await r.create(db, request.body as z.output<I>))),
  );
  app.get(`/${r.path}/:id`, { config: { access: 'manager' }, schema: { tags: [r.tag], summary: `One ${r.what}`, params: idParams, response: { 200: output, 404: errorSchema } } }, async (request) =>
    out(await r.get(request.db, request.params.id)),
  );
  app.patch(
    `/${r.path}/:id`,
    { config: { access: 'analyst', audit }, schema: { tags: [r.tag], summary: `Change a ${r.what}`, params: idParams, body: patch, response: { 200: output, ...errors } } },
    async (request) => out(await r.update(db, request.params.id, request.body as z.output<P>)),
  );
  app.delete(
    `/${r.path}/:id`,
    { config: { access: 'analyst', audit }, schema: { tags: [r.tag], summary: `Delete a ${r.what}`, params: idParams, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      await r.remove(db, request.params.id);
      return reply.status(204).send(null);
    },
  );
}

/** Domain objects are deeply readonly; the reply types want mutable arrays of the same shape. */
type Writable<T> = T extends readonly (infer U)[] ? Writable<U>[] : T extends object ? { -readonly [K in keyof T]: Writable<T[K]> } : T;
const plain = <T>(value: T): Writable<T> => value as Writable<T>;

const discountWithSegments = discountSchema.extend({
  createdSegments: z.array(z.string()).describe('Periodic segments created (and generated) for its cumulative conditions'),
});

export const termsRoutes: RouteModule = async (app, ctx) => {
  const { db } = ctx;
  const tableAudit: AuditSpec = { entity: 'discount-table', action: 'discount-table.save', load: (id) => getDiscountTable(db, id) };

  registerResource(app, db, {
    path: 'campaigns',
    tag: 'sales terms',
    what: 'marketing campaign',
    input: campaignInputSchema,
    patch: campaignPatchSchema,
    output: campaignSchema,
    list: listCampaigns,
    get: getCampaign,
    create: createCampaign,
    update: updateCampaign,
    remove: deleteCampaign,
  });

  registerResource(app, db, {
    path: 'agreements',
    tag: 'sales terms',
    what: 'agreement (standard sales terms)',
    input: agreementInputSchema,
    patch: agreementPatchSchema,
    output: agreementSchema,
    list: listAgreements,
    get: getAgreement,
    create: createAgreement,
    update: updateAgreement,
    remove: deleteAgreement,
  });

  registerResource(app, db, {
    path: 'discounts',
    tag: 'sales terms',
    what: 'discount or markup',
    input: discountInputSchema,
    patch: discountPatchSchema,
    output: discountWithSegments,
    list: async (d) => (await listDiscounts(d)).map((x) => ({ ...plain(x), createdSegments: [] })),
    get: async (d, id) => ({ ...plain(await getDiscount(d, id)), createdSegments: [] }),
    create: async (d, input) => {
      const saved = await createDiscount(ctx.services.segments, input);
      return { ...plain(saved.discount), createdSegments: saved.createdSegments.map((s) => s.id) };
    },
    update: async (d, id, patch) => {
      const saved = await updateDiscount(ctx.services.segments, id, patch);
      return { ...plain(saved.discount), createdSegments: saved.createdSegments.map((s) => s.id) };
    },
    remove: async (d, id) => {
      await deleteDiscount(ctx.services.segments, id);
    },
  });

  registerResource(app, db, {
    path: 'shipment-bans',
    tag: 'sales terms',
    what: 'shipment ban',
    input: shipmentBanInputSchema,
    patch: shipmentBanPatchSchema,
    output: shipmentBanSchema,
    list: listShipmentBans,
    get: getShipmentBan,
    create: createShipmentBan,
    update: updateShipmentBan,
    remove: deleteShipmentBan,
  });

  registerResource(app, db, {
    path: 'manual-discount-limits',
    tag: 'sales terms',
    what: 'manual discount limit',
    input: manualDiscountLimitInputSchema,
    patch: manualDiscountLimitPatchSchema,
    output: manualDiscountLimitSchema,
    list: listManualDiscountLimits,
    get: getManualDiscountLimit,
    create: createManualDiscountLimit,
    update: updateManualDiscountLimit,
    remove: deleteManualDiscountLimit,
  });

  app.get(
    '/discount-tables',
    { config: { access: 'manager' }, schema: { tags: ['sales terms'], summary: 'Cumulative discount tables', response: { 200: z.object({ items: z.array(discountTableSchema) }) } } },
    async (request) => ({
      items: plain(await listDiscountTables(request.db)),
    }),
  );

  app.post(
    '/discount-tables',
    {
      config: { access: 'analyst', audit: { ...tableAudit, id: auditId.body('id') } },
      schema: {
        tags: ['sales terms'],
        summary: 'Create or update a whole cumulative discount table (seed 002) in one call: its segments and discounts',
        description:
          'Rows are product segments, columns thresholds over periods, cells percents. Each filled cell becomes a discount and (shared by equal cells) a periodic partner segment, generated at once and daily. Uploading the same id again updates the table in place.',
        body: discountTableInputSchema,
        response: { 200: tableUploadResultSchema, ...errors },
      },
    },
    async (request) => {
      const result = await saveDiscountTable(ctx.services.segments, request.body);
      return plain(result);
    },
  );

  // The CSV upload takes the file itself as the body; only this scope parses text/csv.
  await app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.addContentTypeParser(['text/csv', 'text/plain', 'application/csv'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.put(
      '/discount-tables/:id/csv',
      {
        config: { access: 'analyst', audit: tableAudit },
        schema: {
          tags: ['sales terms'],
          summary: 'Create or update a cumulative discount table from a CSV file (the body, text/csv)',
          description:
            'Header: a first cell, then one heading per column ("После первой покупки", "от 10000 за 24 мес.", "10000/24"); each row: a product segment (id or exact name) and its percents (decimal "," or "."; empty: no discount). See docs/sales-terms.md.',
          consumes: ['text/csv'],
          params: idParams,
          querystring: discountTableCsvOptionsSchema,
          body: z.string().describe('The CSV file'),
          response: { 200: tableUploadResultSchema, ...errors },
        },
      },
      async (request) => {
        const result = await saveDiscountTableCsv(ctx.services.segments, request.params.id, request.body, request.query);
        return plain(result);
      },
    );
  });

  app.get(
    '/discount-tables/:id',
    { config: { access: 'manager' }, schema: { tags: ['sales terms'], summary: 'One cumulative discount table', params: idParams, response: { 200: discountTableSchema, 404: errorSchema } } },
    async (request) => plain(await getDiscountTable(request.db, request.params.id)),
  );

  app.delete(
    '/discount-tables/:id',
    {
      config: { access: 'analyst', audit: { ...tableAudit, action: 'discount-table.delete', after: stateAndResult } },
      schema: {
        tags: ['sales terms'],
        summary: 'Delete a table with its discounts (and the segments made for them that nothing else uses)',
        params: idParams,
        response: { 200: z.object({ removed: z.number(), droppedSegments: z.array(z.string()) }), ...errors },
      },
    },
    async (request) => {
      const result = await deleteDiscountTable(ctx.services.segments, request.params.id);
      return result;
    },
  );

  registerResource(app, db, {
    path: 'price-types',
    tag: 'prices',
    what: 'price type',
    input: priceTypeInputSchema,
    patch: priceTypePatchSchema,
    output: priceTypeSchema,
    list: listPriceTypes,
    get: getPriceType,
    create: createPriceType,
    update: updatePriceType,
    remove: async (database, id) => {
      await deletePriceType(database, id);
    },
  });

  app.get(
    '/partners/:id/agreements',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['sales terms'],
        summary: "The agreements open to a partner on a date: active, valid, and for a segment the partner is in (or for everyone); a partner outside the caller's scope: 404",
        params: idParams,
        querystring: z.object({
          date: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .optional()
            .describe('YYYY-MM-DD; today when left out'),
        }),
        response: { 200: z.object({ items: z.array(agreementSchema) }), 404: errorSchema },
      },
    },
    async (request) => ({ items: await openAgreements(request.db, scopeOf(request), request.params.id, ...(request.query.date ? [request.query.date] : [])) }),
  );
};
