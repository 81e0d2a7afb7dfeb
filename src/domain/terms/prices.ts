import { AppError } from '../../errors/app-error.js';
import type { Queryable, SqlValue } from '../../sql/queryable.js';
import { sql, type Sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import { MemoryPriceBook } from './price-math.js';
import { requirePriceType } from './price-types.js';
import type { PriceRowInput, PriceRowRecord } from './prices.schema.js';

/**
 * The prices history (1C's "цены номенклатуры"): product × price type × valid from → price.
 * The price on a date is the latest row on or before it. Rows are imported in bulk
 * (`POST /api/import/prices`, src/import) or set one at a time here; a row's id is
 * `<priceType>|<product>|<validFrom>`, the same the import gives, so either way a second row
 * of the same key replaces the first.
 */

export const priceRowId = (row: { priceTypeId: string; productId: string; validFrom: string }): string => `${row.priceTypeId}|${row.productId}|${row.validFrom}`;

const dateOf = (db: Queryable, date: string): Sql => sql.hook((p) => db.dialect.cast(p, 'date'), date);
const decimalOf = (db: Queryable, value: number): Sql => sql.hook((p) => db.dialect.cast(p, 'decimal'), value);

interface PriceDbRow {
  price_type_id: string;
  product_id: string;
  valid_from: string;
  price: number | string;
  [key: string]: SqlValue;
}

const toRecord = (r: PriceDbRow): PriceRowRecord => ({ priceTypeId: r.price_type_id, productId: r.product_id, validFrom: String(r.valid_from).slice(0, 10), price: Number(r.price) });

export interface PriceQuery {
  readonly priceTypeId?: string | undefined;
  readonly productId?: string | undefined;
  /** Only the row in force on this date for each product and type. */
  readonly date?: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** Rows of the history, by type, product and date (newest first), filtered. */
export async function listPrices(db: Queryable, query: PriceQuery): Promise<{ items: PriceRowRecord[]; total: number }> {
  const where: Sql[] = [];
  if (query.priceTypeId) where.push(sql`price_type_id = ${query.priceTypeId}`);
  if (query.productId) where.push(sql`product_id = ${query.productId}`);
  if (query.date) {
    where.push(sql`valid_from <= ${dateOf(db, query.date)}`);
    where.push(
      sql`NOT EXISTS (SELECT 1 FROM prices l WHERE l.price_type_id = prices.price_type_id AND l.product_id = prices.product_id AND l.valid_from > prices.valid_from AND l.valid_from <= ${dateOf(db, query.date)})`,
    );
  }
  const filter = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql.empty;
  const [count] = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM prices ${filter}`);
  const rows = await db.query<PriceDbRow>(
    sql`SELECT price_type_id, product_id, ${sql.raw(db.dialect.cast('valid_from', 'text'))} AS valid_from, price FROM prices ${filter}
        ORDER BY price_type_id, product_id, valid_from DESC LIMIT ${sql.raw(String(query.limit))} OFFSET ${sql.raw(String(query.offset))}`,
  );
  return { items: rows.map(toRecord), total: Number(count?.n ?? 0) };
}

/** Sets one price (replacing the row of the same type, product and date). A derived type's prices are computed, not set. */
export async function setPrice(db: Database, input: PriceRowInput): Promise<PriceRowRecord> {
  const type = await requirePriceType(db, input.priceTypeId, 'a price');
  if (type.baseTypeId !== null) {
    throw new AppError('TERM_INVALID', {
      entity: 'price',
      summary: `price type "${type.name}" is derived from "${type.baseTypeId}": its prices are computed, set them in the base type`,
      path: 'priceTypeId',
    });
  }
  const [product] = await db.query<{ id: string }>(sql`SELECT id FROM products WHERE id = ${input.productId}`);
  if (!product) throw new AppError('ENTITY_NOT_FOUND', { entity: 'product', id: input.productId });
  const id = priceRowId(input);
  await db.transaction(async (tx) => {
    await tx.run(sql`DELETE FROM prices WHERE id = ${id}`);
    await tx.run(
      sql`INSERT INTO prices (id, price_type_id, product_id, valid_from, price) VALUES (${id}, ${input.priceTypeId}, ${input.productId}, ${dateOf(tx, input.validFrom)}, ${decimalOf(tx, input.price)})`,
    );
  });
  return { priceTypeId: input.priceTypeId, productId: input.productId, validFrom: input.validFrom, price: input.price };
}

export async function deletePrice(db: Database, key: { priceTypeId: string; productId: string; validFrom: string }): Promise<void> {
  const id = priceRowId(key);
  const [found] = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM prices WHERE id = ${id}`);
  if (!Number(found?.n ?? 0)) throw new AppError('ENTITY_NOT_FOUND', { entity: 'price', id });
  await db.run(sql`DELETE FROM prices WHERE id = ${id}`);
}

/**
 * The rows in force on a date for these products (every type): at most one per type and
 * product, the latest on or before the date. Products are a list, or a subquery (`sql`) of ids.
 */
export async function pricesInForce(db: Queryable, products: readonly string[] | Sql, date: string): Promise<MemoryPriceBook> {
  const book = new MemoryPriceBook();
  if (Array.isArray(products) && products.length === 0) return book;
  const ids = Array.isArray(products) ? sql.list(products as string[]) : (products as Sql);
  const rows = await db.query<PriceDbRow>(
    sql`SELECT price_type_id, product_id, ${sql.raw(db.dialect.cast('valid_from', 'text'))} AS valid_from, price FROM (
          SELECT price_type_id, product_id, valid_from, price, ROW_NUMBER() OVER (PARTITION BY price_type_id, product_id ORDER BY valid_from DESC) AS rn
          FROM prices WHERE product_id IN (${ids}) AND valid_from <= ${dateOf(db, date)}) p WHERE rn = 1`,
  );
  for (const r of rows) book.add(r.price_type_id, r.product_id, String(r.valid_from).slice(0, 10), Number(r.price));
  return book;
}
