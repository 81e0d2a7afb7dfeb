import { AppError } from '../errors/app-error.js';
import { entityColumns, type EntityDef, type FlagsField, type ScalarField } from '../model/entities.js';
import { flagsCoercer, scalarCoercer, type Coerce } from './field-coercers.js';
import { editDistance, HEADINGS, normalizeHeading } from './headings.js';

/**
 * A file's own headings mapped to the entity's columns: heading → target (a field's API or SQL
 * name, `role_<value>`, `properties.<name>`), or null to leave that column out. Headings are
 * matched without regard to case, spaces and punctuation.
 */
export type ColumnMapping = Readonly<Record<string, string | null>>;

/** How a heading of a file found its column. */
export type HeadingMatch =
  /** By the mapping given, by a field's own name, or by a known heading (Russian, 1C, Bitrix24, amoCRM). */
  | { readonly how: 'mapping' | 'name' | 'heading'; readonly target: ColumnTarget; readonly field: string }
  /** Left out by the mapping (null). */
  | { readonly how: 'skipped' }
  /** Not known: the closest targets, best first. */
  | { readonly how: 'unknown'; readonly suggestions: readonly string[] };

/** Where a column of an imported file goes. Slots index the staging row (see stagingColumns). */
export type ColumnTarget =
  | { readonly kind: 'scalar'; readonly field: ScalarField; readonly slot: number; readonly coerce: Coerce }
  | { readonly kind: 'flags'; readonly field: FlagsField; readonly slots: readonly number[]; readonly coerce: (raw: unknown) => boolean[] }
  | { readonly kind: 'flag'; readonly field: FlagsField; readonly slot: number; readonly value: string }
  /** One additional property: CSV column `properties.<name>`. */
  | { readonly kind: 'property'; readonly name: string }
  /** All additional properties as an object: JSON `properties: {name: value}`. */
  | { readonly kind: 'properties' };

export const PROPERTY_COLUMN_PREFIX = 'properties.';

/**
 * The names an entity's file may use for its columns: the API name (`legalForm`, `partner`),
 * the SQL column (`legal_form`, `partner_id`), `role_<value>` for one flag, and for entities
 * with additional properties `properties.<name>` (CSV) or `properties` (JSON). Matched
 * without regard to case, except property names.
 */
export class ColumnMap {
  /** SQL columns of the staging table's data part, in the order of rows. */
  readonly columns: readonly { column: string; type: ScalarField['type'] }[];
  private readonly byName = new Map<string, ColumnTarget>();
  private readonly cache = new Map<string, ColumnTarget | undefined>();
  /** Known headings (normalized) → target name. */
  private readonly byHeading = new Map<string, string>();
  /** The mapping given (normalized heading → target name or null). */
  private readonly mapping = new Map<string, string | null>();

  constructor(
    readonly entity: EntityDef,
    mapping: ColumnMapping = {},
  ) {
    this.columns = entityColumns(entity);
    const slotOf = (column: string) => this.columns.findIndex((c) => c.column === column);
    for (const field of entity.fields) {
      if (field.kind === 'flags') {
        const slots = field.values.map((v) => slotOf(`${field.columnPrefix}${v}`));
        this.byName.set(field.name.toLowerCase(), { kind: 'flags', field, slots, coerce: flagsCoercer(field) });
        field.values.forEach((value, i) => {
          this.byName.set(`${field.columnPrefix}${value}`.toLowerCase(), { kind: 'flag', field, slot: slots[i]!, value });
        });
      } else {
        const target: ColumnTarget = { kind: 'scalar', field, slot: slotOf(field.column), coerce: scalarCoercer(field) };
        this.byName.set(field.name.toLowerCase(), target);
        this.byName.set(field.column.toLowerCase(), target);
      }
    }
    if (entity.properties) this.byName.set('properties', { kind: 'properties' });
    for (const [target, headings] of Object.entries(HEADINGS[entity.name])) {
      if (!this.byField(target)) continue;
      for (const heading of headings) this.byHeading.set(normalizeHeading(heading), target);
    }
    for (const [heading, target] of Object.entries(mapping)) {
      if (target !== null && !this.byField(target)) {
        throw new AppError('IMPORT_BAD_MAPPING', { heading, target, entity: entity.name, known: this.knownNames().join(', ') });
      }
      this.mapping.set(normalizeHeading(heading), target);
    }
  }

