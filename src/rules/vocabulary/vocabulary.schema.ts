import { z } from 'zod';
import { DIRECTORY_NAMES } from '../../domain/directories/directory.schema.js';
import { OPERATORS, type OperandShape, type ValueType } from './operators.js';
import type { MeasureSource, WhenNoFacts } from './measures.js';
import { RULE_KINDS } from './attributes.js';

/**
 * GET /api/rules/vocabulary: what a rule of each kind may say. The web UI's rule builder is
 * made from it and imports its type from here.
 */

const VALUE_TYPES = ['text', 'number', 'date', 'boolean', 'roles'] as const satisfies readonly ValueType[];
const MEASURE_SOURCES = ['sales', 'interactions', 'settlements', 'deals', 'partner'] as const satisfies readonly MeasureSource[];
const NO_FACTS = ['zero', 'none'] as const satisfies readonly WhenNoFacts[];
const OPERAND_SHAPE_NAMES = ['one', 'pair', 'list', 'ids', 'text', 'days', 'none'] as const satisfies readonly OperandShape[];

export const vocabularyAttributeSchema = z.object({
  name: z.string().describe('As a rule names it: a field, or properties.<name>'),
  type: z.enum(VALUE_TYPES),
  property: z.boolean().describe('An additional property'),
  hierarchy: z.boolean().describe('A group or region: inHierarchy / notInHierarchy apply'),
  directory: z.enum(DIRECTORY_NAMES).nullable().describe('The directory (GET /api/directories/{name}) whose ids it holds'),
  values: z.array(z.string()).nullable().describe('The only values it may hold (legal form, roles)'),
  operators: z.array(z.enum(OPERATORS)),
});
export type VocabularyAttribute = z.output<typeof vocabularyAttributeSchema>;

export const vocabularyMeasureSchema = z.object({
  name: z.string(),
  source: z.enum(MEASURE_SOURCES),
  period: z.boolean().describe('Whether it takes a period'),
  integer: z.boolean(),
  noFacts: z.enum(NO_FACTS).describe('What a partner with no facts has: 0, or no value'),
  where: z.array(z.string()),
});
export type VocabularyMeasure = z.output<typeof vocabularyMeasureSchema>;

export const vocabularySchema = z.object({
  kind: z.enum(RULE_KINDS),
  attributes: z.array(vocabularyAttributeSchema),
  measures: z.array(vocabularyMeasureSchema),
  scores: z.array(z.object({ name: z.string(), description: z.string() })),
  measureOperators: z.array(z.enum(OPERATORS)),
  operandShapes: z.record(z.string(), z.enum(OPERAND_SHAPE_NAMES)).describe('What each operator takes as its value'),
});
export type Vocabulary = z.output<typeof vocabularySchema>;
