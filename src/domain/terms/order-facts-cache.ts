import type { Queryable } from '../../sql/queryable.js';
import type { Database, WriteCounter } from '../../storage/database.js';
import { systemDatabase } from '../../storage/scoped-database.js';
import { orderFacts, readOrderFacts, type OrderFacts, type RawOrderFacts } from './order-facts.js';
import { termsSnapshot, type TermsSnapshot } from './terms-snapshot.js';
import { sql } from '../../sql/sql.js';
import { managerVisible } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';
import { todayIso } from '../../rules/calendar.js';
import { MemoryPriceBook } from './price-math.js';

/**
 * An in-process copy of everything order pricing reads besides the order: the active terms,
 * each partner's birth date and deletion mark, the product ids, the members of the segments
 * the terms use, and the whole prices history of the set-by-hand price types. While no statement has written since the copy was read (the database's
 * WriteCounter), an order is priced without a query: on DuckDB even `SELECT 1` has a p99 of
 * several milliseconds on a 2-core machine, and pricing must stay within 5 ms.
 *
 * Only for data this process alone can change (DuckDB, PGlite). After any write the copy is
 * stale: orders take the one-query path again while a new copy is read in the background.
 */

/** What an order needs to be priced or checked. */
export interface OrderContext {
  readonly snapshot: TermsSnapshot;
  readonly facts: OrderFacts;
}

interface FactsCopy {
  /** The write count when reading began: the copy is current while the count stays there. */
  readonly writes: number;
  readonly snapshot: TermsSnapshot;
  /** Partner id → birth date (null when unknown). */
  readonly partners: ReadonlyMap<string, string | null>;
  readonly deleted: ReadonlySet<string>;
  /** Partner id → its manager (partners without one are not here): the manager scope is checked in memory. */
  readonly managers: ReadonlyMap<string, string>;
  readonly products: ReadonlySet<string>;
  /** Member id (partner or product) → the segments used by the terms that it is in. */
  readonly memberships: ReadonlyMap<string, readonly string[]>;
  /** Every price row of the set-by-hand types (derived types are computed from them). */
  readonly prices: MemoryPriceBook;
}

export interface OrderFactsCacheStats {
  /** Orders answered from the copy. */
  readonly hits: number;
  /** Orders that took the one-query path (stale copy, or an id the copy does not know). */
  readonly misses: number;
  readonly partners: number;
  readonly memberships: number;
  /** Price rows held. */
  readonly prices: number;
  /** How long the last complete read of the copy took. */
  readonly loadMs: number | null;
}

/** Rows per query when reading partners: the event loop gets a turn between pages. */
const PAGE = 50_000;
/** Joins member ids in one text per segment: the unit separator (an id holding it is read row by row). */
const ID_SEPARATOR = '\u001f';
/** After a read that a write overtook, the next one waits at least this long (or twice the read). */
const MIN_RETRY_MS = 1_000;

export class OrderFactsCache {
  private copy: FactsCopy | null = null;
  private loading: Promise<boolean> | null = null;
  private retryAt = 0;
  private stopped = false;
  private hits = 0;
  private misses = 0;
  private loadMs: number | null = null;

  constructor(
    private readonly db: Database,
    private readonly writes: WriteCounter,
  ) {}

  /**
   * The order's facts from the copy, or null when the copy cannot answer (a new read starts).
   * A partner outside the scope is left to the one-query path, which answers it as not found.
   */
  lookup(scope: PartnerScope, partnerId: string, productIds: readonly string[]): OrderContext | null {
    const copy = this.copy;
    if (!copy || copy.writes !== this.writes.value) {
      this.misses++;
      if (Date.now() >= this.retryAt) void this.load();
      return null;
    }
    const products = [...new Set(productIds)];
    // Unknown ids go the one-query way, which answers them with the usual not-found error.
    const outOfScope = !managerVisible(scope, copy.managers.get(partnerId) ?? null);
    if (!copy.partners.has(partnerId) || outOfScope || products.some((id) => !copy.products.has(id))) {
      this.misses++;
      return null;
    }
    this.hits++;
    const memberships: RawOrderFacts['memberships'][number][] = [];
    for (const memberId of new Set([partnerId, ...products])) {
      for (const segmentId of copy.memberships.get(memberId) ?? []) memberships.push({ segmentId, memberId });
    }
    const raw: RawOrderFacts = {
      revision: copy.snapshot.revision,
      partner: { id: partnerId, birthDate: copy.partners.get(partnerId) ?? null, deleted: copy.deleted.has(partnerId) },
      memberships,
      productIds: products,
      prices: copy.prices,
    };
    return { snapshot: copy.snapshot, facts: orderFacts(raw, copy.snapshot.segments) };
  }

  /** Makes the copy current (reading it now if it is not), for a warm start; false when writes kept overtaking it. */
  async ready(attempts = 3): Promise<boolean> {
    for (let i = 0; i < attempts; i++) {
      if (this.copy?.writes === this.writes.value) return true;
      if (await this.load()) return true;
    }
    return this.copy?.writes === this.writes.value;
  }

