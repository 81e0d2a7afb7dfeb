/**
 * The `sql` tagged template: SQL text with values bound as `$1…$n`, numbered when the
 * statement is complete, so no caller counts parameters. Modelled on Kysely's `sql`.
 *
 * @example
 * const statement = sql`SELECT id FROM partners WHERE region_id = ${region} AND id IN (${sql.list(ids)})`;
 * // statement.text   → 'SELECT id FROM partners WHERE region_id = $1 AND id IN ($2, $3)'
 * // statement.params → [region, ...ids]
 * await db.query(statement);
 */
import type { SqlValue, Statement } from './queryable.js';

/**
 * One value bound to a parameter. A `Param` used in several places keeps one number
 * (`sql.param`): PostgreSQL then infers one type for it, as it does for a hand-written `$1`.
 */
export class Param {
  constructor(readonly value: SqlValue) {}
}

type Part = string | Param;

/** What may stand in a `${…}` of the template: a value (bound), a `Param`, or a nested fragment. */
export type SqlArg = SqlValue | Param | Sql;

/** A piece of SQL with its values; fragments nest, and are numbered only as a whole. */
export class Sql implements Statement {
  private compiled: Statement | undefined;

  /** @internal Use the `sql` template and its helpers. */
  constructor(readonly parts: readonly Part[]) {}

  /** The text with `$1…$n` placeholders. */
  get text(): string {
    return this.compile().text;
  }

  /** The values of `$1…$n`, in order. */
  get params(): readonly SqlValue[] {
    return this.compile().params;
  }

  private compile(): Statement {
    if (!this.compiled) {
      const numbers = new Map<Param, number>();
      const params: SqlValue[] = [];
      let text = '';
      for (const part of this.parts) {
        if (typeof part === 'string') {
          text += part;
          continue;
        }
        let n = numbers.get(part);
        if (n === undefined) {
          n = params.push(part.value);
          numbers.set(part, n);
        }
        text += `$${n}`;
      }
      this.compiled = { text, params };
    }
    return this.compiled;
  }
}

function partsOf(arg: SqlArg): readonly Part[] {
  if (arg instanceof Sql) return arg.parts;
  if (arg instanceof Param) return [arg];
  return [new Param(arg)];
}

function fragment(strings: readonly string[], args: readonly SqlArg[]): Sql {
  const parts: Part[] = [];
  strings.forEach((text, i) => {
    if (text) parts.push(text);
    if (i < args.length) parts.push(...partsOf(args[i]!));
  });
  return new Sql(parts);
}

/** Joins items (values are bound, fragments inlined) with a separator, `, ` by default. */
function join(items: readonly SqlArg[], separator: Sql = new Sql([', '])): Sql {
  const parts: Part[] = [];
  items.forEach((item, i) => {
    if (i > 0) parts.push(...separator.parts);
    parts.push(...partsOf(item));
  });
  return new Sql(parts);
}

/**
 * Text taken as it is: only for SQL the code itself chose — identifiers from fixed lists
 * (the model registry, a table of columns), keywords, dialect expressions. Never user input.
 */
const raw = (text: string): Sql => new Sql(text ? [text] : []);

/**
 * Values for `IN (…)` or `VALUES (…)`: one parameter each, comma-separated. An empty list has
 * no SQL form (`IN ()` is a syntax error), so callers handle "none" themselves.
 */
function list(values: readonly SqlArg[]): Sql {
  if (values.length === 0) throw new Error('sql.list: an empty list has no SQL form; handle "no values" before building the query');
  return join(values);
}

/**
 * A query that numbers its own `$1…$n` (the rule compiler's output) as a fragment: its
 * parameters are renumbered after the ones before it. A `$n` it uses twice stays one parameter.
 */
function embed(query: { readonly sql: string; readonly params: readonly SqlValue[] }): Sql {
  const params = query.params.map((value) => new Param(value));
  const parts: Part[] = [];
  let at = 0;
  for (const m of query.sql.matchAll(/\$(\d+)/g)) {
    const param = params[Number(m[1]) - 1];
    if (!param) throw new Error(`sql.embed: the query uses $${m[1]} but has ${params.length} parameters`);
    if (m.index > at) parts.push(query.sql.slice(at, m.index));
    parts.push(param);
    at = m.index + m[0].length;
  }
  if (at < query.sql.length) parts.push(query.sql.slice(at));
  return new Sql(parts);
}

/**
 * A dialect hook, which takes and gives SQL text, applied to fragments and values: each
 * argument goes where the hook puts its text.
 *
 * @example
 * sql.hook((date, days) => dialect.addDays(date, days), sql.raw('s.date'), 30)
 * // → CAST(s.date + CAST($1 AS INTEGER) AS DATE) on DuckDB, with 30 bound
 */
function hook(apply: (...texts: string[]) => string, ...args: SqlArg[]): Sql {
  const text = apply(...args.map((_, i) => `\uE000${i}\uE000`));
  const parts: Part[] = [];
  text.split(/\uE000(\d+)\uE000/).forEach((piece, i) => {
    if (i % 2 === 0) {
      if (piece) parts.push(piece);
    } else parts.push(...partsOf(args[Number(piece)]!));
  });
  return new Sql(parts);
}

/** Builds a statement: `${value}` binds a parameter, `${fragment}` inlines a nested `sql`. */
export const sql = Object.assign((strings: TemplateStringsArray, ...args: SqlArg[]): Sql => fragment(strings, args), {
  join,
  raw,
  list,
  embed,
  hook,
  /** A value that keeps one parameter number wherever it is used in the statement. */
  param: (value: SqlValue): Param => new Param(value),
  /** No SQL at all: for optional clauses (`${where ? sql`WHERE …` : sql.empty}`). */
  empty: new Sql([]),
});
