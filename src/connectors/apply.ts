import { randomBytes } from 'node:crypto';
import { ENTITIES, type EntityName } from '../model/entities.js';
import { IMPORTED_IDS_CHUNK, type ImportListener } from '../import/import-listeners.js';
import { inTurn } from '../import/import-lock.js';
import { importWithin } from '../import/importer.js';
import { markEntityRows, markPartnerIds } from '../domain/segments/partner-changes.js';
import type { Queryable } from '../sql/queryable.js';
import { sql } from '../sql/sql.js';
import type { Database } from '../storage/database.js';
import { bumpTermsRevision } from '../domain/terms/terms-revision.js';
import { sqlTimestamp } from '../scheduling/sql-text.js';
import type { EntityBatch, Refusal, SyncBatch, SyncedPriceType } from './driver.js';

/** What a sync did to one entity. */
export interface EntityCounts {
  read: number;
  inserted: number;
  updated: number;
  deleted: number;
  refused: number;
}

/** What a run counts: entities, price types (a sales term's table) and the system's own segments (kept after the batch). */
export type CountedName = EntityName | 'priceTypes' | 'segments';

export interface ApplyResult {
  readonly counts: Partial<Record<CountedName, EntityCounts>>;
  readonly refusals: Refusal[];
}

/** Most refusals a run keeps (they are counted all the same). */
export const MAX_REFUSALS = 200;

/**
 * Applies what a driver read, all or nothing, in one transaction: each entity's records go
 * through the import's checks and upsert (src/import, skipping bad rows, which the run lists as
 * refused with the reason), so the 'facts.imported' listeners (check on create) hear the changed
 * partners as after an import; this connector's rows not read again in a replaced range are
 * deleted; partners gone from the system are marked deleted; the marks and cursors are saved.
 * On any failure nothing is written and the stored data stays as it was.
 */
export async function applySyncBatch(db: Database, connectorId: string, batch: SyncBatch, onImported?: ImportListener): Promise<ApplyResult> {
  const names = [...new Set(batch.entities.map((e) => e.entity))].sort();
  const counts: Partial<Record<CountedName, EntityCounts>> = {};
  const refusals: Refusal[] = [...batch.refusals.slice(0, MAX_REFUSALS)];
  for (const r of batch.refusals) bump(counts, r.entity as CountedName, batch).refused++;

  const work = () =>
    db.transaction(async (tx) => {
      let termsChanged = false;
      if (batch.priceTypes) {
        const c = bump(counts, 'priceTypes', batch);
        const written = await writePriceTypes(tx, batch.priceTypes);
        c.inserted += written.inserted;
        c.updated += written.updated;
        termsChanged = written.inserted + written.updated > 0;
      }
      for (const entity of batch.entities) {
        const c = bump(counts, entity.entity, batch);
        if (entity.count > 0) {
          const report = await importWithin(tx, entity.lines ? entity.lines() : jsonLines(entity), { entity: entity.entity, format: 'jsonl', skipBad: true, onImported });
          c.inserted += report.inserted;
          c.updated += report.updated;
          c.refused += report.skipped;
          for (const error of report.errors) {
            if (refusals.length >= MAX_REFUSALS) break;
            refusals.push({
              entity: entity.entity,
              id: null,
              reason: `${error.column ? `${error.column} ` : ''}${error.value !== null ? `"${error.value}": ` : ''}${error.reason} (record ${error.line})`,
            });
          }
        }
        if (entity.replace) c.deleted += await removeUnseen(tx, entity);
        if (entity.gone?.length) c.updated += await markGone(tx, entity.gone, onImported);
        if (entity.entity === 'prices' && c.inserted + c.updated + c.deleted > 0) termsChanged = true;
      }
      // Order pricing's copy of the terms (other processes too) reads the new types and prices.
      if (termsChanged) await bumpTermsRevision(tx);
      await saveMarks(tx, connectorId, batch);
    });
  // Every entity's turn, in one order, so an import of one of them waits and none deadlocks.
  const inTurns = names.reduceRight<() => Promise<void>>((inner, name) => () => inTurn(db, name, inner), work);
  await inTurns();
  await db.checkpoint();
  return { counts, refusals };
}

