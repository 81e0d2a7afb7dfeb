import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';
import { MANAGER_IDS_SETTING, SCOPED_ROLE, SCOPED_ROLE_GATE } from '../postgres-common.js';

/**
 * PostgreSQL: row-level security under the manager scope, as defence in depth behind the query
 * layer (docs/security.md, "Row-level security on PostgreSQL"). DuckDB has no row-level
 * security: there the query layer alone applies the scope.
 *
 * A manager's reads run as SCOPED_ROLE (neither owner nor BYPASSRLS, SELECT only) with their
 * manager ids in the transaction's MANAGER_IDS_SETTING (`Database.scoped`). Every table that
 * holds partners or their facts gets ENABLE and FORCE ROW LEVEL SECURITY and two policies:
 *
 * - `segmenta_unscoped` (every role, every command): all rows while no manager scope is set
 *   and the role is not SCOPED_ROLE — the system's own work (imports, rebuilds, later
 *   migrations) as the owner, which FORCE makes subject to policies, and custom SQL. It is an
 *   uncorrelated sub-select, computed once per query, so the owner's plans keep their indexes
 *   and parallel scans. The owner with a scope set (a scoped read whose role switch was undone)
 *   sees no rows at all: it fails closed.
 * - `segmenta_manager_scope` (SCOPED_ROLE, SELECT): a partner whose manager is in the list; a
 *   fact, property, score, membership or history row whose partner is such a partner. Product
 *   segments' members are products and stay visible. No list, or an empty one, sees nothing.
 *
 * The owner is given SCOPED_ROLE through SCOPED_ROLE_GATE, a NOINHERIT role: the owner may
 * SET ROLE to it, but does not inherit it, so the second policy (a sub-query per row) is not
 * planned into the owner's queries. Roles belong to the server, not the database: existing
 * ones are reused, and a user that may not create or grant roles migrates all the same; manager
 * reads are then refused (PARTNER_SCOPE_UNAVAILABLE) until an administrator creates the roles
 * and runs `SELECT segmenta_enable_manager_scope()`, which this migration defines and calls:
 * it grants SCOPED_ROLE what it reads and creates the second policy once the role exists.
 *
 * Tables are listed as they were at version 10; a later migration that adds a table of partner
 * data adds its policies, and one that adds a table scoped reads need grants it SELECT.
 */

/** The tables holding partners or their facts, and which of a row's columns names its partner. */
const PROTECTED: Record<string, 'manager' | 'partner' | 'member'> = {
  partners: 'manager',
  partner_properties: 'partner',
  sales: 'partner',
  interactions: 'partner',
  settlements: 'partner',
  deals: 'partner',
  partner_scores: 'partner',
  segment_members: 'member',
  segment_history: 'member',
};

/**
 * What SCOPED_ROLE may read: everything a request reads, except the users, sessions and keys
 * (secrets and who may do what), the migrations record and the schedulers' claims.
 */
export const READABLE = [
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
  'segments',
  'segment_members',
  'segment_history',
  'segment_runs',
  'partner_scores',
  'campaigns',
  'agreements',
  'discounts',
  'discount_tables',
  'shipment_bans',
  'manual_discount_limits',
  'term_segment_refs',
  'terms_revision',
  'analytics_settings',
  'analytics_matrices',
  'score_runs',
];

/** The manager ids of the scope: a JSON array of texts (none when unset or empty). */
const MANAGER_IDS = `SELECT jsonb_array_elements_text(NULLIF(current_setting('${MANAGER_IDS_SETTING}', true), '')::jsonb)`;
const VISIBLE_PARTNERS = `SELECT id FROM partners WHERE manager_id IN (${MANAGER_IDS})`;
/** The policy of the system's own work: every row while no manager scope is set (later tables reuse it). */
export const UNSCOPED = `(SELECT COALESCE(current_setting('${MANAGER_IDS_SETTING}', true), '') = '' AND current_user <> '${SCOPED_ROLE}')`;

