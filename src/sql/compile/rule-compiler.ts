import { ENTITIES, type EntityName } from '../../model/entities.js';
import type { ConditionNode, RuleNode } from '../../rules/ast/rule-node.js';
import { visitRule, type RuleVisitor } from '../../rules/ast/rule-visitor.js';
import type { RuleCatalog, SegmentRuleInfo } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { ruleInvalidError } from '../../rules/rule-error.js';
import { ENTITY_OF_KIND, PROPERTY_VALUE_COLUMNS, resolveAttribute, type RuleKind } from '../../rules/vocabulary/attributes.js';
import type { Dialect } from '../dialect.js';
import { columnOf, FactScans } from './fact-scans.js';
import { FlagJoins, type FlagSource } from './flag-joins.js';
import type { MeasureReader } from './measure-reader.js';
import type { CompiledCondition, LeftSide } from './left-side.js';
import { measureSpecOf, type WhereFilter } from './measure-spec.js';
import { comparePredicate, negate, truthy, type PredicateContext } from './predicates.js';
import { SqlParams } from './sql-params.js';

export interface RuleCompilerOptions {
  readonly dialect: Dialect;
  readonly catalog: RuleCatalog;
  /** The evaluation date, 'YYYY-MM-DD'. */
  readonly asOf: string;
  /**
   * Stored segments whose compositions are taken to be what their rules select now: a batch
   * refresh replaces them (`keepStored: false`), a check on create adds to them (`keepStored:
   * true`, the stored list or the rule). `inSegment` on them is compiled from their rules, as
   * for a dynamic segment, so one query evaluates segments that read each other.
   */
  readonly ruleSegments?: RuleSegments;
}

export interface RuleSegments {
  readonly ids: ReadonlySet<string>;
  readonly keepStored: boolean;
}

export interface ScopeOptions {
  /** Partners or products. */
  readonly kind: RuleKind;
  /** The root table: the kind's own, or a table of measures made from it (batch plans). */
  readonly table?: string;
  /**
   * Only some members are read: an SQL test on an id such as `= $3`, pushed into every fact
   * scan so that only their facts are read (explain, check on create).
   */
  readonly members?: string | null;
  /** Measures from precomputed columns instead of fact scans (batch plans). */
  readonly measures?: (root: string) => MeasureReader;
  /** Sale lines read from this table instead of `sales` (see FactScanContext.salesTable). */
  readonly salesTable?: string;
}

/** One SELECT level: the root table, its joins, and where its measures come from. */
export class Scope {
  readonly joins: string[] = [];
  readonly properties = new Map<string, string>();
  readonly scores = new Map<string, string>();
  readonly measures: MeasureReader;
  readonly kind: RuleKind;
  readonly table: string;
  readonly members: string | null;

  constructor(
    compiler: RuleCompiler,
    readonly root: string,
    options: ScopeOptions,
  ) {
    this.kind = options.kind;
    this.table = options.table ?? ENTITY_OF_KIND[options.kind].table;
    this.members = options.members ?? null;
    this.flags = new FlagJoins(() => compiler.nextAlias());
    this.measures =
      options.measures?.(root) ??
      new FactScans({
        dialect: compiler.dialect,
        params: compiler.params,
        asOf: compiler.asOf,
        nextAlias: () => compiler.nextAlias(),
        where: (filter, f) => compiler.whereFilter(filter, f),
        productFilter: (filter, x, flags) => compiler.productFilter(filter, x, flags),
        members: this.members,
        ...(options.salesTable ? { salesTable: options.salesTable } : {}),
      });
  }

  /** Hierarchies and stored memberships of the root row, each read by one join. */
  readonly flags: FlagJoins;

  /** The FROM clause: the root table and its joins. */
  from(): string {
    return [`${this.table} ${this.root}`, ...this.joins, ...this.flags.joins(), ...this.measures.joins(this.root)].join(' ');
  }
}

const MEMBER_TABLE = 'segment_members';

/** The closure table of a hierarchy, keyed by descendant: "is under one of these nodes" flags. */
const closureOf = (hierarchy: EntityName): FlagSource => ({ id: `closure:${hierarchy}`, table: `${ENTITIES[hierarchy].table}_closure`, keyColumn: 'descendant_id' });
const SCORE_TABLE = 'partner_scores';

/**
 * The one rule compiler: a rule becomes a SELECT of member ids, with every value bound as a
 * parameter and every identifier taken from the model registry. Dialects differ only in the
 * small hooks of src/sql/dialect.ts. A compiler instance builds the queries of one request;
 * they share its parameters, and `params.finalize` gives each query only the ones it uses.
 */
