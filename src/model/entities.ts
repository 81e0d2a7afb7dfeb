/**
 * The data model of SPEC §1 as data: one description per imported entity.
 *
 * Import, storage DDL, the demo generator, the API schemas and the rule compiler all read
 * these descriptions, so a field is declared once. Field names are the API/import names
 * (camelCase); `column` is the SQL column (snake_case).
 */

export type FieldType = 'text' | 'decimal' | 'integer' | 'date' | 'timestamp' | 'boolean';

export interface ScalarField {
  readonly kind: 'scalar';
  readonly name: string;
  readonly column: string;
  readonly type: FieldType;
  readonly required?: boolean;
  /** Allowed values (checked on import, offered by the rule builder). */
  readonly values?: readonly string[];
  /** Inclusive numeric bounds. */
  readonly min?: number;
  readonly max?: number;
  /** Entity whose id this field holds; checked on import. */
  readonly references?: EntityName;
  /** A table that is not an imported entity (price types) whose id this field holds; checked on import. */
  readonly referencesTable?: { readonly table: string; readonly singular: string };
  /** The migration that added the column to an entity of migration 1 (which leaves it out). */
  readonly addedIn?: number;
}

/** A set of flags, e.g. partner roles; stored as one boolean column per value. */
export interface FlagsField {
  readonly kind: 'flags';
  readonly name: string;
  readonly values: readonly string[];
  /** Column of value v is `${columnPrefix}${v}`. */
  readonly columnPrefix: string;
}

export type FieldDef = ScalarField | FlagsField;

/** The entities of SPEC §1, whose tables migration 1 made (and migration 6 indexed): never add here. */
export const ENTITY_NAMES = ['partnerGroups', 'regions', 'productGroups', 'partnerTypes', 'managers', 'partners', 'products', 'sales', 'interactions', 'settlements', 'deals'] as const;
/** Entities added later, each by its own migration (prices: migration 14). */
export const LATER_ENTITY_NAMES = ['prices'] as const;
/** Every entity import takes. */
export const IMPORT_ENTITY_NAMES = [...ENTITY_NAMES, ...LATER_ENTITY_NAMES] as const;
export type EntityName = (typeof IMPORT_ENTITY_NAMES)[number];

export interface EntityDef {
  readonly name: EntityName;
  readonly table: string;
  /** Human name of one row, for messages. */
  readonly singular: string;
  readonly fields: readonly FieldDef[];
  /** Rows carry typed additional properties (SPEC §1 "properties"). */
  readonly properties?: { readonly table: string; readonly ownerColumn: string };
  /** The `parent` field makes a hierarchy (partner groups, regions, product groups). */
  readonly hierarchy?: boolean;
  /** Fact tables are large; they are keyed by id but loaded in bulk. */
  readonly fact?: boolean;
  /**
   * Fields whose values together identify a row: a row without an id gets `v1|v2|…` (a price is
   * one product's in one price type from one date).
   */
  readonly key?: readonly string[];
}

const text = (name: string, column: string, extra: Partial<ScalarField> = {}): ScalarField => ({
  kind: 'scalar',
  name,
  column,
  type: 'text',
  ...extra,
});
const typed = (name: string, column: string, type: FieldType, extra: Partial<ScalarField> = {}): ScalarField => ({
  kind: 'scalar',
  name,
  column,
  type,
  ...extra,
});

const id = text('id', 'id', { required: true });

const directory = (name: EntityName, table: string, singular: string, hierarchy: boolean): EntityDef => ({
  name,
  table,
  singular,
  hierarchy,
  fields: [id, text('name', 'name', { required: true }), ...(hierarchy ? [text('parent', 'parent_id', { references: name })] : [])],
});

export const PARTNER_ROLES = ['customer', 'supplier', 'competitor', 'other'] as const;
export const LEGAL_FORMS = ['company', 'person'] as const;
export const INTERACTION_DIRECTIONS = ['in', 'out'] as const;
export const DEAL_OUTCOMES = ['open', 'won', 'lost'] as const;

