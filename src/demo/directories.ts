import type { Queryable } from '../sql/queryable.js';
import type { DemoPlan } from './demo-plan.js';
import { DEMO_PARTNER_GROUPS, DEMO_PARTNER_TYPES } from './partner-groups.js';
import { PARTNER_PROPERTIES } from './partners.js';
import { DEMO_PRODUCT_GROUPS } from './products.js';
import { DEMO_REGIONS } from './regions.js';

/** Product property names and types. */
export const PRODUCT_PROPERTIES = [
  { name: 'Страна производства', type: 'string' },
  { name: 'Гарантия, мес', type: 'number' },
] as const;

/**
 * The small tables: regions, partner groups, partner types, managers, product groups,
 * products with their properties, and the property definitions of partners and products.
 */
export async function loadDirectories(db: Queryable, plan: DemoPlan): Promise<void> {
  await db.appendRows(
    'regions',
    ['id', 'name', 'parent_id'],
    DEMO_REGIONS.map((r) => [r.id, r.name, r.parent]),
  );
  await db.appendRows(
    'partner_groups',
    ['id', 'name', 'parent_id'],
    DEMO_PARTNER_GROUPS.map((g) => [g.id, g.name, g.parent]),
  );
  await db.appendRows(
    'partner_types',
    ['id', 'name'],
    DEMO_PARTNER_TYPES.map((t) => [t.id, t.name]),
  );
  await db.appendRows(
    'managers',
    ['id', 'name'],
    plan.managers.rows.map((m) => [m.id, m.name]),
  );
  await db.appendRows(
    'product_groups',
    ['id', 'name', 'parent_id'],
    DEMO_PRODUCT_GROUPS.map((g) => [g.id, g.name, g.parent]),
  );
  const products = plan.catalogue.products;
  await db.appendRows(
    'products',
    ['id', 'name', 'group_id', 'brand', 'unit'],
    products.map((p) => [p.id, p.name, p.group, p.brand, p.unit]),
  );
  await db.appendRows(
    'product_properties',
    ['product_id', 'name', 'value_text', 'value_number', 'value_date', 'value_boolean'],
    products.flatMap((p) => [[p.id, 'Страна производства', p.country, null, null, null], ...(p.warrantyMonths === null ? [] : [[p.id, 'Гарантия, мес', null, String(p.warrantyMonths), null, null]])]),
  );
  await db.appendRows(
    'property_definitions',
    ['entity', 'name', 'type'],
    [...PARTNER_PROPERTIES.map((p) => ['partners', p.name, p.type]), ...PRODUCT_PROPERTIES.map((p) => ['products', p.name, p.type])],
  );
}
