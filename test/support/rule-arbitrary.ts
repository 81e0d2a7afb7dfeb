/**
 * Random valid rules over the pools of world-arbitrary.ts: every operator on every
 * attribute type, every measure with every period kind and `where` filter, scores,
 * inSegment of stored and dynamic segments, nested all/any/not, and parameters.
 */
import fc from 'fast-check';
import { addDays } from '../../src/rules/calendar.js';
import { fieldAttributeNames, resolveAttribute, type RuleKind } from '../../src/rules/vocabulary/attributes.js';
import { MEASURE_NAMES, MEASURES, whereKeysOf, type MeasureName } from '../../src/rules/vocabulary/measures.js';
import { HIERARCHY_OPERATORS, MEASURE_OPERATORS, OPERAND_SHAPES, OPERATORS_BY_TYPE, type Operator, type ValueType } from '../../src/rules/vocabulary/operators.js';
import {
  BRANDS,
  DEAL_TYPES,
  INTERACTION_TYPES,
  MANAGERS,
  moneyArb,
  PARTNER_GROUP_IDS,
  PARTNER_IDS,
  PARTNER_PROPERTIES,
  PARTNER_SEGMENTS,
  PARTNER_TYPES,
  PRODUCT_GROUP_IDS,
  PRODUCT_IDS,
  PRODUCT_PROPERTIES,
  PRODUCT_SEGMENTS,
  REGION_IDS,
  SCORE_NAMES,
} from './world-arbitrary.js';

type Json = unknown;

/**
 * A value to be taken from the data: `{"$pick": q, "delta": d}` becomes, before the rule
 * runs, the q-th percentile of the condition's left side over all members, plus d
 * (resolve-picks.ts). Thresholds on the data's own values hit the boundaries (eq, gte…).
 */
export const pickArb = (deltas: readonly number[]): fc.Arbitrary<Json> => fc.record({ $pick: fc.integer({ min: 0, max: 100 }), delta: fc.constantFrom(...deltas) });
const MONEY_DELTAS = [0, 0, 0, 0.01, -0.01, 1, -1];
const WHOLE_DELTAS = [0, 0, 1, -1];

const TEXT_VALUES = ['перм', 'ПЕРМ', 'Пермь', 'alpha', 'ALP', 'ООО', 'ооо', '%', '_', "'", "O'Neil", 'ё', 'Ё', 'ЁЛКА', '', 'x\\y', 'a_b', '100%', ';', 'Зима;'];
const LIKE_PATTERNS = ['%перм%', 'пер_ь%', 'a%', '%a', '\\%', '%100\\%%', '%a\\_b%', '%', '_%', 'ИП%', '%ё%', '%ЁЛ%', "%'%", '%x\\\\y%', 'ооо'];
const ROLES = ['customer', 'supplier', 'competitor', 'other'];

const propertyTypes = (kind: RuleKind) => new Map<string, 'string' | 'number' | 'date' | 'boolean'>(Object.entries(kind === 'partner' ? PARTNER_PROPERTIES : PRODUCT_PROPERTIES));

const ATTRIBUTES: Readonly<Record<RuleKind, string[]>> = {
  partner: [...fieldAttributeNames('partner'), ...Object.keys(PARTNER_PROPERTIES).map((p) => `properties.${p}`)],
  product: [...fieldAttributeNames('product'), ...Object.keys(PRODUCT_PROPERTIES).map((p) => `properties.${p}`)],
};

/** Values an attribute is compared with, drawn from what the data holds so that matches happen. */
function scalarArb(kind: RuleKind, attr: string, type: ValueType, asOf: string): fc.Arbitrary<Json> {
  switch (type) {
    case 'number':
      return fc.oneof(moneyArb(-50000, 500000), pickArb(MONEY_DELTAS));
    case 'boolean':
      return fc.boolean();
    case 'date':
      return fc.oneof(
        fc.integer({ min: -4000, max: 200 }).map((d) => addDays(asOf, d)),
        fc.constantFrom('1984-02-29', '1990-02-28', '2000-01-01', asOf),
        pickArb(WHOLE_DELTAS),
      );
    case 'roles':
      return fc.constantFrom(...ROLES);
    case 'text': {
      const pools: Record<string, readonly string[]> = {
        id: kind === 'partner' ? PARTNER_IDS : PRODUCT_IDS,
        legalForm: ['company', 'person'],
        group: kind === 'partner' ? PARTNER_GROUP_IDS : PRODUCT_GROUP_IDS,
        region: REGION_IDS,
        manager: MANAGERS,
        type: PARTNER_TYPES,
        email: ['a@b.ru', 'A@B.RU', 'perm@x.ru', ''],
        phone: ['+7 342 000', '8-800', ''],
        brand: BRANDS.filter((b): b is string => b !== null),
        unit: ['pcs', 'kg'],
      };
      return fc.constantFrom(...(pools[attr] ?? TEXT_VALUES));
    }
  }
}