export class RuleCompiler {
  readonly dialect: Dialect;
  readonly params: SqlParams;
  readonly asOf: string;
  private readonly catalog: RuleCatalog;
  private readonly ruleSegments: RuleSegments;
  private aliases = 0;
  /** Dynamic segments being inlined, to stop a cycle that slipped past validation. */
  private readonly inlining: string[] = [];

  constructor(options: RuleCompilerOptions) {
    this.dialect = options.dialect;
    this.catalog = options.catalog;
    this.asOf = options.asOf;
    this.ruleSegments = options.ruleSegments ?? { ids: new Set(), keepStored: false };
    this.params = new SqlParams(options.dialect);
  }

  nextAlias(): string {
    return `t${this.aliases++}`;
  }

  /** A new SELECT level with a fresh root alias. */
  scope(options: ScopeOptions): Scope {
    return new Scope(this, this.nextAlias(), options);
  }

  /** `SELECT <root>.id AS id FROM partners <root> … WHERE <rule>` for a checked, parameter-folded rule. */
  selectIds(rule: RuleNode, kind: RuleKind): string {
    const scope = this.scope({ kind });
    const predicate = this.predicate(rule, scope);
    return `SELECT ${scope.root}.id AS id FROM ${scope.from()} WHERE ${predicate}`;
  }

  /**
   * For explain: one row for member `memberId` with the left side and the result of every
   * condition (in visiting order) as columns `v<i>…`, `p<i>`.
   */
  explainSelect(conditions: readonly ConditionNode[], kind: RuleKind, memberId: string): { sql: string; compiled: CompiledCondition[] } {
    const member = `= ${this.params.bind(memberId, 'text')}`;
    const scope = this.scope({ kind, members: member });
    const compiled = conditions.map((c) => this.condition(c, scope));
    // `1 AS found` keeps the list non-empty for a rule without conditions (`{"all": []}`).
    const columns = ['1 AS found', ...compiled.flatMap((c, i) => [...leftColumns(c.left, i), `${c.predicate} AS p${i}`])];
    return { sql: `SELECT ${columns.join(', ')} FROM ${scope.from()} WHERE ${scope.root}.id ${member}`, compiled };
  }

  /**
   * For analytics and reports: one row per member that satisfies `filter` (every row when
   * absent), with its `id`, the left side (`v<i>`, `d<i>` for ratios) and result (`p<i>`) of
   * every condition — the values a rule compares, with the rule language's exact meaning — and
   * the result (`q<j>`) of each of `rules`. Everything shares one scan of each fact table.
   * `members` (an SQL test on an id, as for explain) limits the rows and the facts read.
   */
  valuesSelect(
    conditions: readonly ConditionNode[],
    kind: RuleKind,
    filter?: RuleNode,
    rules: readonly RuleNode[] = [],
    members: string | null = null,
  ): { sql: string; compiled: CompiledCondition[] } {
    const scope = this.scope({ kind, members });
    const compiled = conditions.map((c) => this.condition(c, scope));
    const results = rules.map((rule, j) => `${this.predicate(rule, scope)} AS q${j}`);
    const where = [filter ? this.predicate(filter, scope) : 'TRUE', ...(members ? [`${scope.root}.id ${members}`] : [])].join(' AND ');
    const columns = [`${scope.root}.id AS id`, ...compiled.flatMap((c, i) => [...leftColumns(c.left, i), `${c.predicate} AS p${i}`]), ...results];
    return { sql: `SELECT ${columns.join(', ')} FROM ${scope.from()} WHERE ${where}`, compiled };
  }

  private readonly visitor: RuleVisitor<string, Scope> = {
    all: (node, scope) => (node.rules.length ? `(${node.rules.map((r) => this.predicate(r, scope)).join(' AND ')})` : 'TRUE'),
    any: (node, scope) => (node.rules.length ? `(${node.rules.map((r) => this.predicate(r, scope)).join(' OR ')})` : 'FALSE'),
    not: (node, scope) => negate(this.predicate(node.rule, scope)),
    attr: (node, scope) => this.condition(node, scope).predicate,
    measure: (node, scope) => this.condition(node, scope).predicate,
    score: (node, scope) => this.condition(node, scope).predicate,
    inSegment: (node, scope) => this.condition(node, scope).predicate,
  };

  /** The rule as an SQL condition on the scope's root row, never NULL. */
  predicate(node: RuleNode, scope: Scope): string {
    return visitRule(node, this.visitor, scope);
  }

