import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Prices by segment (docs/sales-terms.md#prices): price types (set by hand, or derived from
 * another type with a markup and a rounding rule), the prices history (product × price type ×
 * valid from → price), and agreements that reference a price type and have a priority.
 *
 * Agreements stored before this migration carried a free label as their price type: each
 * distinct label becomes a price type of that id and name (set by hand, RUB, VAT included), so
 * every agreement keeps its label and now names a price type that exists.
 */
export const pricesSchema: Migration = {
  version: 14,
  name: 'prices',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const bool = d.columnType('boolean');
    const ts = d.columnType('timestamp');
    const date = d.columnType('date');
    const decimal = d.columnType('decimal');
    const int = d.columnType('integer');
    const now = `CAST(CURRENT_TIMESTAMP AS ${ts})`;
    const statements = [
      `CREATE TABLE price_types (
        id ${text} NOT NULL PRIMARY KEY, name ${text} NOT NULL, description ${text}, currency ${text} NOT NULL,
        vat_included ${bool} NOT NULL, vat_rate ${decimal} NOT NULL, base_type_id ${text}, markup_percent ${decimal}, rounding ${text},
        is_default ${bool} NOT NULL, created_at ${ts} NOT NULL, updated_at ${ts} NOT NULL)`,
      // A fact table like sales: unique by id (`<type>|<product>|<validFrom>`) through the import's upsert.
      `CREATE TABLE prices (id ${text} NOT NULL, price_type_id ${text}, product_id ${text}, valid_from ${date}, price ${decimal})`,
      // Order pricing and the price list look prices up by product. DuckDB uses a one-column
      // index for `product_id IN (…)` (a three-column one it ignores: a scan, 30× slower).
      d.usesSecondaryIndexes ? 'CREATE INDEX prices_product_idx ON prices (product_id, price_type_id, valid_from)' : 'CREATE INDEX prices_product_idx ON prices (product_id)',
      // DuckDB adds no column with a constraint: nullable, filled, and read as 0 when null.
      `ALTER TABLE agreements ADD COLUMN priority ${int} DEFAULT 0`,
      'UPDATE agreements SET priority = 0',
      `INSERT INTO price_types (id, name, description, currency, vat_included, vat_rate, base_type_id, markup_percent, rounding, is_default, created_at, updated_at)
        SELECT DISTINCT price_type, price_type, 'From the label of an agreement', 'RUB', TRUE, 20, CAST(NULL AS ${text}), CAST(NULL AS ${decimal}), CAST(NULL AS ${text}), FALSE, ${now}, ${now}
        FROM agreements WHERE price_type IS NOT NULL AND price_type <> ''`,
      `UPDATE agreements SET price_type = NULL WHERE price_type = ''`,
      'UPDATE terms_revision SET revision = revision + 1 WHERE id = 1',
    ];
    if (d.usesSecondaryIndexes) statements.push('CREATE INDEX prices_id_idx ON prices (id)');
    return statements;
  },
};
