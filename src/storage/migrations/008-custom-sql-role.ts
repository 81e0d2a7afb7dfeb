import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';
import { CUSTOM_SQL_ROLE } from '../postgres-common.js';

/**
 * PostgreSQL: the role custom SQL runs as (docs/security.md, "Custom SQL sandbox"). It may read
 * Segmenta's data tables and nothing else: not the bookkeeping tables, not pg_authid or the
 * server's files and settings (those need privileges it lacks). Roles belong to the server, not
 * the database, so an existing one is reused. A user that may not create or grant roles
 * migrates all the same; custom SQL is then refused until an administrator runs these
 * statements (CUSTOM_SQL_SANDBOX_MISSING). DuckDB has no roles: nothing to do there.
 *
 * The tables are listed as they were at version 8 (custom-sql/allow-list.ts READABLE_TABLES;
 * test/custom-sql-sandbox.test.ts checks the two agree); a table added later is granted by
 * the migration that adds it.
 */
const TABLES = [
  'partner_groups',
  'regions',
  'product_groups',
  'partner_types',
  'managers',
  'partners',
  'products',
  'sales',
  'interactions',
  'settlements',
  'deals',
  'partner_groups_closure',
  'regions_closure',
  'product_groups_closure',
  'partner_properties',
  'product_properties',
  'property_definitions',
  'segment_members',
  'segment_history',
  'partner_scores',
];

export const customSqlRole: Migration = {
  version: 8,
  name: 'custom SQL sandbox role',
  up(d: Dialect): string[] {
    if (d.name !== 'postgres') return [];
    return [
      `DO $$ BEGIN
         CREATE ROLE ${CUSTOM_SQL_ROLE} NOLOGIN;
       EXCEPTION WHEN duplicate_object OR unique_violation OR insufficient_privilege THEN NULL;
       END $$`,
      `DO $$ BEGIN
         IF NOT pg_has_role('${CUSTOM_SQL_ROLE}', 'MEMBER') THEN EXECUTE format('GRANT ${CUSTOM_SQL_ROLE} TO %I', current_user); END IF;
         EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${CUSTOM_SQL_ROLE}', current_schema());
         GRANT SELECT ON ${TABLES.join(', ')} TO ${CUSTOM_SQL_ROLE};
       EXCEPTION WHEN undefined_object OR insufficient_privilege OR invalid_grant_operation THEN NULL;
       END $$`,
    ];
  },
};
