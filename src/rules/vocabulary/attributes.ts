import { ENTITIES, type EntityDef, type EntityName, type FieldType, type PropertyType } from '../../model/entities.js';
import type { ValueType } from './operators.js';

/** What a segment holds: partners or products (SPEC §2). */
export const RULE_KINDS = ['partner', 'product'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const ENTITY_OF_KIND: Readonly<Record<RuleKind, EntityDef>> = {
  partner: ENTITIES.partners,
  product: ENTITIES.products,
};

/** A field stored in a column of the partners (products) table. */
export interface ColumnAttribute {
  readonly source: 'column';
  readonly name: string;
  readonly column: string;
  readonly type: Exclude<ValueType, 'roles'>;
  /** The hierarchy the field points into (group, region, product group): enables inHierarchy. */
  readonly hierarchy?: EntityName;
  /** The only values the field may hold (legal form). */
  readonly values?: readonly string[];
  /**
   * A missing value reads as false: the model's flags (the deletion mark) are never "empty" in
   * 1C, so `deleted eq false` must keep partners imported without the column.
   */
  readonly nullAsFalse?: boolean;
}

/** Partner roles: a set of flags, one boolean column each. */
export interface RolesAttribute {
  readonly source: 'roles';
  readonly name: string;
  readonly type: 'roles';
  readonly values: readonly string[];
  readonly columnPrefix: string;
}

/** An additional property (`properties.<name>`), typed by `property_definitions`. */
export interface PropertyAttribute {
  readonly source: 'property';
  readonly name: string;
  readonly property: string;
  readonly type: Exclude<ValueType, 'roles'>;
}

export type AttributeDef = ColumnAttribute | RolesAttribute | PropertyAttribute;

const FIELD_VALUE_TYPES: Readonly<Record<FieldType, Exclude<ValueType, 'roles'> | undefined>> = {
  text: 'text',
  decimal: 'number',
  integer: 'number',
  date: 'date',
  boolean: 'boolean',
  timestamp: undefined,
};

export const PROPERTY_VALUE_TYPES: Readonly<Record<PropertyType, Exclude<ValueType, 'roles'>>> = {
  string: 'text',
  number: 'number',
  date: 'date',
  boolean: 'boolean',
};

/** The typed value column of a property row holding a value of this type. */
export const PROPERTY_VALUE_COLUMNS: Readonly<Record<Exclude<ValueType, 'roles'>, string>> = {
  text: 'value_text',
  number: 'value_number',
  date: 'value_date',
  boolean: 'value_boolean',
};

export const PROPERTY_PREFIX = 'properties.';

function fieldAttributes(entity: EntityDef): ReadonlyMap<string, AttributeDef> {
  const attributes = new Map<string, AttributeDef>();
  for (const field of entity.fields) {
    if (field.kind === 'flags') {
      attributes.set(field.name, {
        source: 'roles',
        name: field.name,
        type: 'roles',
        values: field.values,
        columnPrefix: field.columnPrefix,
      });
      continue;
    }
    const type = FIELD_VALUE_TYPES[field.type];
    if (!type) continue;
    const target = field.references ? ENTITIES[field.references] : undefined;
    attributes.set(field.name, {
      source: 'column',
      name: field.name,
      column: field.column,
      type,
      ...(target?.hierarchy ? { hierarchy: target.name } : {}),
      ...(field.values ? { values: field.values } : {}),
      ...(type === 'boolean' ? { nullAsFalse: true } : {}),
    });
  }
  return attributes;
}

const FIELD_ATTRIBUTES: Readonly<Record<RuleKind, ReadonlyMap<string, AttributeDef>>> = {
  partner: fieldAttributes(ENTITY_OF_KIND.partner),
  product: fieldAttributes(ENTITY_OF_KIND.product),
};

/** Names of the attributes of a kind that are model fields (not properties). */
export const fieldAttributeNames = (kind: RuleKind): string[] => [...FIELD_ATTRIBUTES[kind].keys()];

/**
 * The attribute a rule names: a model field of partners (products), or `properties.<name>`
 * when `property_definitions` defines that property for the entity.
 */
export function resolveAttribute(kind: RuleKind, name: string, properties: ReadonlyMap<string, PropertyType>): AttributeDef | undefined {
  if (name.startsWith(PROPERTY_PREFIX)) {
    const property = name.slice(PROPERTY_PREFIX.length);
    const type = properties.get(property);
    return type ? { source: 'property', name, property, type: PROPERTY_VALUE_TYPES[type] } : undefined;
  }
  return FIELD_ATTRIBUTES[kind].get(name);
}
