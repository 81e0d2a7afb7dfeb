import { loadRuleCatalog, type RuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { ruleInvalidError } from '../../rules/rule-error.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { compileMemberChecks, type HitsQuery, type NamedRule } from '../../sql/compile/rule-set.js';
import { inChunks } from '../../sql/in-chunks.js';
import type { Queryable } from '../../sql/queryable.js';
import type { ReadPart } from '../../sql/read-parts.js';
import { sql } from '../../sql/sql.js';
import type { World } from '../../rules/reference/world.js';
import type { Database } from '../../storage/database.js';
import { addToComposition, holdCompositions, type CompositionListener } from './compositions.js';
import { dependencyOrder } from './dependencies.js';
import { membershipCopy } from './membership-copy.js';
import { matchInProcess, readPartnerWorld, readPartnerWorldWith } from './one-partner.js';
import { partnerReads } from './partner-reads.js';
import type { Segment } from './segment.schema.js';
import { listSegments, sqlTimestamp } from './segments.repository.js';

/**
 * "Check on create" (SPEC §2): a partner created or changed is checked against every periodic
 * segment that asks for it and added at once if it matches; removal waits for the next rebuild.
 *
 * One partner is checked in process: its rows read by key, every rule evaluated over them
 * (one-partner.ts), the compiled query kept for what the evaluator cannot read. Several are
 * checked together in one query that reads only their facts. A segment that reads another one
 * sees the partner in it when the other one was just found to match.
 */

/** Above this many partners, their ids go to a temporary table rather than into the query text. */
const LISTED_IDS = 1000;

async function checkedSegments(q: Queryable): Promise<Segment[]> {
  return (await listSegments(q, { kind: 'partner', method: 'periodic', archived: false })).filter((s) => s.checkOnCreate && s.rule !== null && s.sql === null);
}

/** The rules of the check-on-create segments, in dependency order, checked; null when there are none. */
async function checkedRules(q: Queryable): Promise<{ rules: NamedRule[]; catalog: RuleCatalog } | null> {
  const segments = dependencyOrder(await checkedSegments(q));
  if (segments.length === 0) return null;
  const catalog = await loadRuleCatalog(q);
  const rules: NamedRule[] = [];
  for (const segment of segments) {
    const checked = checkRule(segment.rule, { kind: 'partner', catalog, parameters: segment.parameters, segmentId: segment.id });
    if (!checked.ok) throw ruleInvalidError(checked.issues, segment.id);
    rules.push({ id: segment.id, rule: checked.rule });
  }
  return { rules, catalog };
}

/**
 * A one-partner check compiled once and reused while the definitions it depends on (segments,
 * property definitions) and the date stay the same: a partner created in the UI is checked by
 * one query, without re-reading and re-compiling a hundred rules.
 */
interface CompiledCheck {
  /** The rules and the catalog they were checked with; null when no segment checks on create. */
  readonly plan: { readonly rules: NamedRule[]; readonly catalog: RuleCatalog } | null;
  readonly query: HitsQuery | null;
  /** Where the partner id goes in the query's parameters. */
  readonly partnerParam: number;
}

const PARTNER_PLACEHOLDER = '\u0000partner';
const compiledChecks = new Map<string, CompiledCheck>();

/** The last version read on a database whose writes this process counts, with the count then. */
const versionsAt = new WeakMap<Queryable, { readonly writes: number; readonly version: string }>();

/** What the definitions version reads. */
const DEFINITION_TABLES = ['segments', 'property_definitions'];

/**
 * Changes whenever a segment or property definition is added, changed or removed. Where this
 * process alone writes (DuckDB, PGlite), it is read again only after a write that may have
 * touched those tables (a partner inserted does not): one query less per check.
 */
async function definitionsVersion(q: Queryable): Promise<string> {
  const counter = (q as Partial<Database>).localWrites?.of(DEFINITION_TABLES);
  const known = versionsAt.get(q);
  if (counter && known && known.writes === counter.value) return known.version;
  const writes = counter?.value;
  const version = await readDefinitionsVersion(q);
  if (counter && writes !== undefined) versionsAt.set(q, { writes, version });
  return version;
}

/** The definitions version as one text: the segments' count and last update, the property definitions. */
const versionExpression = (q: Queryable): string =>
  `${q.dialect.cast('(SELECT COUNT(*) FROM segments)', 'text')} || '|' || COALESCE(${q.dialect.cast('(SELECT MAX(updated_at) FROM segments)', 'text')}, '') || '|' ||
   COALESCE((SELECT string_agg(entity || ':' || name || ':' || type, ',' ORDER BY entity, name) FROM property_definitions), '')`;

async function readDefinitionsVersion(q: Queryable): Promise<string> {
  const [row] = await q.query<{ version: string }>(`SELECT ${versionExpression(q)} AS version`);
  return row!.version;
}

/** The version read as one part of a check's statement (read-parts.ts). */
const versionPart = (q: Queryable): ReadPart => ({
  name: 'definitionsVersion',
  from: sql`(SELECT 1 AS one) definitions`,
  where: sql`1 = 1`,
  columns: [{ name: 'version', expression: versionExpression(q), type: 'text' }],
});

/**
 * The check compiled last on a database whose writes no count follows (PostgreSQL), by date:
 * its next check reads the definitions version in its own statement, with the partner's rows.
 */
const lastChecks = new WeakMap<Queryable, Map<string, { readonly version: string; readonly check: CompiledCheck }>>();

async function compiledCheck(q: Queryable, asOf: string): Promise<CompiledCheck> {
  const version = await definitionsVersion(q);
  const check = await compiledCheckAt(q, asOf, version);
  if (!(q as Partial<Database>).localWrites) {
    const last = lastChecks.get(q) ?? new Map<string, { version: string; check: CompiledCheck }>();
    if (last.size >= 8 && !last.has(asOf)) last.delete(last.keys().next().value!);
    last.set(asOf, { version, check });
    lastChecks.set(q, last);
  }
  return check;
}

async function compiledCheckAt(q: Queryable, asOf: string, version: string): Promise<CompiledCheck> {
  const key = JSON.stringify([q.dialect.name, asOf, version]);
  let check = compiledChecks.get(key);
  if (!check) {
    const plan = await checkedRules(q);
    const query = plan
      ? compileMemberChecks(plan.rules, {
          dialect: q.dialect,
          catalog: plan.catalog,
          kind: 'partner',
          asOf,
          members: { ids: [PARTNER_PLACEHOLDER] },
          ruleSegments: { ids: new Set(plan.rules.map((r) => r.id)), keepStored: true },
        })
      : null;
    check = { plan, query, partnerParam: query ? query.params.indexOf(PARTNER_PLACEHOLDER) : -1 };
    if (compiledChecks.size >= 8) compiledChecks.delete(compiledChecks.keys().next().value!);
    compiledChecks.set(key, check);
  }
  return check;
}

/**
 * Makes one-partner checks ready to run at full speed (the server calls it at start and after
 * its copy of the compositions is kept): the rules compiled, and the compositions they read
 * held in memory where they can be (keepMembershipsInMemory).
 */
export async function preparePartnerChecks(db: Queryable, options: { asOf?: string } = {}): Promise<void> {
  const check = await compiledCheck(db, resolveAsOf(options.asOf));
  if (check.plan) await membershipCopy(db)?.ready(partnerReads(check.plan.rules, check.plan.catalog).segments);
}

/**
 * The compiled check and the partner's world, read by key (one-partner.ts). Where no count of
 * this process's writes tells whether the definitions changed (PostgreSQL), the check compiled
 * last at this date is tried first, the definitions version read in the same statement as the
 * partner's rows (one round trip, one snapshot); another version than the check's is read again
 * with the check compiled for it.
 */
async function checkAndWorld(q: Queryable, partnerId: string, asOf: string): Promise<{ check: CompiledCheck; world: World | null }> {
  const last = (q as Partial<Database>).localWrites ? undefined : lastChecks.get(q)?.get(asOf);
  if (last?.check.plan) {
    const { world, alongside } = await readPartnerWorldWith(q, partnerId, last.check.plan.catalog, last.check.plan.rules, versionPart(q));
    if (alongside[0]?.version === last.version) return { check: last.check, world };
  }
  const check = await compiledCheck(q, asOf);
  return { check, world: check.plan ? await readPartnerWorld(q, partnerId, check.plan.catalog, check.plan.rules) : null };
}

async function matchOne(q: Queryable, partnerId: string, asOf: string): Promise<Map<string, string[]>> {
  const { check, world } = await checkAndWorld(q, partnerId, asOf);
  const result = new Map<string, string[]>();
  if (!check.plan || !check.query) return result;
  // In process: the partner's rows read by key, the rules evaluated over them (one-partner.ts).
  if (!world) return result;
  let held: Set<string> | null = null;
  try {
    held = matchInProcess(world, check.plan.rules, check.plan.catalog, asOf);
  } catch {
    // What the evaluator cannot read is left to the compiled query.
  }
  if (held) {
    for (const id of held) result.set(id, [partnerId]);
    return result;
  }
  const params = [...check.query.params];
  params[check.partnerParam] = partnerId;
  const [row] = await q.query(check.query.sql, params);
  if (row) for (const [segmentId, column] of check.query.columns) if (row[column] === true) result.set(segmentId, [partnerId]);
  return result;
}

/**
 * Which of the partners each check-on-create segment's rule holds for, in one query: a segment
 * that reads another one counts the partner in it when it is stored there or the other rule
 * holds (it is being added). Segments come in dependency order.
 */
async function matchSegments(q: Queryable, partnerIds: readonly string[], asOf: string): Promise<Map<string, string[]>> {
  const ids = [...new Set(partnerIds)];
  if (ids.length === 0) return new Map();
  if (ids.length === 1) return matchOne(q, ids[0]!, asOf);
  const result = new Map<string, string[]>();
  const plan = await checkedRules(q);
  if (!plan) return result;
  const { rules, catalog } = plan;
  const listed = ids.length <= LISTED_IDS;
  if (!listed) {
    await q.run('DROP TABLE IF EXISTS check_on_create_ids');
    await q.run(`CREATE TEMPORARY TABLE check_on_create_ids (id ${q.dialect.columnType('text')} NOT NULL)`);
    await inChunks(ids, 10_000, (chunk) =>
      q.appendRows(
        'check_on_create_ids',
        ['id'],
        chunk.map((id) => [id]),
      ),
    );
  }
  try {
    const query = compileMemberChecks(rules, {
      dialect: q.dialect,
      catalog,
      kind: 'partner',
      asOf,
      members: listed ? { ids } : { subquery: 'SELECT id FROM check_on_create_ids' },
      ruleSegments: { ids: new Set(rules.map((r) => r.id)), keepStored: true },
    });
    const rows = await q.query(query.sql, query.params);
    for (const [segmentId, column] of query.columns) {
      const hit = rows.filter((row) => row[column] === true).map((row) => String(row.id));
      if (hit.length) result.set(segmentId, hit);
    }
  } finally {
    if (!listed) await q.run('DROP TABLE IF EXISTS check_on_create_ids');
  }
  return result;
}

/**
 * The periodic check-on-create segments whose rules hold for a partner (as of today or asOf):
 * where check on create would put it now. Reads only this partner's facts; writes nothing.
 *
 * @example
 * await checkPartnerAgainstSegments(db, 'p-new')   // → ['birthday-today', 'perm-companies']
 */
export async function checkPartnerAgainstSegments(db: Queryable, partnerId: string, options: { asOf?: string } = {}): Promise<string[]> {
  const matches = await matchSegments(db, [partnerId], resolveAsOf(options.asOf));
  return [...matches.keys()].sort();
}

/**
 * Checks partners created or changed against every periodic segment that checks on create,
 * and adds each to those it matches (with an "entered" event). Runs in the caller's
 * transaction, so the additions commit with the change that caused them; `committed` (the
 * database, outside that transaction) tells the members a rebuild committed since it began.
 */
export async function checkPartnersOnCreate(tx: Queryable, partnerIds: readonly string[], onChange?: CompositionListener, committed?: Queryable): Promise<{ segmentId: string; added: string[] }[]> {
  const at = sqlTimestamp();
  const results: { segmentId: string; added: string[] }[] = [];
  const matches = await matchSegments(tx, partnerIds, resolveAsOf(undefined));
  if (matches.size === 0) return results;
  // Every checked segment at once: an import calls this once per chunk of ids in one transaction.
  const release = await holdCompositions(
    tx,
    (await checkedSegments(tx)).map((s) => s.id),
  );
  try {
    for (const [segmentId, hit] of matches) {
      const added = await addToComposition(tx, segmentId, hit, at, onChange, committed);
      if (added.length) results.push({ segmentId, added: added.sort() });
    }
  } finally {
    release();
  }
  return results;
}
