import type { FieldType } from '../../model/entities.js';
import { plainValue, type PlainValue, type ValueNode } from '../../rules/ast/value-node.js';
import { addDays, isLeapYear, parseIsoDate } from '../../rules/calendar.js';
import type { Operator } from '../../rules/vocabulary/operators.js';
import type { Dialect } from '../dialect.js';
import type { LeftSide } from './left-side.js';
import type { SqlParams } from './sql-params.js';

/** Turns any SQL condition into a two-valued one: NULL ("unknown") reads as false. */
export const truthy = (sql: string): string => `(${sql}) IS TRUE`;
export const negate = (sql: string): string => `NOT (${sql})`;
const anyOf = (parts: readonly string[]): string => (parts.length ? `(${parts.join(' OR ')})` : 'FALSE');

const BIND_TYPE: Readonly<Record<'text' | 'number' | 'date' | 'boolean', FieldType>> = {
  text: 'text',
  number: 'decimal',
  date: 'date',
  boolean: 'boolean',
};

const COMPARISONS = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** Escapes LIKE's wildcards so a text is matched literally. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface PredicateContext {
  readonly dialect: Dialect;
  readonly params: SqlParams;
  readonly asOf: string;
  /** `value` is one of the given nodes of a hierarchy or below them (never NULL). */
  readonly inHierarchy: (valueSql: string, ancestorsSql: string) => string;
}

const asList = (value: PlainValue): readonly PlainValue[] => (Array.isArray(value) ? value : [value]);

function bindScalar(ctx: PredicateContext, value: PlainValue, type: 'text' | 'number' | 'date' | 'boolean'): string {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`expected one ${type} value`);
  // Decimals travel as text so that no binary float rounding happens on the way.
  return ctx.params.bind(type === 'number' ? String(value) : value, BIND_TYPE[type]);
}

/**
 * The anniversary of a date falls within [asOf, asOf + days]: its month and day occur in
 * that window. A February 29 date has its anniversary on February 28 in a common year
 * (as the Russian Civil Code, art. 192, ends a period in a month without that day).
 */
function anniversaryWithin(ctx: PredicateContext, dateSql: string, days: number): string {
  if (days >= 365) return `${dateSql} IS NOT NULL`; // the window holds every day of a year
  const start = ctx.asOf;
  const end = addDays(start, days);
  const md = (iso: string): number => {
    const d = parseIsoDate(iso)!;
    return d.month * 100 + d.day;
  };
  const [s, e] = [md(start), md(end)];
  const startYear = parseIsoDate(start)!.year;
  const endYear = parseIsoDate(end)!.year;
  const feb28OfCommonYear = [startYear, endYear].some((y) => {
    const feb28 = `${String(y).padStart(4, '0')}-02-28`;
    return !isLeapYear(y) && start <= feb28 && feb28 <= end;
  });
  const monthDay = ctx.dialect.monthDay(dateSql);
  const bind = (n: number) => ctx.params.bind(n, 'integer');
  const window = s <= e ? `${monthDay} BETWEEN ${bind(s)} AND ${bind(e)}` : `(${monthDay} >= ${bind(s)} OR ${monthDay} <= ${bind(e)})`;
  return truthy(feb28OfCommonYear ? `${window} OR ${monthDay} = ${bind(229)}` : window);
}