function scopeCondition(kind: 'manager' | 'partner' | 'member'): string {
  if (kind === 'manager') return `manager_id IN (${MANAGER_IDS})`;
  if (kind === 'partner') return `partner_id IN (${VISIBLE_PARTNERS})`;
  return `member_id IN (${VISIBLE_PARTNERS}) OR segment_id IN (SELECT id FROM segments WHERE kind = 'product')`;
}

/**
 * Grants SCOPED_ROLE its reads and creates the scope policies, once the role exists (idempotent).
 * A later migration that adds tables scoped reads need replaces it with the longer list.
 */
export function enableFunction(readable: readonly string[] = READABLE, create = 'CREATE FUNCTION'): string {
  const policies = Object.entries(PROTECTED).map(
    ([table, kind]) => `
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = current_schema() AND tablename = '${table}' AND policyname = 'segmenta_manager_scope') THEN
      CREATE POLICY segmenta_manager_scope ON ${table} FOR SELECT TO ${SCOPED_ROLE} USING (${scopeCondition(kind)});
    END IF;`,
  );
  return `${create} segmenta_enable_manager_scope() RETURNS boolean LANGUAGE plpgsql AS $fn$
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${SCOPED_ROLE}') THEN RETURN false; END IF;
    BEGIN
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${SCOPED_ROLE}', current_schema());
    EXCEPTION WHEN insufficient_privilege THEN NULL; -- a schema of another owner, such as public (USAGE to everyone)
    END;
    GRANT SELECT ON ${readable.join(', ')} TO ${SCOPED_ROLE};${policies.join('')}
    RETURN true;
  END $fn$`;
}

export const rowLevelSecurity: Migration = {
  version: 10,
  name: 'row-level security under the manager scope',
  up(d: Dialect): string[] {
    if (d.name !== 'postgres') return [];
    const tolerate = 'EXCEPTION WHEN duplicate_object OR unique_violation OR insufficient_privilege OR undefined_object OR invalid_grant_operation THEN NULL;';
    return [
      `DO $$ BEGIN CREATE ROLE ${SCOPED_ROLE} NOLOGIN NOINHERIT; ${tolerate} END $$`,
      `DO $$ BEGIN CREATE ROLE ${SCOPED_ROLE_GATE} NOLOGIN NOINHERIT; ${tolerate} END $$`,
      // The gate holds the scoped role; this user holds the gate (it may SET ROLE to the scoped
      // role, without inheriting it). PostgreSQL 16 split membership into SET and INHERIT.
      `DO $$ DECLARE may_set boolean; BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles g ON g.oid = m.member
                        WHERE r.rolname = '${SCOPED_ROLE}' AND g.rolname = '${SCOPED_ROLE_GATE}') THEN
           GRANT ${SCOPED_ROLE} TO ${SCOPED_ROLE_GATE};
         END IF;
         IF current_setting('server_version_num')::int >= 160000 THEN may_set := pg_has_role('${SCOPED_ROLE}', 'SET');
         ELSE may_set := pg_has_role('${SCOPED_ROLE}', 'MEMBER');
         END IF;
         IF NOT may_set THEN EXECUTE format('GRANT ${SCOPED_ROLE_GATE} TO %I', current_user); END IF;
       ${tolerate}
       END $$`,
      ...Object.keys(PROTECTED).flatMap((table) => [
        `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
        `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
        `CREATE POLICY segmenta_unscoped ON ${table} USING (${UNSCOPED}) WITH CHECK (${UNSCOPED})`,
      ]),
      enableFunction(),
      'REVOKE ALL ON FUNCTION segmenta_enable_manager_scope() FROM PUBLIC',
      `DO $$ BEGIN EXECUTE format('ALTER FUNCTION segmenta_enable_manager_scope() SET search_path = %I', current_schema()); END $$`,
      'SELECT segmenta_enable_manager_scope()',
    ];
  },
};