  /** The target of an entity's own column name (API or SQL name, `role_x`, `properties.<name>`). */
  private byField(name: string): ColumnTarget | undefined {
    const target = this.byName.get(name.trim().toLowerCase());
    if (target || !this.entity.properties || !name.startsWith(PROPERTY_COLUMN_PREFIX)) return target;
    const property = name.slice(PROPERTY_COLUMN_PREFIX.length).trim();
    return property ? { kind: 'property', name: property } : undefined;
  }

  /**
   * The target of a column heading: by the mapping given, else the entity's own name for it,
   * else a known heading; undefined when the heading is unknown or mapped to null (left out).
   */
  resolve(name: string): ColumnTarget | undefined {
    if (this.cache.has(name)) return this.cache.get(name);
    const match = this.match(name);
    const target = match.how === 'skipped' || match.how === 'unknown' ? undefined : match.target;
    this.cache.set(name, target);
    return target;
  }

  /** Whether the mapping leaves this heading out. */
  skips(name: string): boolean {
    return this.mapping.get(normalizeHeading(name)) === null;
  }

  /** How a heading finds its column, or why it does not (with suggestions). */
  match(heading: string): HeadingMatch {
    const key = normalizeHeading(heading);
    if (this.mapping.has(key)) {
      const mapped = this.mapping.get(key)!;
      return mapped === null ? { how: 'skipped' } : { how: 'mapping', target: this.byField(mapped)!, field: this.fieldName(mapped) };
    }
    const own = this.byField(heading);
    if (own) return { how: 'name', target: own, field: this.fieldName(heading) };
    const known = this.byHeading.get(key);
    if (known) return { how: 'heading', target: this.byField(known)!, field: this.fieldName(known) };
    return { how: 'unknown', suggestions: this.suggest(key) };
  }

  /** The canonical name of a target: the API name of a field, `role_x` of one flag, `properties.<name>`. */
  private fieldName(name: string): string {
    const target = this.byField(name)!;
    switch (target.kind) {
      case 'scalar':
      case 'flags':
        return target.field.name;
      case 'flag':
        return `${target.field.columnPrefix}${target.value}`;
      case 'property':
        return `${PROPERTY_COLUMN_PREFIX}${target.name}`;
      case 'properties':
        return 'properties';
    }
  }

  /** Up to three targets whose names or known headings are close to (or inside) an unknown heading. */
  private suggest(key: string): string[] {
    if (!key) return [];
    const candidates: [string, string][] = [...this.byHeading.entries()];
    for (const field of this.entity.fields) {
      candidates.push([normalizeHeading(field.name), field.name]);
      if (field.kind === 'scalar') candidates.push([normalizeHeading(field.column), field.name]);
    }
    const scored: { target: string; score: number }[] = [];
    for (const [name, target] of candidates) {
      const distance = editDistance(key, name);
      const close = distance <= Math.max(1, Math.floor(Math.min(key.length, name.length) / 3));
      const inside = name.length >= 4 && (key.includes(name) || name.includes(key));
      if (close || inside) scored.push({ target: this.fieldName(target), score: close ? distance : 100 - name.length });
    }
    scored.sort((a, b) => a.score - b.score);
    return [...new Set(scored.map((s) => s.target))].slice(0, 3);
  }

  /** The names to list when a column is unknown. */
  knownNames(): string[] {
    const names = this.entity.fields.map((f) => f.name);
    if (this.entity.properties) names.push('properties.<name>');
    return names;
  }

  /** Slots of the fields every row must fill. */
  requiredFields(): ScalarField[] {
    return this.entity.fields.filter((f): f is ScalarField => f.kind === 'scalar' && f.required === true);
  }

  slotOf(field: ScalarField): number {
    return this.columns.findIndex((c) => c.column === field.column);
  }
}
