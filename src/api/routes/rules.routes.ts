import { z } from 'zod';
import type { DirectoryName } from '../../domain/directories/directory.schema.js';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { fieldAttributeNames, PROPERTY_PREFIX, resolveAttribute, RULE_KINDS, type AttributeDef, type RuleKind } from '../../rules/vocabulary/attributes.js';
import { MEASURE_NAMES, MEASURES, whereKeysOf } from '../../rules/vocabulary/measures.js';
import { HIERARCHY_OPERATORS, MEASURE_OPERATORS, OPERAND_SHAPES, OPERATORS_BY_TYPE } from '../../rules/vocabulary/operators.js';
import { vocabularySchema, type VocabularyAttribute } from '../../rules/vocabulary/vocabulary.schema.js';
import type { RouteModule } from '../context.js';

/**
 * Directories whose ids an attribute holds, so a rule builder can offer names instead of codes.
 * (group and region come from the model's references; manager and type are flat directories.)
 */
const DIRECTORY_OF: Readonly<Record<RuleKind, Readonly<Record<string, DirectoryName>>>> = {
  partner: { group: 'partnerGroups', region: 'regions', manager: 'managers', type: 'partnerTypes' },
  product: { group: 'productGroups' },
};

function describeAttribute(kind: RuleKind, attribute: AttributeDef): VocabularyAttribute {
  const hierarchy = attribute.source === 'column' && attribute.hierarchy !== undefined;
  return {
    name: attribute.name,
    type: attribute.type,
    property: attribute.source === 'property',
    hierarchy,
    directory: DIRECTORY_OF[kind][attribute.name] ?? null,
    values: attribute.source === 'property' ? null : attribute.values ? [...attribute.values] : null,
    operators: [...OPERATORS_BY_TYPE[attribute.type], ...(hierarchy ? HIERARCHY_OPERATORS : [])],
  };
}

/** What a rule of each kind may say: the rule builder of the web UI is built from it. */
export const rulesRoutes: RouteModule = (app) => {
  app.get(
    '/rules/vocabulary',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['segments'],
        summary: 'The rule language for a kind of segment: attributes (with properties), operators, measures and their where keys, scores',
        querystring: z.object({ kind: z.enum(RULE_KINDS).default('partner') }),
        response: {
          200: vocabularySchema,
        },
      },
    },
    async (request) => {
      const { kind } = request.query;
      const catalog = await loadRuleCatalog(request.db);
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
