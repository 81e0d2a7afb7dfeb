import { entityColumns, type EntityDef, type FlagsField, type ScalarField } from '../model/entities.js';
import { flagsCoercer, scalarCoercer, type Coerce } from './field-coercers.js';

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

  constructor(readonly entity: EntityDef) {
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
  }

  /** The target of a column name, or undefined for a name the entity does not have. */
  resolve(name: string): ColumnTarget | undefined {
    if (this.cache.has(name)) return this.cache.get(name);
    let target = this.byName.get(name.trim().toLowerCase());
    if (!target && this.entity.properties && name.startsWith(PROPERTY_COLUMN_PREFIX)) {
      const property = name.slice(PROPERTY_COLUMN_PREFIX.length).trim();
      if (property) target = { kind: 'property', name: property };
    }
    this.cache.set(name, target);
    return target;
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
