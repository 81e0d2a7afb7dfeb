import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { PartnerScope } from '../access/principal.js';
import { readOrderContext } from './order-facts-cache.js';
import { applicableAgreement, brief, orderPriceType } from './order-pricing.js';
import { resolvePrice } from './price-math.js';
import { pricesInForce } from './prices.js';
import type { PartnerPriceList } from './prices.schema.js';
import { requireStoredSegment } from './segment-guard.js';

/** Most products in one price list. */
export const PRICE_LIST_MAX = 10_000;

export interface PriceListRequest {
  readonly date: string;
  /** These products, in this order… */
  readonly products?: readonly string[] | undefined;
  /** …or the members of a stored product segment, by id. */
  readonly productSegment?: string | undefined;
  /** The agreement to price under (open to the partner); else the applicable one. */
  readonly agreementId?: string | undefined;
}

/**
 * A partner's prices on a date (`GET /api/partners/{id}/prices`): the price type of the
 * agreement that applies to the partner (the rules of order pricing), else the default type,
 * and each product's price in it — what an order line without a price would take.
 */
export async function partnerPriceList(db: Queryable, scope: PartnerScope, partnerId: string, request: PriceListRequest): Promise<PartnerPriceList> {
  const { date } = request;
  const { snapshot, facts } = await readOrderContext(db, scope, partnerId, [], date);
  const applicable = applicableAgreement(snapshot, facts, date, request.agreementId);
  const typed = orderPriceType(snapshot, applicable?.agreement ?? null);
  if (!typed) {
    const reason = applicable
      ? `agreement "${applicable.agreement.name}" has no price type and no price type is the default`
      : `no agreement is open to partner "${partnerId}" on ${date} and no price type is the default`;
    throw new AppError('PRICE_TYPE_NOT_RESOLVED', { what: `the price list of partner "${partnerId}"`, partnerId, date, reason });
  }
  let ids: string[];
  if (request.productSegment !== undefined) {
    await requireStoredSegment(db, request.productSegment, { usage: 'a price list', kind: 'product' });
    ids = (
      await db.query<{ id: string }>(sql`SELECT m.member_id AS id FROM segment_members m WHERE m.segment_id = ${request.productSegment} ORDER BY m.member_id LIMIT ${sql.raw(String(PRICE_LIST_MAX))}`)
    ).map((r) => r.id);
  } else {
    ids = [...new Set(request.products ?? [])];
  }
  const products = ids.length ? await db.query<{ id: string; name: string | null; unit: string | null }>(sql`SELECT id, name, unit FROM products WHERE id IN (${sql.list(ids)})`) : [];
  const byId = new Map(products.map((p) => [p.id, p]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length) throw new AppError('ENTITY_NOT_FOUND', { entity: 'product', id: missing.slice(0, 20).join(', '), missing });
  const book = await pricesInForce(db, ids, date);
  const [partner] = await db.query<{ name: string | null }>(sql`SELECT name FROM partners WHERE id = ${partnerId}`);
  return {
    partnerId,
    partnerName: partner?.name ?? null,
    date,
    agreement: applicable ? { id: applicable.agreement.id, name: applicable.agreement.name } : null,
    priceType: brief(typed.type),
    priceTypeSource: typed.source,
    items: ids.map((id) => {
      const found = resolvePrice(snapshot.priceTypes, book, typed.type.id, id, date);
      const product = byId.get(id)!;
      return { productId: id, productName: product.name, unit: product.unit, price: found?.price ?? null, row: found?.row ?? null };
    }),
  };
}
