import { z } from 'zod';
import { getPartner, listPartners, PARTNER_SORTS, SORT_ORDERS } from '../../domain/partners/partners.repository.js';
import { ENTITIES, LEGAL_FORMS, PARTNER_ROLES } from '../../model/entities.js';
import { reportMembers, reportSegment } from '../../domain/reports/report-segments.js';
import { scopeOf } from '../access.js';
import type { RouteModule } from '../context.js';
import { booleanQuery, errorSchema, pageQuery, recordSchema } from '../schemas.js';

const partnerSchema = recordSchema(ENTITIES.partners).meta({ id: 'Partner' });

export const partnersRoutes: RouteModule = (app) => {
  app.get(
    '/partners',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['partners'],
        summary: 'Partners, a page at a time, filtered by field (a manager: own partners only)',
        querystring: z.object({
          ...pageQuery,
          q: z.string().optional().describe('Substring of name, e-mail or phone'),
          role: z.enum(PARTNER_ROLES).optional(),
          legalForm: z.enum(LEGAL_FORMS).optional(),
          group: z.string().optional(),
          region: z.string().optional(),
          manager: z.string().optional(),
          type: z.string().optional(),
          segment: z.string().min(1).optional().describe('Only the members of this partner segment (a dynamic one evaluated today; a manager: own partners among them)'),
          deleted: booleanQuery.optional(),
          sort: z.enum(PARTNER_SORTS as [string, ...string[]]).default('name'),
          order: z.enum(SORT_ORDERS).default('asc').describe('Sort direction; partners without a value come last either way'),
        }),
        response: {
          200: z.object({ items: z.array(partnerSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }),
          400: errorSchema,
        },
      },
    },
    async (request) => {
      const { limit, offset, sort, order, segment: segmentId, ...filter } = request.query;
      const clean = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      const scope = scopeOf(request);
      // A segment's members: the reports' one reading of a composition (stored list, or the rule today).
      const memberOf = segmentId ? await reportMembers(request.db, scope, await reportSegment(request.db, 'partners', segmentId, { kind: 'partner' }), undefined) : undefined;
      const page = await listPartners(request.db, scope, { ...clean, ...(memberOf ? { memberOf } : {}) }, { limit, offset }, sort as (typeof PARTNER_SORTS)[number], order);
      return { ...page, limit, offset };
    },
  );

  app.get(
    '/partners/:id',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['partners'],
        summary: "One partner with its additional properties (404 for a partner outside the caller's scope)",
        params: z.object({ id: z.string() }),
        response: { 200: partnerSchema, 404: errorSchema },
      },
    },
    async (request) => getPartner(request.db, scopeOf(request), request.params.id),
  );
};