export const ENTITIES: Readonly<Record<EntityName, EntityDef>> = {
  partnerGroups: directory('partnerGroups', 'partner_groups', 'partner group', true),
  regions: directory('regions', 'regions', 'region', true),
  productGroups: directory('productGroups', 'product_groups', 'product group', true),
  partnerTypes: directory('partnerTypes', 'partner_types', 'partner type', false),
  managers: directory('managers', 'managers', 'manager', false),
  partners: {
    name: 'partners',
    table: 'partners',
    singular: 'partner',
    properties: { table: 'partner_properties', ownerColumn: 'partner_id' },
    fields: [
      id,
      text('name', 'name', { required: true }),
      { kind: 'flags', name: 'roles', values: PARTNER_ROLES, columnPrefix: 'role_' },
      text('legalForm', 'legal_form', { values: LEGAL_FORMS }),
      text('group', 'group_id', { references: 'partnerGroups' }),
      text('region', 'region_id', { references: 'regions' }),
      text('manager', 'manager_id', { references: 'managers' }),
      text('type', 'type_id', { references: 'partnerTypes' }),
      typed('birthDate', 'birth_date', 'date'),
      typed('registeredAt', 'registered_at', 'date'),
      typed('deleted', 'deleted', 'boolean'),
      text('email', 'email'),
      text('phone', 'phone'),
      // Consent (issue 22): a partner who asked for no mailings gets none.
      typed('noMailings', 'no_mailings', 'boolean', { addedIn: 21 }),
    ],
  },
  products: {
    name: 'products',
    table: 'products',
    singular: 'product',
    properties: { table: 'product_properties', ownerColumn: 'product_id' },
    fields: [id, text('name', 'name', { required: true }), text('group', 'group_id', { references: 'productGroups' }), text('brand', 'brand'), text('unit', 'unit')],
  },
  sales: {
    name: 'sales',
    table: 'sales',
    singular: 'sale line',
    fact: true,
    fields: [
      id,
      text('document', 'document', { required: true }),
      typed('date', 'date', 'date', { required: true }),
      text('partner', 'partner_id', { required: true, references: 'partners' }),
      text('product', 'product_id', { required: true, references: 'products' }),
      typed('quantity', 'quantity', 'decimal', { required: true }),
      typed('revenue', 'revenue', 'decimal', { required: true }),
      typed('cost', 'cost', 'decimal'),
      text('manager', 'manager_id', { references: 'managers' }),
    ],
  },
  interactions: {
    name: 'interactions',
    table: 'interactions',
    singular: 'interaction',
    fact: true,
    fields: [
      id,
      text('partner', 'partner_id', { required: true, references: 'partners' }),
      typed('date', 'date', 'date', { required: true }),
      text('type', 'type', { required: true }),
      text('direction', 'direction', { values: INTERACTION_DIRECTIONS }),
      text('subject', 'subject'),
      typed('score', 'score', 'integer', { min: 0, max: 10 }),
      text('result', 'result'),
    ],
  },
  settlements: {
    name: 'settlements',
    table: 'settlements',
    singular: 'settlement entry',
    fact: true,
    fields: [
      id,
      text('partner', 'partner_id', { required: true, references: 'partners' }),
      typed('date', 'date', 'date', { required: true }),
      typed('amount', 'amount', 'decimal', { required: true }),
      typed('dueDate', 'due_date', 'date'),
    ],
  },
  deals: {
    name: 'deals',
    table: 'deals',
    singular: 'deal',
    fact: true,
    fields: [
      id,
      text('partner', 'partner_id', { required: true, references: 'partners' }),
      text('type', 'type'),
      text('stage', 'stage'),
      typed('amount', 'amount', 'decimal'),
      typed('createdAt', 'created_at', 'date'),
      typed('closedAt', 'closed_at', 'date'),
      text('outcome', 'outcome', { values: DEAL_OUTCOMES }),
      text('lostReason', 'lost_reason'),
    ],
  },
  prices: {
    name: 'prices',
    table: 'prices',
    singular: 'price',
    fact: true,
    key: ['priceType', 'product', 'validFrom'],
    fields: [
      text('id', 'id'),
      text('priceType', 'price_type_id', { required: true, referencesTable: { table: 'price_types', singular: 'price type' } }),
      text('product', 'product_id', { required: true, references: 'products' }),
      typed('validFrom', 'valid_from', 'date', { required: true }),
      typed('price', 'price', 'decimal', { required: true, min: 0, max: 1_000_000_000_000 }),
    ],
  },
};

export function isEntityName(value: string): value is EntityName {
  return (ENTITY_NAMES as readonly string[]).includes(value);
}

/** SQL columns of an entity in declaration order (flags expanded). */
export function entityColumns(entity: EntityDef): { column: string; type: FieldType }[] {
  return entity.fields.flatMap((f) => (f.kind === 'flags' ? f.values.map((v) => ({ column: `${f.columnPrefix}${v}`, type: 'boolean' as const })) : [{ column: f.column, type: f.type }]));
}

/** An entity as migration 1 made it: without the fields later migrations added. */
export function initialEntity(entity: EntityDef): EntityDef {
  return { ...entity, fields: entity.fields.filter((f) => f.kind === 'flags' || f.addedIn === undefined) };
}

/** Types an additional property may have (SPEC §1). */
export const PROPERTY_TYPES = ['string', 'number', 'date', 'boolean'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

/** The table and the name of one row a reference field points to, if it is one. */
export function referenceTarget(field: ScalarField): { readonly table: string; readonly singular: string; readonly self: EntityName | null } | undefined {
  if (field.references) return { table: ENTITIES[field.references].table, singular: ENTITIES[field.references].singular, self: field.references };
  if (field.referencesTable) return { ...field.referencesTable, self: null };
  return undefined;
}
