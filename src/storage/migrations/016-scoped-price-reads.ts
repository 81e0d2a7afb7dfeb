import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';
import { enableFunction, READABLE } from './010-row-level-security.js';

/**
 * PostgreSQL: a manager's reads (row-level security, migration 10) price orders and show price
 * lists, so the scoped role reads the price types and prices (migration 14; they hold no partner
 * data). The function an administrator runs when the roles come later grants them too.
 */
export const scopedPriceReads: Migration = {
  version: 16,
  name: 'scoped reads of price types and prices',
  up(d: Dialect): string[] {
    if (d.name !== 'postgres') return [];
    return [
      enableFunction([...READABLE, 'price_types', 'prices'], 'CREATE OR REPLACE FUNCTION'),
      // A replaced function loses its settings (not its grants): its search path again.
      `DO $$ BEGIN EXECUTE format('ALTER FUNCTION segmenta_enable_manager_scope() SET search_path = %I', current_schema()); END $$`,
      'SELECT segmenta_enable_manager_scope()',
    ];
  },
};