function scalarPredicate(ctx: PredicateContext, left: Extract<LeftSide, { kind: 'scalar' }>, op: Operator, value: PlainValue): string {
  const { sql: x, type } = left;
  const complement = left.nulls === 'complement';
  const bind = (v: PlainValue) => bindScalar(ctx, v, type);
  const pattern = (p: string) => truthy(ctx.dialect.like(ctx.dialect.lower(x), ctx.dialect.lower(ctx.params.bind(p, 'text'))));
  switch (op) {
    case 'eq':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return truthy(`${x} ${COMPARISONS[op]} ${bind(value)}`);
    case 'ne':
      return complement ? negate(scalarPredicate(ctx, left, 'eq', value)) : truthy(`${x} <> ${bind(value)}`);
    case 'between': {
      const [low, high] = value as [PlainValue, PlainValue];
      return truthy(`${x} BETWEEN ${bind(low)} AND ${bind(high)}`);
    }
    case 'in': {
      const items = asList(value);
      return items.length ? truthy(`${x} IN (${items.map(bind).join(', ')})`) : 'FALSE';
    }
    case 'notIn': {
      if (complement) return negate(scalarPredicate(ctx, left, 'in', value));
      const items = asList(value);
      return items.length ? truthy(`${x} NOT IN (${items.map(bind).join(', ')})`) : truthy(`${x} IS NOT NULL`);
    }
    case 'contains':
      return pattern(`%${escapeLike(value as string)}%`);
    case 'beginsWith':
      return pattern(`${escapeLike(value as string)}%`);
    case 'like':
      return pattern(value as string);
    case 'notContains':
      return negate(scalarPredicate(ctx, left, 'contains', value));
    case 'filled':
      return type === 'text' ? truthy(`${x} IS NOT NULL AND ${x} <> ${ctx.params.bind('', 'text')}`) : `${x} IS NOT NULL`;
    case 'notFilled':
      return negate(scalarPredicate(ctx, left, 'filled', value));
    case 'inHierarchy':
      if (asList(value).length === 0) return 'FALSE';
      return ctx.inHierarchy(x, ctx.params.bindList(asList(value) as string[], 'text'));
    case 'notInHierarchy':
      return negate(scalarPredicate(ctx, left, 'inHierarchy', value));
    case 'anniversaryWithin':
      return anniversaryWithin(ctx, x, value as number);
  }
}

/** numerator / denominator compared without dividing: exact, and the denominator is positive. */
function ratioPredicate(ctx: PredicateContext, left: Extract<LeftSide, { kind: 'ratio' }>, op: Operator, value: PlainValue): string {
  const { numerator: n, denominator: d } = left;
  const has = `${d} > 0`;
  const scaled = (v: PlainValue) => `${bindScalar(ctx, v, 'number')} * ${d}`;
  switch (op) {
    case 'eq':
    case 'ne':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return truthy(`${has} AND ${n} ${COMPARISONS[op]} ${scaled(value)}`);
    case 'between': {
      const [low, high] = value as [PlainValue, PlainValue];
      return truthy(`${has} AND ${n} BETWEEN ${scaled(low)} AND ${scaled(high)}`);
    }
    case 'in':
      return anyOf(asList(value).map((v) => ratioPredicate(ctx, left, 'eq', v)));
    case 'notIn':
      return truthy([has, ...asList(value).map((v) => `${n} <> ${scaled(v)}`)].join(' AND '));
    case 'filled':
      return truthy(has);
    case 'notFilled':
      return negate(truthy(has));
    default:
      throw new Error(`operator ${op} does not apply to a measure`);
  }
}

function rolesPredicate(left: Extract<LeftSide, { kind: 'roles' }>, op: Operator, value: PlainValue): string {
  const role = (name: PlainValue): string => {
    const sql = left.roles.get(name as string);
    if (!sql) throw new Error(`unknown role ${String(name)}`);
    return sql;
  };
  switch (op) {
    case 'eq':
    case 'contains':
      return role(value);
    case 'ne':
    case 'notContains':
      return negate(role(value));
    case 'in':
      return anyOf(asList(value).map(role));
    case 'notIn':
      return negate(anyOf(asList(value).map(role)));
    case 'filled':
      return anyOf([...left.roles.values()]);
    case 'notFilled':
      return negate(anyOf([...left.roles.values()]));
    default:
      throw new Error(`operator ${op} does not apply to roles`);
  }
}

/** The SQL condition `left op value`, never NULL (see docs/rules.md for each operator). */
export function comparePredicate(ctx: PredicateContext, left: LeftSide, op: Operator, value: ValueNode | undefined): string {
  const plain: PlainValue = value ? plainValue(value) : null;
  switch (left.kind) {
    case 'scalar':
      return scalarPredicate(ctx, left, op, plain);
    case 'ratio':
      return ratioPredicate(ctx, left, op, plain);
    case 'roles':
      return rolesPredicate(left, op, plain);
    case 'membership':
      throw new Error('membership has no operator');
  }
}
