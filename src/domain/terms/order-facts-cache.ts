import type { Queryable } from '../../sql/queryable.js';
import type { Database, WriteCount, WriteCounter } from '../../storage/database.js';
import { systemDatabase } from '../../storage/scoped-database.js';
import { orderFacts, readOrderFacts, type OrderFacts, type RawOrderFacts } from './order-facts.js';
import { termsSnapshot, type TermsSnapshot } from './terms-snapshot.js';
import { sql, type Sql } from '../../sql/sql.js';
import { managerVisible } from '../access/partner-scope-sql.js';
import { compositionVersion } from '../segments/outbox.js';
import type { PartnerScope } from '../access/principal.js';
import { todayIso } from '../../rules/calendar.js';
import type { Dialect } from '../../sql/dialect.js';
import { termsRevision } from './terms-revision.js';
import { MemoryPriceBook } from './price-math.js';

/**
 * An in-process copy of everything order pricing reads besides the order: the active terms,
 * each partner's birth date and deletion mark, the product ids, the members of the segments
 * the terms use, and the whole prices history of the set-by-hand price types. While no statement has written since the copy was read (the database's
 * WriteCounter), an order is priced without a query: on DuckDB even `SELECT 1` has a p99 of
 * several milliseconds on a 2-core machine, and pricing must stay within 5 ms.
 *
 * Only for data this process alone can change (DuckDB, PGlite). After any write the copy is
 * stale: orders take the one-query path again while the copy catches up in the background.
 * Catching up reads a fingerprint of each part (partners, products, prices: a count and a sum
 * of hashes; each segment: its composition version; one query) and reads again only the parts whose
 * fingerprint moved, patching the memberships of a changed segment in place: a generation of
 * one segment costs that segment, not the 1M partners and 10M memberships of a whole read.
 * A change of the terms themselves reads the whole copy again.
 */

/** What an order needs to be priced or checked. */
export interface OrderContext {
  readonly snapshot: TermsSnapshot;
  readonly facts: OrderFacts;
}

interface PartnerFacts {
  /** Partner id → birth date (null when unknown). */
  readonly partners: ReadonlyMap<string, string | null>;
  readonly deleted: ReadonlySet<string>;
  /** Partner id → its manager (partners without one are not here): the manager scope is checked in memory. */
  readonly managers: ReadonlyMap<string, string>;
}

/**
 * What each part of the copy was read from: a count and a sum of hashes per part and segment
 * (null: read while a write went on, so it is read again on the next catch-up).
 */
interface Fingerprints {
  partners: string | null;
  products: string | null;
  prices: string | null;
  readonly segments: Map<string, string | null>;
}

/** The parts of the copy read from one table each, and the table. */
const TABLE_PARTS = { partners: 'partners', products: 'products', prices: 'prices' } as const;
type TablePart = keyof typeof TABLE_PARTS;
type PartWrites = Record<TablePart, number>;

interface FactsCopy extends PartnerFacts {
  /** The write count when the copy was last checked whole: it is current while the count stays there. */
  writes: number;
  readonly snapshot: TermsSnapshot;
  readonly products: ReadonlySet<string>;
  /** Member id (partner or product) → the segments used by the terms that it is in. */
  readonly memberships: Map<string, string[]>;
  /** Segment id → its members as read, sorted (`sortedIds`): what a catch-up compares a changed segment's members with. */
  readonly members: Map<string, readonly string[]>;
  /** Every price row of the set-by-hand types (derived types are computed from them). */
  readonly prices: MemoryPriceBook;
  readonly fingerprints: Fingerprints;
  /** The writes of each part's table when its fingerprint was read: while they stay, it is not read again. */
  readonly partWrites: PartWrites;
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
  /** Catch-ups after a write, and how many segments' members they read again. */
  readonly catchUps: number;
  readonly segmentsReread: number;
  /** Complete reads (the first, and after a change of the terms). */
  readonly fullReads: number;
  /** Fingerprints of the partners, products or prices computed (each hashes its whole table). */
  readonly tablesHashed: number;
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
  private catchUps = 0;
  private segmentsReread = 0;
  private fullReads = 0;
  private tablesHashed = 0;