function bump(counts: Partial<Record<CountedName, EntityCounts>>, entity: CountedName, batch: SyncBatch): EntityCounts {
  let c = counts[entity];
  const read = entity === 'priceTypes' ? (batch.priceTypes?.length ?? 0) : entity === 'segments' ? 0 : (batch.read[entity] ?? 0);
  if (!c) counts[entity] = c = { read, inserted: 0, updated: 0, deleted: 0, refused: 0 };
  return c;
}

/** Creates the system's price types (set by hand: their prices come with the batch) and renames or re-dates changed ones. */
async function writePriceTypes(tx: Queryable, types: readonly SyncedPriceType[]): Promise<{ inserted: number; updated: number }> {
  let inserted = 0;
  let updated = 0;
  const now = sqlTimestamp();
  for (const t of types) {
    const [row] = await tx.query<{ name: string; currency: string; vat_included: boolean }>(sql`SELECT name, currency, vat_included FROM price_types WHERE id = ${t.id}`);
    if (!row) {
      await tx.run(
        sql`INSERT INTO price_types (id, name, description, currency, vat_included, vat_rate, base_type_id, markup_percent, rounding, is_default, created_at, updated_at)
            VALUES (${t.id}, ${t.name}, ${t.description}, ${t.currency}, ${t.vatIncluded}, 20, NULL, NULL, NULL, FALSE, CAST(${now} AS TIMESTAMP), CAST(${now} AS TIMESTAMP))`,
      );
      inserted++;
    } else if (row.name !== t.name || row.currency !== t.currency || Boolean(row.vat_included) !== t.vatIncluded) {
      await tx.run(sql`UPDATE price_types SET name = ${t.name}, currency = ${t.currency}, vat_included = ${t.vatIncluded}, updated_at = CAST(${now} AS TIMESTAMP) WHERE id = ${t.id}`);
      updated++;
    }
  }
  return { inserted, updated };
}

/** The batch's records as JSON Lines text, a few thousand records per chunk. */
async function* jsonLines(entity: EntityBatch): AsyncGenerator<string> {
  let lines: string[] = [];
  for await (const record of entity.records()) {
    lines.push(JSON.stringify(record));
    if (lines.length >= 5000) {
      yield `${lines.join('\n')}\n`;
      lines = [];
    }
  }
  if (lines.length) yield `${lines.join('\n')}\n`;
}

