import { onImported } from '../../import/import-listeners.js';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { compileRule } from '../../sql/compile/compile-rule.js';
import type { Queryable, SqlValue } from '../../storage/database.js';
import { listSegments, sqlTimestamp } from './segments.repository.js';

/**
 * "Check on create" (SPEC §2): a partner created or changed is checked against every periodic
 * segment that asks for it and added at once if it matches; removal waits for the next rebuild.
 * Runs in the caller's transaction, so the additions commit with the change that caused them.
 */
export async function checkPartnersOnCreate(tx: Queryable, partnerIds: readonly string[]): Promise<{ segmentId: string; added: string[] }[]> {
  if (partnerIds.length === 0) return [];
  const segments = (await listSegments(tx, { kind: 'partner', method: 'periodic', archived: false })).filter(
    (s) => s.checkOnCreate && s.rule !== null,
  );
  if (segments.length === 0) return [];
  const catalog = await loadRuleCatalog(tx);
  const at = sqlTimestamp();
  const results: { segmentId: string; added: string[] }[] = [];
  for (const segment of segments) {
    const query = compileRule(segment.rule, {
      dialect: tx.dialect,
      catalog,
      kind: 'partner',
      parameters: segment.parameters as Record<string, never>,
      segmentId: segment.id,
    });
    const added: string[] = [];
    for (let i = 0; i < partnerIds.length; i += 1000) {
      const chunk = partnerIds.slice(i, i + 1000);
      const n = query.params.length;
      const list = chunk.map((_, j) => `$${n + 2 + j}`).join(', ');
      const params: SqlValue[] = [...query.params, segment.id, ...chunk];
      const rows = await tx.query<{ id: string }>(
        `SELECT q.id FROM (${query.sql}) q WHERE q.id IN (${list})
         AND NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = $${n + 1} AND m.member_id = q.id)`,
        params,
      );
      added.push(...rows.map((r) => r.id));
    }
    for (let i = 0; i < added.length; i += 500) {
      const chunk = added.slice(i, i + 500);
      const params: SqlValue[] = [segment.id, at, ...chunk];
      await tx.run(
        `INSERT INTO segment_members (segment_id, member_id, added_at) VALUES ${chunk.map((_, j) => `($1, $${j + 3}, CAST($2 AS TIMESTAMP))`).join(', ')}`,
        params,
      );
      await tx.run(
        `INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id) VALUES ${chunk.map((_, j) => `($1, $${j + 3}, 'entered', CAST($2 AS TIMESTAMP), NULL)`).join(', ')}`,
        params,
      );
    }
    if (added.length) results.push({ segmentId: segment.id, added });
  }
  return results;
}

let installed = false;

/** Hooks check-on-create into every import of partners (once per process). */
export function installCheckOnCreate(): void {
  if (installed) return;
  installed = true;
  onImported(async (tx, event) => {
    if (event.entity === 'partners') await checkPartnersOnCreate(tx, event.changedIds);
  });
}