  private get predicateContext(): PredicateContext {
    return {
      dialect: this.dialect,
      params: this.params,
      asOf: this.asOf,
      inHierarchy: () => {
        throw new Error('hierarchy of a non-hierarchy attribute');
      },
    };
  }

  /** A condition's left side and its predicate. */
  condition(node: ConditionNode, scope: Scope): CompiledCondition {
    switch (node.kind) {
      case 'attr': {
        const attribute = resolveAttribute(scope.kind, node.attr, this.catalog.properties[scope.kind]);
        if (!attribute) throw new Error(`unknown attribute ${node.attr}`);
        let left: LeftSide;
        let ctx = this.predicateContext;
        if (attribute.source === 'roles') {
          const roles = new Map(attribute.values.map((role) => [role, `COALESCE(${scope.root}.${attribute.columnPrefix}${role}, FALSE)`]));
          left = { kind: 'roles', roles };
        } else if (attribute.source === 'property') {
          const alias = this.propertyJoin(scope, attribute.property);
          left = { kind: 'scalar', sql: `${alias}.${PROPERTY_VALUE_COLUMNS[attribute.type]}`, type: attribute.type, nulls: 'complement' };
        } else {
          const column = `${scope.root}.${attribute.column}`;
          left = {
            kind: 'scalar',
            sql: attribute.nullAsFalse ? `COALESCE(${column}, FALSE)` : column,
            type: attribute.type,
            nulls: 'complement',
          };
          const hierarchy = attribute.hierarchy;
          if (hierarchy) {
            // One join of the closure for every inHierarchy on this column.
            ctx = { ...ctx, inHierarchy: (value, ancestors) => scope.flags.flag(closureOf(hierarchy), value, (c) => `${c}.ancestor_id IN (${ancestors})`) };
          }
        }
        return { left, predicate: comparePredicate(ctx, left, node.op, node.value) };
      }
      case 'measure': {
        let left: LeftSide;
        if (node.measure === 'registration.days') {
          const registered = `${scope.root}.${columnOf('partners', 'registeredAt')}`;
          left = { kind: 'scalar', sql: this.dialect.daysBetween(registered, this.params.bind(this.asOf, 'date')), type: 'number', nulls: 'false' };
        } else {
          left = scope.measures.leftSide(measureSpecOf(node, this.asOf));
        }
        return { left, predicate: comparePredicate(this.predicateContext, left, node.op, node.value) };
      }
      case 'score': {
        let alias = scope.scores.get(node.score);
        if (!alias) {
          alias = this.nextAlias();
          scope.scores.set(node.score, alias);
          scope.joins.push(`LEFT JOIN ${SCORE_TABLE} ${alias} ON ${alias}.partner_id = ${scope.root}.id AND ${alias}.score = ${this.params.bind(node.score, 'text')}`);
        }
        const left: LeftSide = { kind: 'scalar', sql: `${alias}.value`, type: 'number', nulls: 'false' };
        return { left, predicate: comparePredicate(this.predicateContext, left, node.op, node.value) };
      }
      case 'inSegment':
        return { left: { kind: 'membership' }, predicate: this.membership(`${scope.root}.id`, [node.segment], scope.kind, scope) };
    }
  }

  private propertyJoin(scope: Scope, property: string): string {
    let alias = scope.properties.get(property);
    if (!alias) {
      const { table, ownerColumn } = ENTITY_OF_KIND[scope.kind].properties!;
      alias = this.nextAlias();
      scope.properties.set(property, alias);
      // The property name is a value like any other: bound, never spliced.
      scope.joins.push(`LEFT JOIN ${table} ${alias} ON ${alias}.${ownerColumn} = ${scope.root}.id AND ${alias}.name = ${this.params.bind(property, 'text')}`);
    }
    return alias;
  }