function operandArb(kind: RuleKind, attr: string, type: ValueType, op: Operator, asOf: string): fc.Arbitrary<Json | undefined> {
  const one = scalarArb(kind, attr, type, asOf);
  switch (OPERAND_SHAPES[op]) {
    case 'none':
      return fc.constantFrom(undefined, null);
    case 'one':
      return one;
    case 'pair':
      // Sorted once picks are resolved (resolve-picks.ts).
      return fc.tuple(one, one);
    case 'list':
      // An empty list is an unfinished condition, refused (issue 21).
      return fc.array(one, { minLength: 1, maxLength: 3 });
    case 'ids': {
      const ids = attr === 'region' ? REGION_IDS : kind === 'partner' ? PARTNER_GROUP_IDS : PRODUCT_GROUP_IDS;
      return fc.oneof(fc.constantFrom(...ids), fc.subarray(ids, { minLength: 1, maxLength: 2 }));
    }
    case 'text':
      if (type === 'roles') return fc.constantFrom(...ROLES);
      return op === 'like' ? fc.constantFrom(...LIKE_PATTERNS) : fc.constantFrom(...TEXT_VALUES);
    case 'days':
      return fc.oneof(fc.constantFrom(0, 1, 2, 7, 30, 364, 365, 366), fc.integer({ min: 0, max: 366 }));
  }
}

export function attrConditionArb(kind: RuleKind, asOf: string): fc.Arbitrary<Json> {
  return fc.constantFrom(...ATTRIBUTES[kind]).chain((attr) => {
    const def = resolveAttribute(kind, attr, propertyTypes(kind))!;
    const ops = def.source === 'column' && def.hierarchy ? [...OPERATORS_BY_TYPE[def.type], ...HIERARCHY_OPERATORS] : OPERATORS_BY_TYPE[def.type];
    return fc.constantFrom(...ops).chain((op) => operandArb(kind, attr, def.type, op, asOf).map((value) => (value === undefined ? { attr, op } : { attr, op, value })));
  });
}

function periodArb(asOf: string): fc.Arbitrary<Json> {
  const date = fc.integer({ min: -800, max: 40 }).map((d) => addDays(asOf, d));
  return fc.oneof(
    fc.integer({ min: 1, max: 400 }).map((days) => ({ last: { days } })),
    fc.integer({ min: 1, max: 24 }).map((months) => ({ last: { months } })),
    fc.integer({ min: 1, max: 3 }).map((years) => ({ last: { years } })),
    fc.tuple(date, date).map(([a, b]) => (a <= b ? { from: a, to: b } : { from: b, to: a })),
    date.map((from) => ({ from })),
    date.map((to) => ({ to })),
    fc.constantFrom('month', 'quarter', 'year').map((unit) => ({ current: unit })),
    fc.constantFrom('month', 'quarter', 'year').map((unit) => ({ previous: unit })),
  );
}

const WHERE_POOLS: Record<string, readonly string[]> = {
  product: PRODUCT_IDS,
  productGroup: PRODUCT_GROUP_IDS,
  productSegment: PRODUCT_SEGMENTS,
  manager: MANAGERS,
  direction: ['in', 'out'],
  outcome: ['open', 'won', 'lost'],
};