  stats(): OrderFactsCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      partners: this.copy?.partners.size ?? 0,
      memberships: [...(this.copy?.memberships.values() ?? [])].reduce((n, s) => n + s.length, 0),
      prices: this.copy?.prices.rows ?? 0,
      loadMs: this.loadMs,
    };
  }

  /** No more reads: the database is closing. Waits for a read in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loading?.catch(() => undefined);
  }

  private load(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    this.loading ??= this.read()
      .catch(() => false) // the one-query path still answers; the next stale lookup tries again
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  /** A segment's member ids: one text split here (a row object per member made this 3× slower). */
  private async membersOf(segmentId: string): Promise<string[]> {
    const [row] = await this.db.query<{ ids: string | null; n: number }>(
      sql`SELECT string_agg(member_id, chr(${sql.raw(String(ID_SEPARATOR.charCodeAt(0)))})) AS ids, COUNT(*) AS n FROM segment_members WHERE segment_id = ${segmentId}`,
    );
    const ids = row?.ids ? row.ids.split(ID_SEPARATOR) : [];
    if (ids.length === Number(row?.n ?? 0)) return ids;
    // An id holding the separator itself: row by row.
    return (await this.db.query<{ id: string }>(sql`SELECT member_id AS id FROM segment_members WHERE segment_id = ${segmentId}`)).map((r) => r.id);
  }

  /**
   * A price type's history: one row per product, its dates and prices in one text (10k products
   * × 24 months read as 10k rows, not 240k).
   */
  private async pricesOf(priceTypeId: string, book: MemoryPriceBook): Promise<void> {
    const d = this.db.dialect;
    const rows = await this.db.query<{ product_id: string; history: string }>(
      sql`SELECT product_id, string_agg(${sql.raw(d.cast('valid_from', 'text'))} || '=' || ${sql.raw(d.cast('price', 'text'))}, ';' ORDER BY valid_from) AS history
          FROM prices WHERE price_type_id = ${priceTypeId} GROUP BY product_id`,
    );
    for (const { product_id: product, history } of rows) {
      for (const entry of history.split(';')) {
        const at = entry.indexOf('=');
        book.add(priceTypeId, product, entry.slice(0, at), Number(entry.slice(at + 1)));
      }
    }
  }

  private async read(): Promise<boolean> {
    const started = performance.now();
    const writes = this.writes.value;
    const snapshot = await termsSnapshot(this.db);
    const partners = new Map<string, string | null>();
    const deleted = new Set<string>();
    const managers = new Map<string, string>();
    // One string per manager, however many partners it has.
    const managerIds = new Map<string, string>();
    for (let after = ''; !this.stopped;) {
      const page = await this.db.query<{ id: string; birth_date: string | null; deleted: boolean; manager_id: string | null }>(
        sql`SELECT id, birth_date, deleted, manager_id FROM partners WHERE id > ${after} ORDER BY id LIMIT ${sql.raw(String(PAGE))}`,
      );
      for (const p of page) {
        partners.set(p.id, p.birth_date);
        if (p.deleted) deleted.add(p.id);
        if (p.manager_id !== null) {
          let manager = managerIds.get(p.manager_id);
          if (manager === undefined) managerIds.set(p.manager_id, (manager = p.manager_id));
          managers.set(p.id, manager);
        }
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.id;
    }
    const products = new Set((await this.db.query<{ id: string }>('SELECT id FROM products')).map((p) => p.id));
    const memberships = new Map<string, string[]>();
    for (const segmentId of snapshot.segments.keys()) {
      if (this.stopped) break;
      for (const memberId of await this.membersOf(segmentId)) {
        const list = memberships.get(memberId);
        if (list) list.push(segmentId);
        else memberships.set(memberId, [segmentId]);
      }
    }
    const prices = new MemoryPriceBook();
    for (const type of snapshot.priceTypes.values()) {
      if (this.stopped) break;
      if (type.baseTypeId === null) await this.pricesOf(type.id, prices);
    }
    const ms = performance.now() - started;
    if (this.stopped || this.writes.value !== writes) {
      this.retryAt = Date.now() + Math.max(MIN_RETRY_MS, 2 * ms);
      return false;
    }
    this.copy = { writes, snapshot, partners, deleted, managers, products, memberships, prices };
    this.loadMs = ms;
    return true;
  }
}

const caches = new WeakMap<Queryable, OrderFactsCache>();

/**
 * Keeps the order facts of this database in memory from now on (the server does; one-shot CLI
 * commands do not). Returns null where other processes may write (PostgreSQL).
 */
export function keepOrderFactsInMemory(db: Database): OrderFactsCache | null {
  if (!db.localWrites) return null;
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new OrderFactsCache(db, db.localWrites)));
  return cache;
}

/**
 * Everything pricing or a shipment check needs for this partner and these products; a partner
 * outside the scope is not found (404). A manager's view (src/storage/scoped-database.ts) reads the
 * database's copy, which applies the scope itself; without one, it reads through the view.
 */
export async function readOrderContext(db: Queryable, scope: PartnerScope, partnerId: string, productIds: readonly string[], date: string = todayIso()): Promise<OrderContext> {
  const cached = caches.get(systemDatabase(db))?.lookup(scope, partnerId, productIds);
  if (cached) return cached;
  const raw = await readOrderFacts(db, scope, partnerId, productIds, date);
  const snapshot = await termsSnapshot(db, raw.revision);
  return { snapshot, facts: orderFacts(raw, snapshot.segments) };
}
