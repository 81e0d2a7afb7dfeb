import type { Queryable } from '../../sql/queryable.js';
import { systemDatabase } from '../../storage/scoped-database.js';
import { AGREEMENTS_TABLE } from './agreements.js';
import { listCampaigns } from './campaigns.js';
import type { CombineMode } from './combination.js';
import { partnerSegmentsOf, productSegmentsOf } from './discount-conditions.js';
import { DISCOUNTS_TABLE } from './discounts.js';
import { listManualDiscountLimits } from './manual-discount-limits.js';
import { listPriceTypes } from './price-types.js';
import type { PriceType } from './prices.schema.js';
import { listShipmentBans } from './shipment-bans.js';
import { termsRevision } from './terms-revision.js';
import { selectRows } from './term-store.js';
import { effectivePeriod, type EffectivePeriod } from './validity.js';
import { sql } from '../../sql/sql.js';
import type { Agreement, DiscountCondition, ManualDiscountLimit, ShipmentBan } from './terms.schema.js';

/**
 * The active sales terms, loaded once and kept per process while the terms revision stays the
 * same: pricing an order then touches the database only for the partner and the stored
 * memberships of the partner and the order's products.
 */

/** A discount (or an agreement's discount) as pricing evaluates it. */
export interface PricingRule {
  readonly id: string;
  readonly name: string;
  readonly source: 'discount' | 'agreement';
  readonly percent: number;
  readonly combine: CombineMode;
  readonly priority: number;
  readonly conditions: readonly DiscountCondition[];
  /** The partner must be in every one of these stored segments. */
  readonly partnerSegments: readonly string[];
  /** The line's product must be in every one of these stored segments. */
  readonly productSegments: readonly string[];
  readonly period: EffectivePeriod;
  readonly campaignId: string | null;
  readonly tableId: string | null;
}

export interface AgreementTerms {
  readonly agreement: Agreement;
  readonly period: EffectivePeriod;
}

export interface SegmentInfo {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
}

export interface TermsSnapshot {
  readonly revision: number;
  readonly rules: readonly PricingRule[];
  readonly agreements: ReadonlyMap<string, AgreementTerms>;
  readonly bans: readonly ShipmentBan[];
  readonly limits: readonly ManualDiscountLimit[];
  /** The segments the terms read, with names for answers. */
  readonly segments: ReadonlyMap<string, SegmentInfo>;
  /** Every price type, by id. */
  readonly priceTypes: ReadonlyMap<string, PriceType>;
  /** The type of orders no agreement with a price type applies to. */
  readonly defaultPriceType: PriceType | null;
}

const cache = new WeakMap<Queryable, TermsSnapshot>();

/**
 * The active terms at `revision` (read with the order's partner), from the cache or the database.
 * A manager's view shares the database's cache: the terms hold no partner's data.
 */
export async function termsSnapshot(db: Queryable, revision?: number): Promise<TermsSnapshot> {
  const current = revision ?? (await termsRevision(db));
  const key = systemDatabase(db);
  const cached = cache.get(key);
  if (cached && cached.revision === current) return cached;
  const snapshot = await loadSnapshot(db, current);
  cache.set(key, snapshot);
  return snapshot;
}

async function loadSnapshot(db: Queryable, revision: number): Promise<TermsSnapshot> {
  const campaigns = new Map((await listCampaigns(db)).map((c) => [c.id, c]));
  const periodOf = (t: { campaignId: string | null; validFrom: string | null; validTo: string | null }): EffectivePeriod => effectivePeriod(t, t.campaignId ? campaigns.get(t.campaignId) : undefined);
  const rules: PricingRule[] = (await selectRows(db, DISCOUNTS_TABLE.spec, sql`active = TRUE`)).map(DISCOUNTS_TABLE.fromRow).map((d) => ({
    id: d.id,
    name: d.name,
    source: 'discount',
    percent: d.percent,
    combine: d.combine,
    priority: d.priority,
    conditions: d.conditions,
    partnerSegments: partnerSegmentsOf(d.conditions),
    productSegments: productSegmentsOf(d.conditions),
    period: periodOf(d),
    campaignId: d.campaignId,
    tableId: d.tableId,
  }));
  const agreements = new Map((await selectRows(db, AGREEMENTS_TABLE.spec, sql`active = TRUE`)).map(AGREEMENTS_TABLE.fromRow).map((a) => [a.id, { agreement: a, period: periodOf(a) }]));
  const bans = (await listShipmentBans(db)).filter((b) => b.active);
  const limits = await listManualDiscountLimits(db);
  const segmentRows = await db.query<{ id: string; name: string; kind: string }>('SELECT id, name, kind FROM segments WHERE id IN (SELECT segment_id FROM term_segment_refs)');
  const priceTypes = await listPriceTypes(db);
  return {
    revision,
    rules,
    agreements,
    bans,
    limits,
    segments: new Map(segmentRows.map((s) => [s.id, s])),
    priceTypes: new Map(priceTypes.map((t) => [t.id, t])),
    defaultPriceType: priceTypes.find((t) => t.isDefault) ?? null,
  };
}
