import { ENTITIES, entityColumns } from '../../model/entities.js';
import type { Queryable, Row } from '../../sql/queryable.js';
import type { Database, WriteCount } from '../../storage/database.js';
import { membershipCopy } from './membership-copy.js';

/**
 * An in-process copy of the small directories a one-partner check reads after the partner's own
 * rows (issue 20): the three hierarchies with their closures, and the products. At 1M partners
 * these reads were four statements of a check's nine, over tables of a few thousand rows at
 * most. Kept where the process keeps the compositions (membership-copy.ts: DuckDB, PGlite — it
 * alone writes), and read again whole after any write that may have touched these tables.
 */

export type Tree = 'partnerGroups' | 'regions' | 'productGroups';
const TREES: readonly Tree[] = ['partnerGroups', 'regions', 'productGroups'];

/** The tables the copy is read from: a write to any other leaves it current. */
const DIRECTORY_TABLES = [...TREES.flatMap((t) => [ENTITIES[t].table, `${ENTITIES[t].table}_closure`]), ENTITIES.products.table];

export interface Directories {
  /** Each tree's and the products' rows (the entity's columns), by id. */
  readonly rows: ReadonlyMap<Tree | 'products', ReadonlyMap<string, Row>>;
  /** Each tree's closure: the ancestors of a node (itself included where the closure says so). */
  readonly ancestors: ReadonlyMap<Tree, ReadonlyMap<string, readonly string[]>>;
}

const columnsOf = (entity: Tree | 'products'): string =>
  entityColumns(ENTITIES[entity])
    .map((c) => c.column)
    .join(', ');

async function readDirectories(q: Queryable): Promise<Directories> {
  const rows = new Map<Tree | 'products', Map<string, Row>>();
  const ancestors = new Map<Tree, Map<string, string[]>>();
  for (const entity of [...TREES, 'products'] as const) {
    const found = await q.query(`SELECT ${columnsOf(entity)} FROM ${ENTITIES[entity].table}`);
    rows.set(entity, new Map(found.map((r) => [String(r.id), r])));
  }
  for (const tree of TREES) {
    const of = new Map<string, string[]>();
    for (const r of await q.query<{ ancestor_id: string; descendant_id: string }>(`SELECT ancestor_id, descendant_id FROM ${ENTITIES[tree].table}_closure`)) {
      const list = of.get(r.descendant_id);
      if (list) list.push(r.ancestor_id);
      else of.set(r.descendant_id, [r.ancestor_id]);
    }
    ancestors.set(tree, of);
  }
  return { rows, ancestors };
}

export class DirectoriesCopy {
  private held: { readonly writes: number; readonly directories: Directories } | null = null;

  constructor(
    private readonly db: Database,
    private readonly writes: WriteCount,
  ) {}

  /** The directories as the database holds them now: the copy, read again first when a write may have changed them. */
  async current(): Promise<Directories> {
    if (this.held && this.held.writes === this.writes.value) return this.held.directories;
    const writes = this.writes.value;
    const directories = await readDirectories(this.db);
    // A write that settled while they were read may not be in them: used once, not kept.
    if (this.writes.value === writes) this.held = { writes, directories };
    return directories;
  }
}

const copies = new WeakMap<Queryable, DirectoriesCopy>();

/**
 * The copy of the directories for the database `q`, where the process keeps the compositions
 * in memory (the server, on DuckDB and PGlite); null otherwise (PostgreSQL, a transaction, a
 * one-shot command), where checks read them by key.
 */
export function directoriesCopy(q: Queryable): DirectoriesCopy | null {
  const known = copies.get(q);
  if (known) return known;
  const db = q as Partial<Database>;
  if (!membershipCopy(q) || !db.localWrites) return null;
  const copy = new DirectoriesCopy(q as Database, db.localWrites.of(DIRECTORY_TABLES));
  copies.set(q, copy);
  return copy;
}
