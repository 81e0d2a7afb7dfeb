import { z } from 'zod';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { fieldAttributeNames, PROPERTY_PREFIX, resolveAttribute, RULE_KINDS, type AttributeDef, type RuleKind } from '../../rules/vocabulary/attributes.js';
import { MEASURE_NAMES, MEASURES, whereKeysOf } from '../../rules/vocabulary/measures.js';
import { HIERARCHY_OPERATORS, MEASURE_OPERATORS, OPERAND_SHAPES, OPERATORS, OPERATORS_BY_TYPE } from '../../rules/vocabulary/operators.js';
import type { RouteModule } from '../context.js';

/**
 * Directories whose ids an attribute holds, so a rule builder can offer names instead of codes.
 * (group and region come from the model's references; manager and type are flat directories.)
 */
const DIRECTORY_OF: Readonly<Record<RuleKind, Readonly<Record<string, string>>>> = {
  partner: { group: 'partnerGroups', region: 'regions', manager: 'managers', type: 'partnerTypes' },
  product: { group: 'productGroups' },
};

const valueType = z.enum(['text', 'number', 'date', 'boolean', 'roles']);
const attributeSchema = z.object({
  name: z.string().describe('As a rule names it: a field, or properties.<name>'),
  type: valueType,
  property: z.boolean().describe('An additional property'),
  hierarchy: z.boolean().describe('A group or region: inHierarchy / notInHierarchy apply'),
  directory: z.string().nullable().describe('The directory (GET /api/directories/{name}) whose ids it holds'),
  values: z.array(z.string()).nullable().describe('The only values it may hold (legal form, roles)'),
  operators: z.array(z.enum(OPERATORS)),
});

function describeAttribute(kind: RuleKind, attribute: AttributeDef) {
  const hierarchy = attribute.source === 'column' && attribute.hierarchy !== undefined;
  return {
    name: attribute.name,
    type: attribute.type,
    property: attribute.source === 'property',
    hierarchy,
    directory: DIRECTORY_OF[kind][attribute.name] ?? null,
    values: attribute.source === 'property' ? null : (attribute.values ? [...attribute.values] : null),
    operators: [...OPERATORS_BY_TYPE[attribute.type], ...(hierarchy ? HIERARCHY_OPERATORS : [])],
  };
}

/** What a rule of each kind may say: the rule builder of the web UI is built from it. */
export const rulesRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/rules/vocabulary',
    {
      schema: {
        tags: ['segments'],
        summary: 'The rule language for a kind of segment: attributes (with properties), operators, measures and their where keys, scores',
        querystring: z.object({ kind: z.enum(RULE_KINDS).default('partner') }),
        response: {
          200: z.object({
            kind: z.enum(RULE_KINDS),
            attributes: z.array(attributeSchema),
            measures: z.array(
              z.object({
                name: z.string(),
                source: z.string(),
                period: z.boolean().describe('Whether it takes a period'),
                integer: z.boolean(),
                noFacts: z.enum(['zero', 'none']).describe('What a partner with no facts has: 0, or no value'),
                where: z.array(z.string()),
              }),
            ),
            scores: z.array(z.object({ name: z.string(), description: z.string() })),
            measureOperators: z.array(z.enum(OPERATORS)),
            operandShapes: z.record(z.string(), z.string()).describe('What each operator takes as its value'),
          }),
        },
      },
    },
    async (request) => {
      const { kind } = request.query;
      const catalog = await loadRuleCatalog(ctx.db);
      const properties = catalog.properties[kind];
      const attributes = [
        ...fieldAttributeNames(kind).map((name) => resolveAttribute(kind, name, properties)!),
        ...[...properties.keys()].sort().map((name) => resolveAttribute(kind, `${PROPERTY_PREFIX}${name}`, properties)!),
      ].map((attribute) => describeAttribute(kind, attribute));
      const measures =
        kind === 'partner'
          ? MEASURE_NAMES.map((name) => {
              const measure = MEASURES[name];
              return { name, source: measure.source, period: measure.period, integer: measure.integer, noFacts: measure.whenNoFacts, where: [...whereKeysOf(name)] };
            })
          : [];
      return {
        kind,
        attributes,
        measures,
        scores: kind === 'partner' ? catalog.scores.list().map((s) => ({ name: s.name, description: s.description })) : [],
        measureOperators: [...MEASURE_OPERATORS],
        operandShapes: { ...OPERAND_SHAPES },
      };
    },
  );
};
