import { todayIso } from '../../rules/calendar.js';
import type { Queryable } from '../../sql/queryable.js';
import type { PartnerScope } from '../access/principal.js';
import { readOrderContext } from './order-facts-cache.js';
import { agreementProblem } from './order-pricing.js';
import { type Agreement } from './terms.schema.js';

/**
 * "Which agreements are open to partner X" (SPEC §5): the active agreements valid on the date
 * whose segment the partner is in (its stored composition), and those open to everyone. A
 * partner outside the scope is not found (404).
 */
export async function openAgreements(db: Queryable, scope: PartnerScope, partnerId: string, date: string = todayIso()): Promise<Agreement[]> {
  const { snapshot, facts } = await readOrderContext(db, scope, partnerId, []);
  return [...snapshot.agreements.values()]
    .filter((terms) => agreementProblem(snapshot, facts, terms.agreement.id, date) === null)
    .map((terms) => terms.agreement)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
}
