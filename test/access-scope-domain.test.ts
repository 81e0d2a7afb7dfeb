/**
 * The manager scope in the data layer, on every engine: the repository and report functions
 * called with a scope (no HTTP), the SQL fragments of partner-scope-sql.ts, and the order facts
 * read both ways (one query, and the in-process copy). Partners as in analytics-fixture.ts:
 * m1 has c1, c2; m2 has c3, c4; the rest have no manager.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../src/app/services.js';
import { managerInScope, partnerInScope, scopedMemberIds, scopedPartnerIds } from '../src/domain/access/partner-scope-sql.js';
import { ALL_PARTNERS, scopeForRole, type PartnerScope } from '../src/domain/access/principal.js';
import { csiNps } from '../src/domain/analytics/csi-nps.js';
import { lifecycleSummary } from '../src/domain/analytics/lifecycle.js';
import { matrixInputSchema, matrixScatter, saveMatrix } from '../src/domain/analytics/matrix.js';
import { refreshRfm, rfmStatus } from '../src/domain/analytics/rfm.js';
import { getPartner, listPartners } from '../src/domain/partners/partners.repository.js';
import { findReport, runReport } from '../src/domain/reports/index.js';
import { prepareMembersExport } from '../src/domain/reports/members-export.js';
import { addMembers } from '../src/domain/segments/manual-members.js';
import { memberIds, segmentSize } from '../src/domain/segments/member-pages.js';
import { listHistory } from '../src/domain/segments/membership-history.js';
import { partnerSegments } from '../src/domain/segments/partner-segments.js';
import { explainMember, previewRule } from '../src/domain/segments/preview-explain.js';
import { segmentInputSchema } from '../src/domain/segments/segment.schema.js';
import { getSegment } from '../src/domain/segments/segments.repository.js';
import { createAgreement } from '../src/domain/terms/agreements.js';
import { checkOrder } from '../src/domain/terms/order-check.js';
import { keepOrderFactsInMemory } from '../src/domain/terms/order-facts-cache.js';
import { priceOrder } from '../src/domain/terms/order-pricing.js';
import { openAgreements } from '../src/domain/terms/partner-agreements.js';
import { agreementInputSchema } from '../src/domain/terms/terms.schema.js';
import { isAppError } from '../src/errors/app-error.js';
import { sql } from '../src/sql/sql.js';
import type { Database } from '../src/storage/database.js';
import { AS_OF, loadAnalyticsCompany } from './analytics-fixture.js';
import { ENGINES } from './engines.js';

const A = scopeForRole('manager', ['m1']);
const B = scopeForRole('manager', ['m2']);
const BOTH = scopeForRole('manager', ['m1', 'm2']);
const NOBODY = scopeForRole('manager', []);

/** The error code a call fails with (null when it does not). */
async function errorCode(call: Promise<unknown>): Promise<string | null> {
  try {
    await call;
    return null;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
}

describe('partner-scope-sql', () => {
  const ids = sql`SELECT id FROM partners`;

  it('costs nothing for the whole base: TRUE, or the query unchanged', () => {
    expect(managerInScope(ALL_PARTNERS, sql`p.manager_id`).text).toBe('TRUE');
    expect(partnerInScope(ALL_PARTNERS, sql`s.partner_id`).text).toBe('TRUE');
    expect(scopedPartnerIds(ALL_PARTNERS, ids)).toBe(ids);
    expect(scopedMemberIds(A, 'product', ids)).toBe(ids);
  });

  it("binds a manager's ids as parameters, and sees nobody without any", () => {
    const fragment = partnerInScope(BOTH, sql`s.partner_id`);
    expect(fragment.text).toBe('s.partner_id IN (SELECT scope_p.id FROM partners scope_p WHERE scope_p.manager_id IN ($1, $2))');
    expect(fragment.params).toEqual(['m1', 'm2']);
    expect(managerInScope(NOBODY, sql`manager_id`).text).toBe('FALSE');
    expect(partnerInScope(NOBODY, sql`s.partner_id`).text).toBe('FALSE');
  });
});

describe.each(ENGINES)('manager scope in the data layer on $name', (engine) => {
  let db: Database;
  const page = { limit: 100, offset: 0 };
  const members = async (scope: PartnerScope, id: string) => (await memberIds(db, scope, await getSegment(db, id), page)).ids;

  beforeAll(async () => {
    db = await engine.create();
    await loadAnalyticsCompany(db);
    await refreshRfm(db, { asOf: AS_OF, trigger: 'api' });
    const segments = createServices(db).segments;
    await segments.create(segmentInputSchema.parse({ id: 'mixed', name: 'Mixed', method: 'manual' }));
    await addMembers(db, await getSegment(db, 'mixed'), ['c1', 'c3', 'c5']);
    await segments.create(segmentInputSchema.parse({ id: 'customers', name: 'Customers', method: 'dynamic', rule: { attr: 'roles', op: 'in', value: ['customer'] } }));
    await saveMatrix(
      db,
      'act',
      matrixInputSchema.parse({
        name: 'Activity',
        x: { label: 'Activity', source: { property: 'activity' }, threshold: 3 },
        y: { label: 'Revenue', source: { score: 'rfm.monetary' }, threshold: 1000 },
      }),
    );
    await createAgreement(db, agreementInputSchema.parse({ name: 'Open to all' }));
  });
  afterAll(async () => db?.close());

  it('lists and reads partners of the scope only', async () => {
    const ids = async (scope: PartnerScope) => (await listPartners(db, scope, {}, page, 'id')).items.map((p) => p.id);
    expect(await ids(A)).toEqual(['c1', 'c2']);
    expect(await ids(B)).toEqual(['c3', 'c4']);
    expect(await ids(BOTH)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(await ids(NOBODY)).toEqual([]);
    expect(await ids(ALL_PARTNERS)).toHaveLength(13);
    // A filter by another manager finds nothing, and the total says so.
    expect(await listPartners(db, A, { manager: 'm2' }, page)).toEqual({ items: [], total: 0 });
    expect((await getPartner(db, A, 'c2')).name).toBe('ООО Бета');
    expect(await errorCode(getPartner(db, A, 'c3'))).toBe('ENTITY_NOT_FOUND');
    expect(await errorCode(getPartner(db, A, 'c5'))).toBe('ENTITY_NOT_FOUND');
    expect(await errorCode(getPartner(db, ALL_PARTNERS, 'c5'))).toBeNull();
  });

  it('reads members, sizes, history, exports, previews and explanations for the scope', async () => {
    expect(await members(A, 'mixed')).toEqual(['c1']);
    expect(await members(B, 'mixed')).toEqual(['c3']);
    expect(await members(ALL_PARTNERS, 'mixed')).toEqual(['c1', 'c3', 'c5']);
    expect(await members(A, 'customers')).toEqual(['c1', 'c2']);
    const mixed = await getSegment(db, 'mixed');
    expect(await segmentSize(db, A, mixed)).toBe(1);
    expect(await segmentSize(db, NOBODY, mixed)).toBe(0);
    expect((await listHistory(db, B, mixed, page)).items.map((e) => e.memberId)).toEqual(['c3']);
    expect((await prepareMembersExport(db, A, 'mixed', undefined)).ids).toEqual(['c1']);
    const preview = await previewRule(db, B, { kind: 'partner', rule: { attr: 'roles', op: 'in', value: ['customer'] }, parameters: {} }, 10);
    expect(preview).toEqual({ count: 2, sampleIds: ['c3', 'c4'] });
    expect((await explainMember(db, A, mixed, 'c1')).member).toBe(true);
    expect(await errorCode(explainMember(db, A, mixed, 'c3'))).toBe('ENTITY_NOT_FOUND');
    expect((await partnerSegments(db, B, 'c3')).map((s) => s.id)).toEqual(['customers', 'mixed']);
    expect(await errorCode(partnerSegments(db, A, 'c3'))).toBe('ENTITY_NOT_FOUND');
  });

  it('runs reports and analytics over the scope', async () => {
    const report = async (scope: PartnerScope, name: string, params: Record<string, unknown>) => {
      const definition = findReport(name);
      return runReport(db, scope, definition, definition.params.parse(params));
    };
    const settlements = await report(B, 'settlements', { segment: 'mixed', asOf: AS_OF });
    expect(settlements.tables[0]!.rows.map((r) => r.partnerId)).toEqual(['c3']);
    // c3 paid 200 in advance: we owe it 200.
    expect(settlements.summary).toMatchObject({ partners: 1, receivable: 0, payable: 200 });
    const composition = await report(A, 'composition', { segment: 'customers', asOf: AS_OF });
    expect(composition.tables[0]!.rows.map((r) => r.id)).toEqual(['c1', 'c2']);
    expect(composition.summary.members).toBe(2);
    expect((await report(B, 'rfm-grid', {})).summary.customers).toBe(2);
    expect((await matrixScatter(db, B, 'act', { asOf: AS_OF, limit: 100 })).points.map((p) => p.partnerId)).toEqual(['c3', 'c4']);
    expect((await lifecycleSummary(db, A, AS_OF)).counts).toEqual({ current: 2, refused: 0, churned: 0 });
    expect((await lifecycleSummary(db, NOBODY, AS_OF)).counts).toEqual({ current: 0, refused: 0, churned: 0 });
    // B's answers in the year to AS_OF: c3 10 (2024-12-31), 8 and 10; c4 2 and 6.
    const total = (await csiNps(db, B, { asOf: AS_OF })).rows.find((r) => r.scope === 'all' && r.quarter === 'total');
    expect(total).toMatchObject({ responses: 5, promoters: 2, detractors: 2 });
    expect((await rfmStatus(db, A)).scored).toBe(2);
  });

  it('prices, checks and lists agreements only for partners of the scope, with the facts read by one query and from the copy', async () => {
    const order = (partnerId: string) => ({ partnerId, lines: [{ productId: 'g1', quantity: 2, price: 100 }] });
    const both = async () => {
      expect((await priceOrder(db, A, order('c1'))).totals).toMatchObject({ amount: 200 });
      expect(await errorCode(priceOrder(db, A, order('c3')))).toBe('ENTITY_NOT_FOUND');
      expect(await errorCode(priceOrder(db, A, order('c5')))).toBe('ENTITY_NOT_FOUND');
      expect(await errorCode(priceOrder(db, NOBODY, order('c1')))).toBe('ENTITY_NOT_FOUND');
      expect(await errorCode(priceOrder(db, ALL_PARTNERS, order('c5')))).toBeNull();
      expect((await checkOrder(db, B, { partnerId: 'c4' })).allowed).toBe(true);
      expect(await errorCode(checkOrder(db, B, { partnerId: 'c1' }))).toBe('ENTITY_NOT_FOUND');
      expect((await openAgreements(db, A, 'c2')).map((a) => a.name)).toEqual(['Open to all']);
      expect(await errorCode(openAgreements(db, A, 'c4'))).toBe('ENTITY_NOT_FOUND');
    };
    await both();
    const cache = keepOrderFactsInMemory(db);
    if (!cache) return; // PostgreSQL: other processes may write, so there is no copy.
    expect(await cache.ready()).toBe(true);
    const before = cache.stats();
    await both();
    const after = cache.stats();
    // Own partners (and everyone's for the whole base) from the copy; the others went the query way and were refused.
    expect(after.hits - before.hits).toBe(4);
    expect(after.misses - before.misses).toBe(5);
    await cache.stop();
  });
});