function whereArb(measure: MeasureName): fc.Arbitrary<Record<string, Json>> {
  const keys = whereKeysOf(measure);
  if (!keys.length) return fc.constant({});
  const source = MEASURES[measure].source;
  const pool = (key: string) => (key === 'type' ? (source === 'deals' ? DEAL_TYPES : INTERACTION_TYPES) : WHERE_POOLS[key]!);
  return fc
    .subarray([...keys], { maxLength: 2 })
    .chain((chosen) => fc.record(Object.fromEntries(chosen.map((key) => [key, fc.oneof(fc.constantFrom(...pool(key)), fc.subarray([...pool(key)], { maxLength: Math.min(3, pool(key).length) }))]))));
}

function measureValueArb(measure: MeasureName): fc.Arbitrary<Json> {
  return fc.oneof(fixedMeasureValueArb(measure), pickArb(MEASURES[measure].integer ? WHOLE_DELTAS : MONEY_DELTAS));
}

function fixedMeasureValueArb(measure: MeasureName): fc.Arbitrary<number> {
  if (measure.endsWith('daysSinceLast') || measure.endsWith('daysSinceFirst') || measure === 'settlements.maxDaysOverdue') {
    return fc.integer({ min: 0, max: 900 });
  }
  if (measure === 'registration.days') return fc.integer({ min: -100, max: 4000 });
  if (measure === 'interactions.averageScore') return fc.integer({ min: 0, max: 20 }).map((h) => h / 2);
  if (MEASURES[measure].integer) return fc.integer({ min: 0, max: 8 });
  if (measure === 'sales.quantity') return fc.integer({ min: -10, max: 60 }).map((h) => h / 2);
  return fc.oneof(moneyArb(-100000, 2000000), fc.constantFrom(0, 0.01, -0.01));
}

function measureConditionArb(asOf: string): fc.Arbitrary<Json> {
  return fc.constantFrom(...MEASURE_NAMES).chain((measure) =>
    fc
      .record({
        period: MEASURES[measure].period ? fc.option(periodArb(asOf), { freq: 2 }) : fc.constant(null),
        where: whereArb(measure),
        op: fc.constantFrom(...MEASURE_OPERATORS),
        one: measureValueArb(measure),
        two: measureValueArb(measure),
        list: fc.array(measureValueArb(measure), { minLength: 1, maxLength: 3 }),
      })
      .map(({ period, where, op, one, two, list }) => {
        const shape = OPERAND_SHAPES[op];
        const value = shape === 'none' ? undefined : shape === 'pair' ? [one, two] : shape === 'list' ? list : one;
        return {
          measure,
          ...(period ? { period } : {}),
          ...(Object.keys(where).length ? { where } : {}),
          op,
          ...(value === undefined ? {} : { value }),
        };
      }),
  );
}

function scoreConditionArb(): fc.Arbitrary<Json> {
  const number = fc.oneof(fc.integer({ min: 0, max: 6 }), moneyArb(-1000, 1000), pickArb(MONEY_DELTAS));
  return fc.record({ score: fc.constantFrom(...SCORE_NAMES), op: fc.constantFrom(...MEASURE_OPERATORS), one: number, two: number }).map(({ score, op, one, two }) => {
    const shape = OPERAND_SHAPES[op];
    const value = shape === 'none' ? undefined : shape === 'pair' ? [one, two] : shape === 'list' ? [one, two] : one;
    return { score, op, ...(value === undefined ? {} : { value }) };
  });
}

export function conditionArb(kind: RuleKind, asOf: string): fc.Arbitrary<Json> {
  const segments = kind === 'partner' ? PARTNER_SEGMENTS : PRODUCT_SEGMENTS;
  const inSegment = fc.constantFrom(...segments).map((inSegment) => ({ inSegment }));
  if (kind === 'product') return fc.oneof({ weight: 5, arbitrary: attrConditionArb(kind, asOf) }, { weight: 1, arbitrary: inSegment });
  // Birthdays are few among the attribute × operator pairs; give them their own share.
  const anniversary = fc.record({
    attr: fc.constantFrom('birthDate', 'properties.since'),
    op: fc.constant('anniversaryWithin'),
    value: fc.oneof(fc.constantFrom(0, 1, 2, 7, 364, 365), fc.integer({ min: 0, max: 366 })),
  });
  return fc.oneof(
    { weight: 4, arbitrary: attrConditionArb(kind, asOf) },
    { weight: 1, arbitrary: anniversary },
    { weight: 4, arbitrary: measureConditionArb(asOf) },
    { weight: 1, arbitrary: scoreConditionArb() },
    { weight: 1, arbitrary: inSegment },
  );
}

