import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import { isScoped, managerInScope } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';
import { MemoryPriceBook, type PriceBook } from './price-math.js';

/**
 * What pricing and the shipment check need to know about one order, read in ONE query of
 * indexed lookups and never from the sales history (SPEC §5): the terms revision, the partner
 * (primary key), the stored memberships (`segment_members` by member id) of the partner and of
 * the order's products, which of the products exist, and the order's products' prices in force
 * on the order date (the latest row of each price type on or before it). One round trip matters: on a busy
 * machine each query's overhead, not the lookup, is what makes the slow tail.
 */

export interface PartnerFacts {
  readonly id: string;
  readonly birthDate: string | null;
  readonly deleted: boolean;
}

export interface OrderFacts {
  readonly partner: PartnerFacts;
  /** Every stored segment the partner is in (partner segments the terms use). */
  readonly partnerSegments: ReadonlySet<string>;
  /** Product id → the stored product segments it is in. */
  readonly productSegments: ReadonlyMap<string, ReadonlySet<string>>;
  /** The prices of the order's products (the copy's book holds every product's history). */
  readonly prices: PriceBook;
}

/** The answer of the one query, before it is sorted out with the terms (which its revision selects). */
export interface RawOrderFacts {
  readonly revision: number;
  readonly partner: PartnerFacts;
  readonly memberships: readonly { readonly segmentId: string; readonly memberId: string }[];
  readonly productIds: readonly string[];
  readonly prices: PriceBook;
}

interface FactRow {
  part: number;
  revision: number | null;
  id: string | null;
  birth_date: string | null;
  deleted: boolean | null;
  segment_id: string | null;
  price: number | string | null;
  [key: string]: string | number | boolean | null;
}

/**
 * Reads the facts of an order; an unknown partner (or one outside the scope) or product is
 * refused (404). Prices are those in force on `date`.
 */
export async function readOrderFacts(db: Queryable, scope: PartnerScope, partnerId: string, productIds: readonly string[], date: string): Promise<RawOrderFacts> {
  const products = [...new Set(productIds)];
  const members = [...new Set([partnerId, ...products])];
  // One parameter for the partner, in its lookup and at the head of the member list.
  const partner = sql.param(partnerId);
  const productList = products.length ? sql.list(products) : sql.empty;
  const day = sql.hook((p) => db.dialect.cast(p, 'date'), date);
  const text = (column: string) => sql.raw(db.dialect.cast(column, 'text'));
  const rows = await db.query<FactRow>(
    // Each branch is a plain lookup by key (a join here would keep DuckDB from its index).
    sql`SELECT 0 AS part, revision, NULL AS id, NULL AS birth_date, NULL AS deleted, NULL AS segment_id, NULL AS price FROM terms_revision WHERE id = 1
     UNION ALL SELECT 3 AS part, NULL, id, ${text('birth_date')}, deleted, NULL, NULL FROM partners WHERE id = ${partner}${isScoped(scope) ? sql` AND ${managerInScope(scope, sql`manager_id`)}` : sql.empty}
     UNION ALL SELECT 1 AS part, NULL, member_id, NULL, NULL, segment_id, NULL FROM segment_members WHERE member_id IN (${sql.list([partner, ...members.slice(1)])})${
       products.length
         ? sql` UNION ALL SELECT 2 AS part, NULL, id, NULL, NULL, NULL, NULL FROM products WHERE id IN (${productList})
     UNION ALL SELECT 4 AS part, NULL, product_id, ${text('valid_from')}, NULL, price_type_id, ${text('price')} FROM (
       SELECT product_id, valid_from, price_type_id, price, ROW_NUMBER() OVER (PARTITION BY price_type_id, product_id ORDER BY valid_from DESC) AS rn
       FROM prices WHERE product_id IN (${productList}) AND valid_from <= ${day}) p WHERE rn = 1`
         : sql.empty
     }`,
  );
  const revision = rows.find((r) => Number(r.part) === 0);
  const head = rows.find((r) => Number(r.part) === 3);
  if (!revision || !head || head.id === null) throw new AppError('ENTITY_NOT_FOUND', { entity: 'partner', id: partnerId });
  const known = new Set(rows.filter((r) => Number(r.part) === 2).map((r) => String(r.id)));
  const missing = products.filter((id) => !known.has(id));
  if (missing.length) throw new AppError('ENTITY_NOT_FOUND', { entity: 'product', id: missing.slice(0, 20).join(', '), missing });
  const prices = new MemoryPriceBook();
  for (const r of rows) if (Number(r.part) === 4) prices.add(String(r.segment_id), String(r.id), String(r.birth_date).slice(0, 10), Number(r.price));
  return {
    revision: Number(revision.revision),
    partner: { id: head.id, birthDate: head.birth_date === null ? null : String(head.birth_date).slice(0, 10), deleted: head.deleted === true },
    memberships: rows.filter((r) => Number(r.part) === 1).map((r) => ({ segmentId: String(r.segment_id), memberId: String(r.id) })),
    productIds: products,
    prices,
  };
}

/**
 * Sorts memberships by the kind of segment (a partner and a product may share an id), keeping
 * only the segments the terms use.
 */
export function orderFacts(raw: RawOrderFacts, segmentKinds: ReadonlyMap<string, { readonly kind: string }>): OrderFacts {
  const partnerSegments = new Set<string>();
  const productSegments = new Map<string, Set<string>>();
  const products = new Set(raw.productIds);
  for (const { segmentId, memberId } of raw.memberships) {
    const kind = segmentKinds.get(segmentId)?.kind;
    if (kind === 'partner' && memberId === raw.partner.id) partnerSegments.add(segmentId);
    else if (kind === 'product' && products.has(memberId)) {
      let set = productSegments.get(memberId);
      if (!set) productSegments.set(memberId, (set = new Set()));
      set.add(segmentId);
    }
  }
  return { partner: raw.partner, partnerSegments, productSegments, prices: raw.prices };
}
