/**
 * Comparison operators, after 1C's comparison kinds (Равно, Не равно, В списке, В группе,
 * Содержит, Начинается с, Подобно, Заполнено…). docs/rules.md gives each one's exact meaning.
 */
export const OPERATORS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'in',
  'notIn',
  'inHierarchy',
  'notInHierarchy',
  'contains',
  'notContains',
  'beginsWith',
  'like',
  'filled',
  'notFilled',
  'anniversaryWithin',
] as const;
export type Operator = (typeof OPERATORS)[number];

export const isOperator = (value: string): value is Operator => (OPERATORS as readonly string[]).includes(value);

/** What an operator's `value` must be, before the attribute's type is taken into account. */
export type OperandShape =
  /** One value of the attribute's type. */
  | 'one'
  /** `[low, high]`, both inclusive. */
  | 'pair'
  /** A list of values (may be empty). */
  | 'list'
  /** One id or a list of ids of a hierarchy node. */
  | 'ids'
  /** A text fragment or pattern. */
  | 'text'
  /** A whole number of days, 0 or more. */
  | 'days'
  /** No value at all. */
  | 'none';

export const OPERAND_SHAPES: Readonly<Record<Operator, OperandShape>> = {
  eq: 'one',
  ne: 'one',
  gt: 'one',
  gte: 'one',
  lt: 'one',
  lte: 'one',
  between: 'pair',
  in: 'list',
  notIn: 'list',
  inHierarchy: 'ids',
  notInHierarchy: 'ids',
  contains: 'text',
  notContains: 'text',
  beginsWith: 'text',
  like: 'text',
  filled: 'none',
  notFilled: 'none',
  anniversaryWithin: 'days',
};

/**
 * The negative operators of attributes: each is exactly `not` of its positive twin, so it
 * holds for an empty attribute (1C: an empty value is not equal to "Perm").
 */
export const NEGATIONS: Readonly<Partial<Record<Operator, Operator>>> = {
  ne: 'eq',
  notIn: 'in',
  notInHierarchy: 'inHierarchy',
  notContains: 'contains',
  notFilled: 'filled',
};

/** The value types a rule compares, and the operators each accepts. */
export type ValueType = 'text' | 'number' | 'date' | 'boolean' | 'roles';

const NUMBER_OPERATORS: readonly Operator[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'notIn', 'filled', 'notFilled'];

export const OPERATORS_BY_TYPE: Readonly<Record<ValueType, readonly Operator[]>> = {
  text: ['eq', 'ne', 'in', 'notIn', 'contains', 'notContains', 'beginsWith', 'like', 'filled', 'notFilled'],
  number: NUMBER_OPERATORS,
  date: [...NUMBER_OPERATORS, 'anniversaryWithin'],
  boolean: ['eq', 'ne', 'filled', 'notFilled'],
  roles: ['eq', 'ne', 'contains', 'notContains', 'in', 'notIn', 'filled', 'notFilled'],
};

/** Hierarchy references (group, region, product group) accept these on top of the text ones. */
export const HIERARCHY_OPERATORS: readonly Operator[] = ['inHierarchy', 'notInHierarchy'];

/** Operators of measures and scores, which are numbers. */
export const MEASURE_OPERATORS = NUMBER_OPERATORS;

/** The largest `anniversaryWithin` window; 365 days or more already covers every date of a year. */
export const MAX_ANNIVERSARY_DAYS = 366;
