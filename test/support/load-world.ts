/**
 * Loads an in-memory World (the reference evaluator's input) into a database, replacing
 * whatever was there, so the same data is seen by the engines and by the oracle.
 */
import { rebuildClosure } from '../../src/domain/hierarchy/closure.js';
import { ENTITIES, entityColumns, type EntityName } from '../../src/model/entities.js';
import type { World } from '../../src/rules/reference/world.js';
import type { Database } from '../../src/storage/database.js';

const TABLES_TO_CLEAR = [
  'partner_properties',
  'product_properties',
  'property_definitions',
  'segment_members',
  'segments',
  'partner_scores',
  'partner_groups_closure',
  'regions_closure',
  'product_groups_closure',
  ...Object.values(ENTITIES).map((e) => e.table),
];

const literal = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  return String(value);
};

async function appendEntity(db: Database, name: EntityName, records: readonly Record<string, unknown>[]): Promise<void> {
  const entity = ENTITIES[name];
  const columns = entityColumns(entity);
  const rows = records.map((record) =>
    entity.fields.flatMap((field) => (field.kind === 'flags' ? field.values.map((v) => String(((record[field.name] as string[] | undefined) ?? []).includes(v))) : [literal(record[field.name])])),
  );
  await db.appendRows(
    entity.table,
    columns.map((c) => c.column),
    rows,
  );
}

async function appendProperties(db: Database, table: string, records: readonly { id: string; properties: Readonly<Record<string, unknown>> }[], types: ReadonlyMap<string, string>): Promise<void> {
  const rows: (string | null)[][] = [];
  for (const record of records) {
    for (const [name, value] of Object.entries(record.properties)) {
      if (value === null || value === undefined) continue;
      const type = types.get(name);
      rows.push([
        record.id,
        name,
        type === 'string' ? String(value) : null,
        type === 'number' ? String(value) : null,
        type === 'date' ? String(value) : null,
        type === 'boolean' ? String(value) : null,
      ]);
    }
  }
  const owner = table === 'partner_properties' ? 'partner_id' : 'product_id';
  await db.appendRows(table, [owner, 'name', 'value_text', 'value_number', 'value_date', 'value_boolean'], rows);
}

export async function loadWorld(db: Database, world: World): Promise<void> {
  for (const table of TABLES_TO_CLEAR) await db.run(`DELETE FROM ${table}`);
  await appendEntity(db, 'partnerGroups', world.partnerGroups as never);
  await appendEntity(db, 'regions', world.regions as never);
  await appendEntity(db, 'productGroups', world.productGroups as never);
  await appendEntity(db, 'partners', world.partners as never);
  await appendEntity(db, 'products', world.products as never);
  await appendEntity(db, 'sales', world.sales as never);
  await appendEntity(db, 'interactions', world.interactions as never);
  await appendEntity(db, 'settlements', world.settlements as never);
  await appendEntity(db, 'deals', world.deals as never);
  for (const d of world.propertyDefinitions) {
    await db.run('INSERT INTO property_definitions (entity, name, type) VALUES ($1, $2, $3)', [d.entity, d.name, d.type]);
  }
  const types = (entity: string) => new Map(world.propertyDefinitions.filter((d) => d.entity === entity).map((d) => [d.name, d.type]));
  await appendProperties(db, 'partner_properties', world.partners, types('partners'));
  await appendProperties(db, 'product_properties', world.products, types('products'));
  for (const s of world.segments) {
    await db.run('INSERT INTO segments (id, kind, name, method, rule, sql, parameters) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      s.id,
      s.kind,
      s.id,
      s.method,
      s.rule === null ? null : JSON.stringify(s.rule),
      s.sql,
      JSON.stringify(s.parameters),
    ]);
  }
  // Appended without member keys where the dialect keeps them (migration 26): rows written so
  // are found by their ids, as rows written before the migration would be.
  const keyed = db.dialect.memberKey !== null;
  await db.appendRows(
    'segment_members',
    ['segment_id', 'member_id', 'added_at', ...(keyed ? ['member_key'] : [])],
    world.segmentMembers.map((m) => [m.segmentId, m.memberId, '2020-01-01 00:00:00', ...(keyed ? [null] : [])]),
  );
  await db.appendRows(
    'partner_scores',
    ['partner_id', 'score', 'value'],
    world.partnerScores.map((s) => [s.partnerId, s.score, String(s.value)]),
  );
  await rebuildClosure(db, ENTITIES.partnerGroups);
  await rebuildClosure(db, ENTITIES.regions);
  await rebuildClosure(db, ENTITIES.productGroups);
}
