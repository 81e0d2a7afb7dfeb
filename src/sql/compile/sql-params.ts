import type { FieldType } from '../../model/entities.js';
import type { SqlValue } from '../queryable.js';
import type { Dialect } from '../dialect.js';

/**
 * The parameters of one compiled query. Every value from a rule reaches SQL only through
 * bind(): a `$n` placeholder with an explicit cast, never spliced into the text. The same
 * value with the same type is bound once and its placeholder reused.
 */
export class SqlParams {
  readonly values: SqlValue[] = [];
  private readonly placeholders = new Map<string, string>();

  constructor(private readonly dialect: Dialect) {}

  bind(value: SqlValue, type: FieldType): string {
    const key = `${type}:${typeof value}:${String(value)}`;
    const known = this.placeholders.get(key);
    if (known) return known;
    this.values.push(value);
    const placeholder = this.dialect.cast(this.dialect.placeholder(this.values.length), type);
    this.placeholders.set(key, placeholder);
    return placeholder;
  }

  /**
   * The query with only the parameters its text uses, renumbered in order: a predicate may
   * drop a left side whose values were already bound (`in []` is FALSE), and engines refuse
   * unused parameters. Safe because the text holds no literal from a rule, only `$n`.
   */
  finalize(sql: string): { sql: string; params: SqlValue[] } {
    const renumbered = new Map<number, number>();
    const params: SqlValue[] = [];
    const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
      const old = Number(n);
      let now = renumbered.get(old);
      if (now === undefined) {
        params.push(this.values[old - 1]!);
        now = params.length;
        renumbered.set(old, now);
      }
      return this.dialect.placeholder(now);
    });
    return { sql: text, params };
  }

  /** A comma-separated list of bound values, for `IN (…)`. */
  bindList(values: readonly SqlValue[], type: FieldType): string {
    return values.map((v) => this.bind(v, type)).join(', ');
  }
}
