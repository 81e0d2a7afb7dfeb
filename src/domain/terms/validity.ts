import type { Queryable } from '../../sql/queryable.js';
import { requireCampaign } from './campaigns.js';
import type { Validity } from './terms.schema.js';

/** When a term applies: its own dates, and the period of the marketing campaign it is bound to. Both bounds are included; a term with neither is always valid. */

/** The dates a term actually applies: its own dates narrowed by its campaign's period. */
export interface EffectivePeriod {
  readonly from: string | null;
  readonly to: string | null;
}

export const isWithin = (period: EffectivePeriod, date: string): boolean => (period.from === null || date >= period.from) && (period.to === null || date <= period.to);

const later = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);
const earlier = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a < b ? a : b);

export function effectivePeriod(validity: Validity, campaign: { startsOn: string; endsOn: string } | undefined): EffectivePeriod {
  return {
    from: later(validity.validFrom, campaign?.startsOn ?? null),
    to: earlier(validity.validTo, campaign?.endsOn ?? null),
  };
}

/** Checks a term's validity on save: the campaign exists and the dates are in order. Returns the problem, or null. */
export async function checkValidity(db: Queryable, validity: Validity, usage: string): Promise<string | null> {
  if (validity.campaignId) await requireCampaign(db, validity.campaignId, usage);
  if (validity.validFrom && validity.validTo && validity.validFrom > validity.validTo) return 'validTo: the term ends before it starts';
  return null;
}