/** A rule of up to three levels of all / any / not. */
export function ruleArb(kind: RuleKind, asOf: string, condition = conditionArb(kind, asOf)): fc.Arbitrary<Json> {
  const { rule } = fc.letrec<{ rule: Json; group: Json }>((tie) => ({
    rule: fc.oneof({ depthSize: 'small', maxDepth: 3, depthIdentifier: 'rule' }, condition, tie('group')),
    group: fc.oneof(
      { weight: 4, arbitrary: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })) },
      { weight: 4, arbitrary: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })) },
      { weight: 2, arbitrary: tie('rule').map((not) => ({ not })) },
      { weight: 1, arbitrary: fc.constantFrom({ all: [] }, { any: [] }) },
    ),
  }));
  return rule;
}

/**
 * Replaces some values, `where` values and periods of a rule by `{"param": name}` and
 * returns the parameters that give them back: the same meaning, written as a template.
 */
export function parameterize(rule: Json, bits: readonly boolean[]): { rule: Json; parameters: Record<string, unknown> } {
  const parameters: Record<string, unknown> = {};
  let next = 0;
  const flip = () => bits[next++ % Math.max(bits.length, 1)] ?? false;
  const param = (value: unknown) => {
    const name = `p${Object.keys(parameters).length}`;
    parameters[name] = value;
    return { param: name };
  };
  const walk = (node: Json): Json => {
    if (typeof node !== 'object' || node === null) return node;
    const n = node as Record<string, unknown>;
    if (Array.isArray(n.all)) return { all: n.all.map(walk) };
    if (Array.isArray(n.any)) return { any: n.any.map(walk) };
    if ('not' in n) return { not: walk(n.not) };
    const out: Record<string, unknown> = { ...n };
    if ('value' in out && out.value !== undefined && out.value !== null && flip()) out.value = param(out.value);
    if (Array.isArray(out.value) && out.value.length && flip()) out.value = out.value.map((v, i) => (i === 0 ? param(v) : v));
    if (out.period && flip()) out.period = param(out.period);
    const period = out.period as Record<string, unknown> | undefined;
    if (period && typeof period.last === 'object' && flip()) {
      const [unit, count] = Object.entries(period.last as Record<string, unknown>)[0]!;
      out.period = { last: { [unit]: param(count) } };
    }
    if (out.where && flip()) out.where = Object.fromEntries(Object.entries(out.where as Record<string, unknown>).map(([k, v]) => [k, param(v)]));
    return out;
  };
  return { rule: walk(rule), parameters };
}

/** A rule as generated: picks unresolved, and the choice of which parts become parameters. */
export interface RuleTemplate {
  readonly rule: Json;
  readonly bits: readonly boolean[];
  readonly parameterize: boolean;
}

export function ruleTemplateArb(kind: RuleKind, asOf: string, rule = ruleArb(kind, asOf)): fc.Arbitrary<RuleTemplate> {
  return fc.tuple(rule, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), fc.boolean()).map(([r, bits, parameterize]) => ({ rule: r, bits, parameterize }));
}

/** The rules of the dynamic segments of a world: "dyn'c" (partners), "prod-d" and "prod-p" (products). */
export interface WorldRules {
  readonly "dyn'c": RuleTemplate;
  readonly 'prod-d': RuleTemplate;
  readonly 'prod-p': RuleTemplate;
}

export function worldRulesArb(asOf: string): fc.Arbitrary<WorldRules> {
  return fc.record({
    "dyn'c": ruleTemplateArb('partner', asOf, fc.oneof(attrConditionArb('partner', asOf), measureConditionArb(asOf))),
    'prod-d': ruleTemplateArb('product', asOf, attrConditionArb('product', asOf)),
    'prod-p': ruleTemplateArb(
      'product',
      asOf,
      fc.oneof(attrConditionArb('product', asOf), fc.constantFrom({ inSegment: 'prod-m' }, { any: [{ inSegment: 'prod-d' }, { attr: 'group', op: 'inHierarchy', value: 'food' }] })),
    ),
  });
}
