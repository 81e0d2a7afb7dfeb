import type { FieldType } from '../../model/entities.js';
import type { SqlValue } from '../../storage/database.js';
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

  /** A comma-separated list of bound values, for `IN (…)`. */
  bindList(values: readonly SqlValue[], type: FieldType): string {
    return values.map((v) => this.bind(v, type)).join(', ');
  }
}