  /**
   * `idSql` is a member of one of the segments: a stored composition (periodic, manual) is
   * read from segment_members; a dynamic segment's rule is compiled inline, with its own
   * parameters, since nothing of it is stored (so are `ruleSegments`). When `idSql` is the
   * scope's own root row, an inlined rule becomes a condition on that row, sharing the scope's
   * fact scans (and its restriction to some members).
   */
  private membership(idSql: string, segments: readonly string[], kind: RuleKind, scope?: Scope, rowFlags?: FlagJoins): string {
    const stored: string[] = [];
    const parts: string[] = [];
    const own = scope && scope.kind === kind && idSql === `${scope.root}.id` ? scope : undefined;
    const flags = own?.flags ?? rowFlags;
    for (const id of segments) {
      const info = this.catalog.segments.get(id);
      if (!info || info.kind !== kind) throw new Error(`segment ${id} is not a ${kind} segment`);
      const byRule = info.method === 'dynamic' || (own !== undefined && this.ruleSegments.ids.has(id));
      if (byRule) {
        parts.push(own ? this.inlineSegment(info, (rule) => this.predicate(rule, own)) : truthy(`${idSql} IN (${this.inlineSegment(info, (rule) => this.selectIds(rule, info.kind))})`));
      }
      if (!byRule || (info.method !== 'dynamic' && this.ruleSegments.keepStored)) stored.push(id);
    }
    if (stored.length) {
      const ids = this.params.bindList(stored, 'text');
      if (flags) {
        // The row's memberships, read by one join for every segment the rules name (only the
        // checked members' rows when restricted: an index on member_id serves them).
        const members = own?.members;
        const source: FlagSource = { id: 'members', table: MEMBER_TABLE, keyColumn: 'member_id', ...(members ? { where: (m: string) => `${m}.member_id ${members}` } : {}) };
        parts.unshift(flags.flag(source, idSql, (m) => `${m}.segment_id IN (${ids})`));
      } else {
        const m = this.nextAlias();
        parts.unshift(truthy(`${idSql} IN (SELECT ${m}.member_id FROM ${MEMBER_TABLE} ${m} WHERE ${m}.segment_id IN (${ids}))`));
      }
    }
    return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
  }

  private inlineSegment(info: SegmentRuleInfo, compile: (rule: RuleNode) => string): string {
    if (this.inlining.includes(info.id)) {
      throw ruleInvalidError([{ code: 'segment_cycle', path: '$', cycle: [...this.inlining, info.id] }], info.id);
    }
    const checked = checkRule(info.rule, { kind: info.kind, catalog: this.catalog, parameters: info.parameters });
    if (!checked.ok) throw ruleInvalidError(checked.issues, info.id);
    this.inlining.push(info.id);
    try {
      return compile(checked.rule);
    } finally {
      this.inlining.pop();
    }
  }

  /**
   * A product-level `where` filter over a product row `x` (columns product_id, group_id),
   * evaluated once per product: product groups and stored product segments read through
   * `flags` joins.
   */
  productFilter(filter: WhereFilter, x: string, flags: FlagJoins): string {
    if (filter.values.length === 0) return 'FALSE';
    switch (filter.key) {
      case 'productGroup': {
        const groups = this.params.bindList(filter.values, 'text');
        return flags.flag(closureOf('productGroups'), `${x}.${columnOf('products', 'group')}`, (c) => `${c}.ancestor_id IN (${groups})`);
      }
      case 'productSegment':
        return this.membership(`${x}.${columnOf('sales', 'product')}`, filter.values, 'product', undefined, flags);
      default:
        return this.whereFilter(filter, x);
    }
  }

  /** A `where` filter over the fact row `f` (sales, interactions or deals). */
  whereFilter(filter: WhereFilter, f: string): string {
    const ids = (values: readonly string[]) => this.params.bindList(values, 'text');
    if (filter.values.length === 0) return 'FALSE';
    switch (filter.key) {
      case 'product':
        return `${f}.${columnOf('sales', 'product')} IN (${ids(filter.values)})`;
      case 'manager':
        return `${f}.${columnOf('sales', 'manager')} IN (${ids(filter.values)})`;
      case 'productGroup': {
        const [p, c] = [this.nextAlias(), this.nextAlias()];
        return (
          `${f}.${columnOf('sales', 'product')} IN (SELECT ${p}.id FROM ${ENTITIES.products.table} ${p} ` +
          `JOIN ${ENTITIES.productGroups.table}_closure ${c} ON ${c}.descendant_id = ${p}.${columnOf('products', 'group')} ` +
          `WHERE ${c}.ancestor_id IN (${ids(filter.values)}))`
        );
      }
      case 'productSegment':
        return this.membership(`${f}.${columnOf('sales', 'product')}`, filter.values, 'product');
      case 'type':
      case 'direction':
      case 'outcome':
        // interactions.type / direction and deals.type / outcome share their column names.
        return `${f}.${filter.key} IN (${ids(filter.values)})`;
    }
  }
}

/** Columns showing a condition's left side, for explain. */
function leftColumns(left: LeftSide, i: number): string[] {
  switch (left.kind) {
    case 'scalar':
      return [`${left.sql} AS v${i}`];
    case 'ratio':
      return [`${left.numerator} AS v${i}`, `${left.denominator} AS d${i}`];
    case 'roles':
      return [...left.roles.values()].map((sql, j) => `${sql} AS r${i}_${j}`);
    case 'membership':
      return [];
  }
}