  private readonly partCounts: Record<TablePart, WriteCount>;

  constructor(
    private readonly db: Database,
    private readonly writes: WriteCounter,
  ) {
    this.partCounts = { partners: writes.of([TABLE_PARTS.partners]), products: writes.of([TABLE_PARTS.products]), prices: writes.of([TABLE_PARTS.prices]) };
  }

  private partWrites(): PartWrites {
    return { partners: this.partCounts.partners.value, products: this.partCounts.products.value, prices: this.partCounts.prices.value };
  }

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
      catchUps: this.catchUps,
      segmentsReread: this.segmentsReread,
      fullReads: this.fullReads,
      tablesHashed: this.tablesHashed,
    };
  }

  /** No more reads: the database is closing. Waits for a read in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loading?.catch(() => undefined);
  }

  private load(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    this.loading ??= (this.copy ? this.catchUp(this.copy) : this.read())
      .catch(() => false) // the one-query path still answers; the next stale lookup tries again
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  /**
   * A segment's member ids, sorted, one text split here (a row object per member made this 3×
   * slower), with the segment's composition version read in the same statement (they agree).
   */
  private async membersOf(segmentId: string): Promise<{ ids: string[]; fingerprint: string }> {
    const [row] = await this.db.query<{ ids: string | null; n: number; fingerprint: string }>(
      sql`SELECT string_agg(member_id, chr(${sql.raw(String(ID_SEPARATOR.charCodeAt(0)))}) ORDER BY member_id) AS ids, COUNT(*) AS n,
                 ${versionOf(segmentId)} AS fingerprint
          FROM segment_members WHERE segment_id = ${segmentId}`,
    );
    const fingerprint = row?.fingerprint ?? NO_VERSION;
    const ids = row?.ids ? row.ids.split(ID_SEPARATOR) : [];
    if (ids.length === Number(row?.n ?? 0)) return { ids: sortedIds(ids), fingerprint };
    // An id holding the separator itself: row by row, the fingerprint of the same rows beside each.
    const rows = await this.db.query<{ id: string; fingerprint: string }>(sql`SELECT member_id AS id, ${versionOf(segmentId)} AS fingerprint FROM segment_members WHERE segment_id = ${segmentId}`);
    return { ids: sortedIds(rows.map((r) => r.id)), fingerprint: rows[0]?.fingerprint ?? NO_VERSION };
  }

  /**
   * The fingerprint of every part, in one query; a part in `known` (its table not written since
   * that fingerprint was read) keeps it unread: hashing 1M partners is most of a catch-up.
   */
  private async fingerprints(segmentIds: readonly string[], known: Partial<Record<TablePart, string | null>> = {}): Promise<Fingerprints> {
    const d = this.db.dialect;
    const hashed: Record<TablePart, Sql> = {
      partners: sql`SELECT 'partners' AS part, NULL AS segment_id, ${sql.raw(fingerprintOf(d, ['id', 'birth_date', 'deleted', 'manager_id']))} AS fingerprint FROM partners`,
      products: sql`SELECT 'products' AS part, NULL AS segment_id, ${sql.raw(fingerprintOf(d, ['id']))} AS fingerprint FROM products`,
      prices: sql`SELECT 'prices' AS part, NULL AS segment_id, ${sql.raw(fingerprintOf(d, ['price_type_id', 'product_id', 'valid_from', 'price']))} AS fingerprint FROM prices`,
    };
    const parts = (Object.keys(hashed) as TablePart[]).filter((part) => known[part] === undefined).map((part) => hashed[part]);
    this.tablesHashed += parts.length;
    if (segmentIds.length)
      parts.push(
        sql`SELECT 'segment' AS part, segment_id, ${sql.raw(d.cast('MAX(version)', 'text'))} AS fingerprint FROM segment_changes WHERE segment_id IN (${sql.list([...segmentIds])}) GROUP BY segment_id`,
      );
    const rows = parts.length ? await this.db.query<{ part: string; segment_id: string | null; fingerprint: string | null }>(sql.join(parts, sql` UNION ALL `)) : [];
    const of = (part: TablePart) => (known[part] !== undefined ? known[part] : (rows.find((r) => r.part === part)?.fingerprint ?? EMPTY));
    const segments = new Map(segmentIds.map((id) => [id, NO_VERSION] as [string, string | null]));
    for (const r of rows) if (r.part === 'segment' && r.segment_id !== null) segments.set(r.segment_id, r.fingerprint ?? NO_VERSION);
    return { partners: of('partners'), products: of('products'), prices: of('prices'), segments };
  }

  private async readPartners(): Promise<PartnerFacts> {
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
    return { partners, deleted, managers };
  }

  private async readProducts(): Promise<Set<string>> {
    return new Set((await this.db.query<{ id: string }>('SELECT id FROM products')).map((p) => p.id));
  }

  private async readPrices(snapshot: TermsSnapshot): Promise<MemoryPriceBook> {
    const prices = new MemoryPriceBook();
    for (const type of snapshot.priceTypes.values()) {
      if (this.stopped) break;
      if (type.baseTypeId === null) await this.pricesOf(type.id, prices);
    }
    return prices;
  }

  /**
   * Brings the copy current after writes: the parts whose fingerprint moved are read again, a
   * changed segment's members patched into the memberships in place. True when no write came
   * in between (the copy is then current).
   */
  private async catchUp(copy: FactsCopy): Promise<boolean> {
    const started = performance.now();
    const writes = this.writes.value;
    if ((await termsRevision(this.db)) !== copy.snapshot.revision) return this.read();
    const was = copy.fingerprints;
    const partWrites = this.partWrites();
    // A part whose table no statement wrote since its fingerprint was read keeps it (a known one).
    const known: Partial<Record<TablePart, string | null>> = {};
    for (const part of Object.keys(TABLE_PARTS) as TablePart[]) if (partWrites[part] === copy.partWrites[part] && was[part] !== UNKNOWN) known[part] = was[part];
    const now = await this.fingerprints([...copy.snapshot.segments.keys()], known);
    let next: FactsCopy = copy;
    if (now.partners !== was.partners) next = { ...next, ...(await this.readPartners()) };
    if (now.products !== was.products) next = { ...next, products: await this.readProducts() };
    if (now.prices !== was.prices) next = { ...next, prices: await this.readPrices(copy.snapshot) };
    const changed = [...now.segments].filter(([id, fingerprint]) => was.segments.get(id) !== fingerprint).map(([id]) => id);
    const fresh = new Map<string, { ids: string[]; fingerprint: string }>();
    for (const id of changed) {
      if (this.stopped) return false;
      fresh.set(id, await this.membersOf(id));
    }
    // Patched in place (nothing reads the memberships of a stale copy): who left a changed
    // segment loses it, who entered gains it, found by walking its sorted members as last read
    // and as read now side by side (two Sets of 635k ids took 2 s; the walk takes 30 ms).
    for (const [segmentId, { ids }] of fresh) {
      const { left, entered } = sortedDifference(copy.members.get(segmentId) ?? [], ids);
      for (const memberId of left) {
        const kept = (copy.memberships.get(memberId) ?? []).filter((id) => id !== segmentId);
        if (kept.length) copy.memberships.set(memberId, kept);
        else copy.memberships.delete(memberId);
      }
      for (const memberId of entered) {
        const list = copy.memberships.get(memberId);
        if (list) list.push(segmentId);
        else copy.memberships.set(memberId, [segmentId]);
      }
      copy.members.set(segmentId, ids);
    }
    this.catchUps++;
    this.segmentsReread += fresh.size;
    const overtaken = this.writes.value !== writes;
    // A part read while a write went on may hold half of it: its fingerprint is left unknown.
    const fingerprints: Fingerprints = {
      partners: now.partners === was.partners || !overtaken ? now.partners : UNKNOWN,
      products: now.products === was.products || !overtaken ? now.products : UNKNOWN,
      prices: now.prices === was.prices || !overtaken ? now.prices : UNKNOWN,
      segments: new Map([...now.segments].map(([id, fingerprint]) => [id, fresh.has(id) ? fresh.get(id)!.fingerprint : fingerprint])),
    };
    this.copy = { ...next, fingerprints, partWrites, writes: overtaken ? -1 : writes };
    if (overtaken) {
      this.retryAt = Date.now() + Math.max(MIN_RETRY_MS, 2 * (performance.now() - started));
      return false;
    }
    return true;
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

  /** Reads the whole copy. */
  private async read(): Promise<boolean> {
    const started = performance.now();
    const writes = this.writes.value;
    const partWrites = this.partWrites();
    const snapshot = await termsSnapshot(this.db);
    const segmentIds = [...snapshot.segments.keys()];
    const fingerprints = await this.fingerprints(segmentIds);
    const partnerFacts = await this.readPartners();
    const products = await this.readProducts();
    const memberships = new Map<string, string[]>();
    const members = new Map<string, readonly string[]>();
    for (const segmentId of segmentIds) {
      if (this.stopped) break;
      const { ids, fingerprint } = await this.membersOf(segmentId);
      fingerprints.segments.set(segmentId, fingerprint);
      members.set(segmentId, ids);
      for (const memberId of ids) {
        const list = memberships.get(memberId);
        if (list) list.push(segmentId);
        else memberships.set(memberId, [segmentId]);
      }
    }
    const prices = await this.readPrices(snapshot);
    const ms = performance.now() - started;
    this.fullReads++;
    if (this.stopped || this.writes.value !== writes) {
      this.retryAt = Date.now() + Math.max(MIN_RETRY_MS, 2 * ms);
      return false;
    }
    this.copy = { writes, snapshot, ...partnerFacts, products, memberships, members, prices, fingerprints, partWrites };
    this.loadMs = ms;
    return true;
  }
}

