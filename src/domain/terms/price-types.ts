import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import type { PriceType, PriceTypeInput, PriceTypePatch } from './prices.schema.js';
import { bumpTermsRevision } from './terms-revision.js';
import { column, termTable } from './term-store.js';
import { termRepository } from './term-repository.js';

/**
 * Price types (1C's "виды цен"): a currency, whether prices include VAT, and either prices set
 * by hand (the prices history, prices.ts) or computed from another type with a markup and a
 * rounding rule. Types may not derive from each other in a loop. An agreement gives its
 * partners a price type; the default type prices orders no agreement gives one to.
 */

export const PRICE_TYPES_TABLE = termTable<PriceType>('price_types', 'priceType', {
  id: column.text('id'),
  name: column.text('name'),
  description: column.nullableText('description'),
  currency: column.text('currency'),
  vatIncluded: column.boolean('vat_included'),
  vatRate: column.decimal('vat_rate'),
  baseTypeId: column.nullableText('base_type_id'),
  markupPercent: {
    ...column.decimal('markup_percent'),
    read: (row, c) => (row[c] === null || row[c] === undefined ? null : Number(row[c])),
    write: (value: number | null) => value,
  },
  rounding: {
    ...column.oneOf<NonNullable<PriceType['rounding']>>('rounding'),
    read: (row, c) => (row[c] === null || row[c] === undefined ? null : (String(row[c]) as NonNullable<PriceType['rounding']>)),
    write: (value: PriceType['rounding']) => value,
  },
  isDefault: column.boolean('is_default'),
  createdAt: column.timestamp('created_at'),
  updatedAt: column.timestamp('updated_at'),
});

const invalid = (summary: string, path: string): AppError => new AppError('TERM_INVALID', { entity: 'price type', summary, path });

/** Refuses a type that points nowhere, derives from itself through others, or mixes derived and set-by-hand fields. */
async function checkPriceType(db: Queryable, type: PriceType): Promise<void> {
  if (type.baseTypeId === null) {
    if (type.markupPercent !== null) throw invalid('markupPercent: only a derived type (with baseTypeId) has a markup', 'markupPercent');
    if (type.rounding !== null) throw invalid('rounding: only a derived type (with baseTypeId) is rounded', 'rounding');
    return;
  }
  const all = new Map((await priceTypes.list(db)).map((t) => [t.id, t]));
  all.set(type.id, type);
  if (!all.has(type.baseTypeId))
    throw new AppError('PRICE_TYPE_UNKNOWN', { id: type.baseTypeId, usage: `price type "${type.name}" (baseTypeId)`, known: [...all.keys()].filter((id) => id !== type.id) });
  const cycle = [type.id];
  for (let at = all.get(type.baseTypeId); at; at = at.baseTypeId === null ? undefined : all.get(at.baseTypeId)) {
    cycle.push(at.id);
    if (at.id === type.id) throw new AppError('PRICE_TYPE_CYCLE', { id: type.id, baseTypeId: type.baseTypeId, cycle: cycle.join(' → ') });
    if (cycle.length > all.size + 1) break;
  }
}

const priceTypes = termRepository<PriceType>({ table: PRICE_TYPES_TABLE, idPrefix: 'price', check: checkPriceType });

export const listPriceTypes = (db: Queryable): Promise<PriceType[]> => priceTypes.list(db);
export const getPriceType = (db: Queryable, id: string): Promise<PriceType> => priceTypes.get(db, id);

/** One default at a time: marking a type the default takes the mark from the others. */
async function keepOneDefault(db: Database, type: PriceType): Promise<PriceType> {
  if (!type.isDefault) return type;
  await db.transaction(async (tx) => {
    await tx.run(sql`UPDATE price_types SET is_default = FALSE WHERE is_default = TRUE AND id <> ${type.id}`);
    await bumpTermsRevision(tx);
  });
  return type;
}

export async function createPriceType(db: Database, input: PriceTypeInput): Promise<PriceType> {
  const derived = input.baseTypeId !== undefined && input.baseTypeId !== null;
  const created = await priceTypes.create(db, input.id, (id, now) => ({
    id,
    name: input.name,
    description: input.description ?? null,
    currency: input.currency ?? 'RUB',
    vatIncluded: input.vatIncluded ?? true,
    vatRate: input.vatRate ?? 20,
    baseTypeId: input.baseTypeId ?? null,
    markupPercent: input.markupPercent ?? (derived ? 0 : null),
    rounding: input.rounding ?? (derived ? '0.01' : null),
    isDefault: input.isDefault ?? false,
    createdAt: now,
    updatedAt: now,
  }));
  return keepOneDefault(db, created);
}

export async function updatePriceType(db: Database, id: string, patch: PriceTypePatch): Promise<PriceType> {
  const current = await priceTypes.get(db, id);
  const next = { ...patch };
  // Set by hand now: the derived fields go with the base.
  if (patch.baseTypeId === null) {
    next.markupPercent ??= null;
    next.rounding ??= null;
  } else if (patch.baseTypeId !== undefined && current.baseTypeId === null) {
    next.markupPercent ??= 0;
    next.rounding ??= '0.01';
  }
  // A null in the patch clears a field (the repository leaves undefined ones as they are).
  const updated = await priceTypes.update(db, id, next);
  return keepOneDefault(db, updated);
}

/** Who uses a price type: agreements and the types derived from it. */
export async function priceTypeUsage(db: Queryable, id: string): Promise<string[]> {
  const agreements = await db.query<{ id: string; name: string }>(sql`SELECT id, name FROM agreements WHERE price_type = ${id} ORDER BY id`);
  const derived = await db.query<{ id: string; name: string }>(sql`SELECT id, name FROM price_types WHERE base_type_id = ${id} ORDER BY id`);
  return [...agreements.map((a) => `agreement "${a.name}" (${a.id})`), ...derived.map((t) => `price type "${t.name}" (${t.id})`)];
}

/** Deletes a price type and its prices; refused while agreements or derived types use it. */
export async function deletePriceType(db: Database, id: string): Promise<{ deletedPrices: number }> {
  await priceTypes.get(db, id);
  const usedBy = await priceTypeUsage(db, id);
  if (usedBy.length) throw new AppError('PRICE_TYPE_IN_USE', { id, list: usedBy.join(', '), usedBy });
  let deletedPrices = 0;
  await db.transaction(async (tx) => {
    const [n] = await tx.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM prices WHERE price_type_id = ${id}`);
    deletedPrices = Number(n?.n ?? 0);
    await tx.run(sql`DELETE FROM prices WHERE price_type_id = ${id}`);
    await priceTypes.erase(tx, id);
    await bumpTermsRevision(tx);
  });
  return { deletedPrices };
}

/** Refuses a price type id that does not exist (for an agreement, a price row). */
export async function requirePriceType(db: Queryable, id: string, usage: string): Promise<PriceType> {
  const all = await priceTypes.list(db);
  const found = all.find((t) => t.id === id);
  if (!found) throw new AppError('PRICE_TYPE_UNKNOWN', { id, usage, known: all.map((t) => t.id) });
  return found;
}
