import type { Queryable } from '../../sql/queryable.js';
import type { Sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import { clearSegmentRefs, setSegmentRefs } from './segment-refs.js';
import { bumpTermsRevision } from './terms-revision.js';
import { deleteRow, getRow, insertRow, newTermId, refuseExisting, selectRows, stamp, updateRow, type TermTable } from './term-store.js';

/**
 * The life of a stored sales term, the same for every kind: checked, written with the segments
 * it reads (so a used segment cannot be deleted), the terms revision bumped so order pricing
 * reloads, all in one transaction. Each kind says only what differs.
 */

/** What every stored term has. */
export interface StoredTerm {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TermDefinition<T extends StoredTerm> {
  readonly table: TermTable<T>;
  /** Prefix of generated ids: `ban` → `ban-1a2b3c4d`. */
  readonly idPrefix: string;
  /** The segments the term reads (guarded against deletion and archiving); kinds that read none omit it. */
  readonly segmentsOf?: (term: T) => readonly string[];
  /** Refuses a term that cannot be stored (an unusable segment, a bad validity), before anything is written. */
  readonly check?: (db: Database, term: T) => Promise<void>;
  /** Refuses deleting a term something still needs. */
  readonly checkDelete?: (db: Database, term: T) => Promise<void>;
}

/** The fields a patch may change: everything but the id and the timestamps. */
export type TermPatch<T extends StoredTerm> = Partial<Omit<T, 'id' | 'createdAt' | 'updatedAt'>>;

export interface TermRepository<T extends StoredTerm> {
  /** The stored terms, by id; `where` (built with `sql`) filters them. */
  list(db: Queryable, where?: Sql): Promise<T[]>;
  get(db: Queryable, id: string): Promise<T>;
  /** Creates a term; `build` gets its id (the given one, or a new one) and the time. */
  create(db: Database, id: string | undefined, build: (id: string, now: string) => T): Promise<T>;
  /** Changes the fields the patch defines (undefined leaves a field as it is). */
  update(db: Database, id: string, patch: TermPatch<T>): Promise<T>;
  delete(db: Database, id: string): Promise<void>;
  /** Writes a term and its segment references; inside a transaction the caller holds. */
  write(tx: Queryable, term: T, isNew: boolean): Promise<void>;
  /** Removes a term and its segment references; inside a transaction the caller holds. */
  erase(tx: Queryable, id: string): Promise<void>;
}

export function termRepository<T extends StoredTerm>(definition: TermDefinition<T>): TermRepository<T> {
  const { table, segmentsOf } = definition;
  const { spec } = table;

  const repository: TermRepository<T> = {
    async list(db, where) {
      return (await selectRows(db, spec, where)).map(table.fromRow);
    },
    async get(db, id) {
      return table.fromRow(await getRow(db, spec, id));
    },
    async write(tx, term, isNew) {
      if (isNew) await insertRow(tx, spec, table.toRow(term));
      else await updateRow(tx, spec, term.id, table.toRow(term));
      if (segmentsOf) await setSegmentRefs(tx, spec.kind, term.id, term.name, segmentsOf(term));
    },
    async erase(tx, id) {
      await deleteRow(tx, spec, id);
      if (segmentsOf) await clearSegmentRefs(tx, spec.kind, id);
    },
    async create(db, givenId, build) {
      const id = givenId ?? newTermId(definition.idPrefix);
      await refuseExisting(db, spec, id);
      const now = stamp();
      return save(db, build(id, now), true);
    },
    async update(db, id, patch) {
      const current = await repository.get(db, id);
      const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
      return save(db, { ...current, ...defined, updatedAt: stamp() }, false);
    },
    async delete(db, id) {
      const current = await repository.get(db, id);
      await definition.checkDelete?.(db, current);
      await db.transaction(async (tx) => {
        await repository.erase(tx, id);
        await bumpTermsRevision(tx);
      });
    },
  };

  async function save(db: Database, term: T, isNew: boolean): Promise<T> {
    await definition.check?.(db, term);
    await db.transaction(async (tx) => {
      await repository.write(tx, term, isNew);
      await bumpTermsRevision(tx);
    });
    return repository.get(db, term.id);
  }

  return repository;
}