/**
 * Ids in JavaScript's string order. The database sorted them already (its order may differ for
 * rare characters, by collation or code units), so this pass is nearly linear.
 */
function sortedIds(ids: string[]): string[] {
  return ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Who is only in `before` (left) and who only in `after` (entered); both sorted by `sortedIds`. */
function sortedDifference(before: readonly string[], after: readonly string[]): { left: string[]; entered: string[] } {
  const left: string[] = [];
  const entered: string[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length && j < after.length) {
    const a = before[i]!;
    const b = after[j]!;
    if (a === b) {
      i++;
      j++;
    } else if (a < b) {
      left.push(a);
      i++;
    } else {
      entered.push(b);
      j++;
    }
  }
  for (; i < before.length; i++) left.push(before[i]!);
  for (; j < after.length; j++) entered.push(after[j]!);
  return { left, entered };
}

/** The fingerprint of no rows. */
const EMPTY = '0:';
/** A segment's fingerprint before its first change. */
const NO_VERSION = '0';

/** A segment's composition version as text: reading it costs nothing, where hashing 10M memberships took a second. */
function versionOf(segmentId: string): Sql {
  return sql`CAST(${compositionVersion(sql`${segmentId}`)} AS VARCHAR)`;
}
/** A fingerprint no query gives: the part is read again on the next catch-up. */
const UNKNOWN = null;

/** A count and a sum of 64-bit hashes of the rows' columns, as text: what moves when any row is added, removed or changed. */
function fingerprintOf(d: Dialect, columns: readonly string[]): string {
  return `${d.cast('COUNT(*)', 'text')} || ':' || coalesce(${d.cast(`SUM(${d.hashRow(columns)})`, 'text')}, '')`;
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
