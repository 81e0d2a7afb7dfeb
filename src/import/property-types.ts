import { PROPERTY_TYPES, type EntityDef, type PropertyType } from '../model/entities.js';
import type { Queryable } from '../sql/queryable.js';
import { sql } from '../sql/sql.js';
import { BadValue, checkText, isEmpty, MAX_ID_LENGTH, MAX_TEXT_LENGTH, quote, scalarCoercer, toBoolean } from './field-coercers.js';
import { said } from './row-error-codes.js';
import { EMPTY_DATE, parseBooleanText, parseDateText } from './value-parsers.js';

/** The four value columns of a property row: value_text, value_number, value_date, value_boolean. */
export type PropertyValues = [string | null, string | null, string | null, string | null];

const HOLDS: Record<PropertyType, string> = {
  string: 'text',
  number: 'numbers',
  date: 'dates',
  boolean: 'true/false values',
};

const decimal = scalarCoercer({ kind: 'scalar', name: 'value', column: 'value', type: 'decimal' });
const date = scalarCoercer({ kind: 'scalar', name: 'value', column: 'value', type: 'date' });

const NUMBER_LIKE = /^-?(?:0|[1-9]\d*)(?:[.,]\d+)?$/;
const SPACED_NUMBER = /^-?[1-9]\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DOTTED_DATE = /^\d{2}\.\d{2}\.\d{4}$/;
const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no', 'да', 'нет']);

/**
 * The type a new property gets from its first value: a JSON number or boolean keeps its type;
 * text that reads as a number (no leading zeros: codes like "007" stay text; `1 234,56` with
 * space groups too), a word like true/false/yes/no/да/нет, or a date YYYY-MM-DD or DD.MM.YYYY
 * gets that type; anything else is a string.
 */
export function inferPropertyType(raw: unknown): PropertyType {
  if (typeof raw === 'number') return 'number';
  if (typeof raw === 'boolean') return 'boolean';
  if (typeof raw !== 'string') return 'string';
  const text = raw.trim();
  if (NUMBER_LIKE.test(text) || SPACED_NUMBER.test(text)) return 'number';
  if (ISO_DATE.test(text) && parseDateText(text) === text) return 'date';
  if (DOTTED_DATE.test(text) && parseDateText(text) !== undefined && parseDateText(text) !== EMPTY_DATE) return 'date';
  if (BOOLEAN_WORDS.has(text.toLowerCase()) && parseBooleanText(text) !== undefined) return 'boolean';
  return 'string';
}

function toPropertyType(type: string): PropertyType {
  return (PROPERTY_TYPES as readonly string[]).includes(type) ? (type as PropertyType) : 'string';
}

interface Definition {
  readonly type: PropertyType;
  /** Line of the value the type was inferred from; undefined for definitions already stored. */
  readonly inferredAtLine: number | undefined;
}

/**
 * Types of an entity's additional properties: those defined in `property_definitions`, and
 * those an import meets for the first time (inferred from their first value). Every later value
 * must fit its property's type.
 */
export class PropertyTypes {
  private constructor(private readonly definitions: Map<string, Definition>) {}

  /** Loads the definitions stored for an entity (keyed by entity name, e.g. 'partners'). */
  static async load(db: Queryable, entity: EntityDef): Promise<PropertyTypes> {
    const rows = await db.query<{ name: string; type: string }>(sql`SELECT name, type FROM property_definitions WHERE entity = ${entity.name}`);
    return new PropertyTypes(new Map(rows.map((r) => [r.name, { type: toPropertyType(r.type), inferredAtLine: undefined }])));
  }

  /**
   * The value columns for property `name` holding `raw` (all null: the property is removed).
   * Infers the type of a new property. Throws BadValue when the value does not fit the type.
   */
  values(name: string, raw: unknown, line: number): PropertyValues {
    checkText(name, MAX_ID_LENGTH, 'a property name', 'the name');
    if (isEmpty(raw)) return [null, null, null, null];
    let definition = this.definitions.get(name);
    if (!definition) {
      definition = { type: inferPropertyType(raw), inferredAtLine: line };
      this.definitions.set(name, definition);
    }
    try {
      switch (definition.type) {
        case 'string':
          if (typeof raw === 'object') throw new BadValue(`${quote(raw)} is not text`);
          return [checkText(String(raw), MAX_TEXT_LENGTH), null, null, null];
        case 'number':
          return [null, decimal(raw), null, null];
        case 'date':
          return [null, null, date(raw), null];
        case 'boolean':
          return [null, null, null, String(toBoolean(raw))];
      }
    } catch (error) {
      if (!(error instanceof BadValue)) throw error;
      const since = definition.inferredAtLine === undefined ? '' : ` (as inferred from line ${definition.inferredAtLine})`;
      const code = definition.type === 'string' ? 'propertyText' : definition.type === 'number' ? 'propertyNumber' : definition.type === 'date' ? 'propertyDate' : 'propertyBoolean';
      throw new BadValue(
        `property ${quote(name)} holds ${HOLDS[definition.type]}${since}; ${error.reason}`,
        undefined,
        error.said?.code === 'tooLong' ? error.said : said(code, { name, value: quote(raw) }),
      );
    }
  }

  /** Properties first met in this import, with their inferred types. */
  newDefinitions(): { name: string; type: PropertyType }[] {
    return [...this.definitions].filter(([, d]) => d.inferredAtLine !== undefined).map(([name, d]) => ({ name, type: d.type }));
  }
}
