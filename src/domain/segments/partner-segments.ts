import type { PartnerScope } from '../access/principal.js';
import { getPartner } from '../partners/partners.repository.js';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { ruleInvalidError } from '../../rules/rule-error.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { compileMemberChecks, type NamedRule } from '../../sql/compile/rule-set.js';
import { sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import { historyQuery } from './membership-history.js';
import type { SegmentMethod } from './segment.schema.js';
import { listSegments } from './segments.repository.js';

/**
 * The active partner segments a partner belongs to: stored compositions read (from history
 * with asOf), dynamic rules evaluated for this partner alone, all of them in one query that
 * reads only its facts. A partner outside the scope is not found (404).
 */
export async function partnerSegments(db: Database, scope: PartnerScope, partnerId: string, asOf?: string): Promise<{ id: string; name: string; method: SegmentMethod }[]> {
  await getPartner(db, scope, partnerId);
  const segments = await listSegments(db, { kind: 'partner', archived: false });
  const inside = new Set<string>();
  const stored = segments.filter((s) => s.method !== 'dynamic');
  if (asOf) {
    for (const segment of stored) {
      const rows = await db.query(sql`SELECT 1 AS hit FROM (${historyQuery(segment.id, asOf)}) q WHERE id = ${partnerId}`);
      if (rows.length) inside.add(segment.id);
    }
  } else {
    const rows = await db.query<{ segment_id: string }>(sql`SELECT segment_id FROM segment_members WHERE member_id = ${partnerId}`);
    for (const row of rows) inside.add(row.segment_id);
  }
  const dynamic = segments.filter((s) => s.method === 'dynamic' && s.rule !== null);
  if (dynamic.length) {
    const catalog = await loadRuleCatalog(db);
    const rules: NamedRule[] = dynamic.map((segment) => {
      const checked = checkRule(segment.rule, { kind: 'partner', catalog, parameters: segment.parameters, segmentId: segment.id });
      if (!checked.ok) throw ruleInvalidError(checked.issues, segment.id);
      return { id: segment.id, rule: checked.rule };
    });
    const query = compileMemberChecks(rules, { dialect: db.dialect, catalog, kind: 'partner', asOf: resolveAsOf(asOf), members: { ids: [partnerId] } });
    const [row] = await db.query(query.sql, query.params);
    for (const [id, column] of query.columns) if (row?.[column] === true) inside.add(id);
  }
  return segments.filter((s) => inside.has(s.id)).map((s) => ({ id: s.id, name: s.name, method: s.method }));
}
