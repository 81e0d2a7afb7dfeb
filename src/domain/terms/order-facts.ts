import { AppError } from '../../errors/app-error.js';
import type { Queryable, SqlValue } from '../../storage/database.js';

/**
 * What pricing and the shipment check need to know about one order, read with two indexed
 * queries and never from the sales history (SPEC §5):
 * 1. the partner (primary key) with the terms revision;
 * 2. the stored memberships (`segment_members` by member id) of the partner and of the order's
 *    products, together with which of the products exist.
 */

export interface PartnerFacts {
  readonly id: string;
  readonly birthDate: string | null;
  readonly deleted: boolean;
}

export interface OrderFacts {
  readonly partner: PartnerFacts;
  /** Every stored segment the partner is in (partner segments only). */
  readonly partnerSegments: ReadonlySet<string>;
  /** Product id → the stored segments it is in. */
  readonly productSegments: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The partner and the terms revision, in one query (the revision row always exists). */
export async function readPartner(db: Queryable, partnerId: string): Promise<{ revision: number; partner: PartnerFacts }> {
  const [row] = await db.query<{ revision: number; id: string | null; birth_date: string | null; deleted: boolean | null }>(
    'SELECT r.revision, p.id, p.birth_date, p.deleted FROM terms_revision r LEFT JOIN partners p ON p.id = $1 WHERE r.id = 1',
    [partnerId],
  );
  if (!row || row.id === null) throw new AppError('ENTITY_NOT_FOUND', { entity: 'partner', id: partnerId });
  return { revision: Number(row.revision), partner: { id: row.id, birthDate: row.birth_date, deleted: row.deleted === true } };
}

/**
 * Stored memberships of the partner and the products, split by segment kind (a partner and a
 * product may share an id). Unknown products are refused: an order line must name a product.
 */
export async function readMemberships(
  db: Queryable,
  partnerId: string,
  productIds: readonly string[],
  segmentKinds: ReadonlyMap<string, { readonly kind: string }>,
): Promise<Omit<OrderFacts, 'partner'>> {
  const products = [...new Set(productIds)];
  const ids = [...new Set([partnerId, ...products])];
  const params: SqlValue[] = [...ids, ...products];
  const memberList = ids.map((_, i) => `$${i + 1}`).join(', ');
  const productList = products.map((_, i) => `$${ids.length + i + 1}`).join(', ');
  // Only the segments the terms read matter; the rest are filtered here rather than in SQL, so
  // the query stays a plain index lookup by member id on every engine.
  const rows = await db.query<{ segment_id: string | null; member_id: string }>(
    `SELECT segment_id, member_id FROM segment_members WHERE member_id IN (${memberList})` +
      (products.length ? ` UNION ALL SELECT NULL AS segment_id, id AS member_id FROM products WHERE id IN (${productList})` : ''),
    params,
  );
  const partnerSegments = new Set<string>();
  const productSegments = new Map<string, Set<string>>();
  const known = new Set<string>();
  for (const row of rows) {
    if (row.segment_id === null) {
      known.add(row.member_id);
      continue;
    }
    const kind = segmentKinds.get(row.segment_id)?.kind;
    if (kind === 'partner' && row.member_id === partnerId) partnerSegments.add(row.segment_id);
    else if (kind === 'product') {
      let set = productSegments.get(row.member_id);
      if (!set) productSegments.set(row.member_id, (set = new Set()));
      set.add(row.segment_id);
    }
  }
  const missing = products.filter((id) => !known.has(id));
  if (missing.length) throw new AppError('ENTITY_NOT_FOUND', { entity: 'product', id: missing.slice(0, 20).join(', '), missing });
  return { partnerSegments, productSegments };
}