/** Deletes this connector's rows of the replaced range whose ids the batch did not carry. */
async function removeUnseen(tx: Queryable, entity: EntityBatch): Promise<number> {
  const { idPrefix, dateFrom, scopes } = entity.replace!;
  if (scopes && scopes.length === 0) return 0;
  const table = sql.raw(ENTITIES[entity.entity].table);
  const suffix = randomBytes(6).toString('hex');
  const seen = `connector_seen_${suffix}`;
  const scoped = `connector_scopes_${suffix}`;
  await tx.run(`CREATE TEMPORARY TABLE ${seen} (id ${tx.dialect.columnType('text')} NOT NULL)`);
  if (scopes) await tx.run(`CREATE TEMPORARY TABLE ${scoped} (prefix ${tx.dialect.columnType('text')} NOT NULL)`);
  try {
    for (let i = 0; scopes && i < scopes.length; i += 10_000) {
      await tx.appendRows(
        scoped,
        ['prefix'],
        scopes.slice(i, i + 10_000).map((p) => [p]),
      );
    }
    let ids: string[][] = [];
    for await (const id of idsOf(entity)) {
      ids.push([id]);
      if (ids.length >= 10_000) {
        await tx.appendRows(seen, ['id'], ids);
        ids = [];
      }
    }
    if (ids.length) await tx.appendRows(seen, ['id'], ids);
    const inScope = scopes ? sql`AND EXISTS (SELECT 1 FROM ${sql.raw(scoped)} p WHERE substr(${table}.id, 1, length(p.prefix)) = p.prefix)` : sql.empty;
    const bound = sql`substr(id, 1, ${idPrefix.length}) = ${idPrefix} ${dateFrom ? sql`AND date >= ${sql.hook((d) => tx.dialect.castDate(d), dateFrom)}` : sql.empty} ${inScope} AND NOT EXISTS (SELECT 1 FROM ${sql.raw(seen)} s WHERE s.id = ${table}.id)`;
    const [row] = await tx.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM ${table} WHERE ${bound}`);
    const n = Number(row?.n ?? 0);
    if (n > 0) {
      // What the deleted rows change (incremental refresh reads those partners again).
      await markEntityRows(tx, entity.entity, sql`SELECT * FROM ${table} WHERE ${bound}`);
      await tx.run(sql`DELETE FROM ${table} WHERE ${bound}`);
    }
    return n;
  } finally {
    await tx.run(`DROP TABLE IF EXISTS ${seen}`);
    if (scopes) await tx.run(`DROP TABLE IF EXISTS ${scoped}`);
  }
}

/** The batch's ids: apart when it has them, else from its records. */
async function* idsOf(entity: EntityBatch): AsyncGenerator<string> {
  if (entity.ids) {
    yield* entity.ids();
    return;
  }
  for await (const record of entity.records()) yield String(record.id);
}

/** Marks partners gone from the system deleted (their facts stay); told as changed. */
async function markGone(tx: Queryable, ids: readonly string[], onImported?: ImportListener): Promise<number> {
  const changed: string[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const rows = await tx.query<{ id: string }>(sql`SELECT id FROM partners WHERE id IN (${sql.list(chunk)}) AND deleted IS NOT TRUE`);
    if (!rows.length) continue;
    const found = rows.map((r) => r.id);
    await tx.run(sql`UPDATE partners SET deleted = TRUE WHERE id IN (${sql.list(found)})`);
    await markPartnerIds(tx, found, 'partners');
    changed.push(...found);
  }
  changed.sort();
  for (let i = 0; i < changed.length && onImported; i += IMPORTED_IDS_CHUNK) await onImported(tx, { entity: 'partners', changedIds: changed.slice(i, i + IMPORTED_IDS_CHUNK) });
  return changed.length;
}

/** Saves the batch's object marks and cursors (the next sync's starting point). */
async function saveMarks(tx: Queryable, connectorId: string, batch: SyncBatch): Promise<void> {
  for (const update of batch.marks) {
    if (update.replaceAll) {
      await tx.run(sql`DELETE FROM connector_objects WHERE connector_id = ${connectorId} AND resource = ${update.resource}`);
    } else {
      const drop = [...update.removed, ...update.set.keys()];
      for (let i = 0; i < drop.length; i += 1000) {
        await tx.run(sql`DELETE FROM connector_objects WHERE connector_id = ${connectorId} AND resource = ${update.resource} AND ref IN (${sql.list(drop.slice(i, i + 1000))})`);
      }
    }
    const rows = [...update.set].map(([ref, mark]) => [connectorId, update.resource, ref, mark.version, mark.value]);
    for (let i = 0; i < rows.length; i += 10_000) await tx.appendRows('connector_objects', ['connector_id', 'resource', 'ref', 'version', 'value'], rows.slice(i, i + 10_000));
  }
  for (const [name, value] of Object.entries(batch.cursors)) {
    await tx.run(sql`DELETE FROM connector_state WHERE connector_id = ${connectorId} AND name = ${name}`);
    await tx.run(sql`INSERT INTO connector_state (connector_id, name, value) VALUES (${connectorId}, ${name}, ${JSON.stringify(value)})`);
  }
}
