import { managerInScope, scopedMemberIds } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';
import { AppError } from '../../errors/app-error.js';
import { sql } from '../../sql/sql.js';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { compileRule } from '../../sql/compile/compile-rule.js';
import { explainMember as explainRule, type Explanation } from '../../sql/compile/explain.js';
import type { Database } from '../../storage/database.js';
import { compositionQuery } from './membership-source.js';
import type { Explanation as ApiExplanation } from './segment-api.schema.js';
import type { Segment, SegmentKind } from './segment.schema.js';

/** Trying a rule without saving it (preview), and why a member is or is not in a segment (explain). */

export interface PreviewRequest {
  readonly kind: SegmentKind;
  readonly rule: unknown;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly asOf?: string;
}

/** A rule → how many match and the first ids (by id), nothing saved; partners: of those the scope sees. */
export async function previewRule(db: Database, scope: PartnerScope, request: PreviewRequest, sampleSize: number): Promise<{ count: number; sampleIds: string[] }> {
  const catalog = await loadRuleCatalog(db);
  const query = compileRule(request.rule, {
    dialect: db.dialect,
    catalog,
    kind: request.kind,
    parameters: request.parameters,
    ...(request.asOf ? { asOf: request.asOf } : {}),
  });
  const ids = scopedMemberIds(scope, request.kind, sql.embed(query));
  const [count] = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM (${ids}) q`);
  const sample = await db.query<{ id: string }>(sql`SELECT id FROM (${ids}) q ORDER BY id LIMIT ${sql.raw(String(Math.trunc(sampleSize)))}`);
  return { count: count?.n ?? 0, sampleIds: sample.map((r) => r.id) };
}

/**
 * Why a partner (or product) is or is not in a segment: whether it is a member now (stored
 * list, or the rule for a dynamic segment) and, when the segment has a rule, each condition
 * with the member's actual value and whether it held (which branch decided a group). A partner
 * outside the scope is not found, as one that does not exist.
 */
export async function explainMember(db: Database, scope: PartnerScope, segment: Segment, memberId: string, asOf?: string): Promise<SegmentExplanation> {
  const exists = await db.query(
    segment.kind === 'product' ? sql`SELECT 1 AS hit FROM products WHERE id = ${memberId}` : sql`SELECT 1 AS hit FROM partners WHERE id = ${memberId} AND ${managerInScope(scope, sql`manager_id`)}`,
  );
  if (!exists.length) throw new AppError('ENTITY_NOT_FOUND', { entity: segment.kind, id: memberId });
  let explanation: Explanation | null = null;
  if (segment.rule !== null && segment.rule !== undefined && segment.sql === null) {
    explanation = await explainRule(db, segment.rule, {
      catalog: await loadRuleCatalog(db),
      kind: segment.kind,
      parameters: segment.parameters,
      segmentId: segment.id,
      memberId,
      ...(asOf ? { asOf } : {}),
    });
  }
  let member: boolean;
  if (segment.method === 'dynamic') member = explanation?.matched ?? false;
  else {
    const query = await compositionQuery(db, segment, asOf);
    const rows = await db.query(sql`SELECT 1 AS hit FROM (${sql.embed(query)}) q WHERE id = ${memberId}`);
    member = rows.length > 0;
  }
  const note =
    segment.sql !== null
      ? 'custom SQL: membership comes from the query, which has no conditions to explain'
      : explanation === null
        ? 'no rule: members are added and removed by hand'
        : segment.method !== 'dynamic' && member !== explanation.matched
          ? member
            ? 'a member since the last generation (or added by hand); the rule no longer holds today, so the next generation removes it'
            : 'the rule holds today; the next generation (or check on create) adds it'
          : null;
  return {
    segmentId: segment.id,
    method: segment.method,
    memberId,
    asOf: explanation?.asOf ?? asOf ?? new Date().toISOString().slice(0, 10),
    member,
    ruleMatched: explanation?.matched ?? null,
    rule: explanation?.rule ?? null,
    note,
  };
}

/** The API's explanation (segment-api.schema.ts), its rule tree typed: each condition with the member's value. */
export type SegmentExplanation = Omit<ApiExplanation, 'rule'> & { readonly rule: Explanation['rule'] | null };
