import type { Queryable } from '../sql/queryable.js';
import type { DemoPlan } from './demo-plan.js';
import { createDealsWriter, generatePartnerDeals } from './deals.js';
import { createInteractionsWriter, generatePartnerInteractions } from './interactions.js';
import { COMPETITOR, CUSTOMER, SUPPLIER, type PartnerProfiles } from './partners.js';
import { Random } from './random.js';
import { createSalesWriter, DocumentLog, generatePartnerSales, type SalesCounters } from './sales.js';
import { createSettlementsWriter, generatePartnerSettlements } from './settlements.js';
import type { LoadPipeline } from './staged-table.js';

export interface FactCounts {
  readonly sales: number;
  readonly interactions: number;
  readonly settlements: number;
  readonly deals: number;
}

/** How much we talk to a partner: buyers by their size, leads and suppliers a fair amount, competitors hardly. */
function contactIntensity(profiles: PartnerProfiles, i: number): number {
  const roles = profiles.roles[i]!;
  const weight = profiles.weight[i]!;
  if (roles & CUSTOMER) return weight > 0 ? 1 + Math.sqrt(weight) : 1.5;
  if (roles & SUPPLIER) return 2;
  if (roles & COMPETITOR) return 0.3;
  return 0.5;
}

/** How many deals a partner has: buyers by size, leads a few (mostly lost), others none. */
function dealIntensity(profiles: PartnerProfiles, i: number): number {
  if (!(profiles.roles[i]! & CUSTOMER)) return 0;
  const weight = profiles.weight[i]!;
  return weight > 0 ? 0.5 + Math.sqrt(weight) / 2 : 1.5;
}

/**
 * Generates every partner's facts in partner order — its sale lines (exactly `plan.sales` in
 * all, shared out by buying power), the settlements that follow from its documents, its
 * interactions and deals — and bulk-loads them through `pipeline` a batch at a time while the
 * next batch is made.
 */
export async function generateFacts(db: Queryable, plan: DemoPlan, profiles: PartnerProfiles, pipeline: LoadPipeline, onSales: (lines: number) => void): Promise<FactCounts> {
  const sales = createSalesWriter(db, plan, pipeline, onSales);
  const settlements = createSettlementsWriter(db, plan, pipeline);
  const interactions = createInteractionsWriter(db, plan, pipeline);
  const deals = createDealsWriter(db, plan, pipeline);
  const writers = [sales, settlements, interactions, deals];

  let totalWeight = 0;
  let totalContact = 0;
  let totalDeals = 0;
  for (let i = 0; i < profiles.count; i++) {
    totalWeight += profiles.weight[i]!;
    totalContact += contactIntensity(profiles, i);
    totalDeals += dealIntensity(profiles, i);
  }
  const contactScale = totalContact > 0 ? plan.targets.interactions / totalContact : 0;
  const dealScale = totalDeals > 0 ? plan.targets.deals / totalDeals : 0;

  const salesCounters: SalesCounters = { line: 0, document: 0 };
  const counters = { entry: 0, interaction: 0, deal: 0 };
  const docs = new DocumentLog();
  let weightSoFar = 0;
  let linesSoFar = 0;
  for (let i = 0; i < profiles.count; i++) {
    // Cumulative rounding: the lines add up to exactly plan.sales.
    weightSoFar += profiles.weight[i]!;
    const linesUpTo = totalWeight > 0 ? Math.round((plan.sales * weightSoFar) / totalWeight) : 0;
    const lines = linesUpTo - linesSoFar;
    linesSoFar = linesUpTo;
    docs.reset();
    if (lines > 0) generatePartnerSales(plan, profiles, i, lines, sales, salesCounters, docs);
    generatePartnerSettlements(plan, profiles, i, docs, settlements, counters);
    const counts = Random.stream(plan.seed, 0x434f554e, i);
    generatePartnerInteractions(plan, profiles, i, counts.poisson(contactIntensity(profiles, i) * contactScale), interactions, counters);
    generatePartnerDeals(plan, profiles, i, counts.poisson(dealIntensity(profiles, i) * dealScale), deals, counters);
    for (const writer of writers) if (writer.full) await writer.flush();
  }
  for (const writer of writers) await writer.flush();
  await pipeline.drain();
  return { sales: salesCounters.line, interactions: counters.interaction, settlements: counters.entry, deals: counters.deal };
}
