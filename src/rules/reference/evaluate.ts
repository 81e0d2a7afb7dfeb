import type { ConditionNode, RuleNode } from '../ast/rule-node.js';
import type { MeasureNode } from '../ast/measure-node.js';
import { plainValue, type PlainValue, type ValueNode } from '../ast/value-node.js';
import { createRuleCatalog, type RuleCatalog } from '../catalog.js';
import { checkRule } from '../check-rule.js';
import { ruleInvalidError } from '../rule-error.js';
import type { RuleParameters } from '../transform/fold-parameters.js';
import { PROPERTY_PREFIX, resolveAttribute, type RuleKind } from '../vocabulary/attributes.js';
import type { ScoreRegistry } from '../vocabulary/scores.js';
import { dateOfDay, dayNumber, leap, monthsBack, units } from './exact.js';
import type { PartnerRecord, ProductRecord, PropertyValue, SaleRecord, TreeRecord, World } from './world.js';
import type { PropertyType } from '../../model/entities.js';

const NO_PROPERTIES: ReadonlyMap<string, PropertyType> = new Map();

/**
 * The reference evaluator: a rule's meaning in plain TypeScript over in-memory arrays,
 * written from docs/rules.md and not from the SQL. It is the oracle the compiled SQL of
 * every engine is tested against; it is not built for speed.
 */

/** A measure's or score's value: exact ten-thousandths, a ratio of them, or none. */
type Numeric = { readonly units: bigint } | { readonly ratio: readonly [bigint, bigint] } | null;

/** An attribute's value as the rule sees it. */
type AttributeValue = { readonly roles: ReadonlySet<string> } | { readonly scalar: PropertyValue; readonly type: string; readonly tree?: readonly TreeRecord[] };

/** What explain shows for a condition's left side. */
export type ReferenceValue = string | number | boolean | null | readonly string[];

type Member = PartnerRecord | ProductRecord;

type FactName = 'sales' | 'interactions' | 'settlements' | 'deals';

const ONE = 10_000n;

export function catalogOfWorld(world: World, scores?: ScoreRegistry): RuleCatalog {
  const properties: Record<RuleKind, Record<string, 'string' | 'number' | 'date' | 'boolean'>> = { partner: {}, product: {} };
  for (const d of world.propertyDefinitions) properties[d.entity === 'partners' ? 'partner' : 'product'][d.name] = d.type;
  return createRuleCatalog({ properties, segments: world.segments, ...(scores ? { scores } : {}) });
}

const lower = (s: string): string => s.toLowerCase();

/** `%` any text, `_` one character, `\x` the character x; case-insensitive, whole text. */
function likeMatches(text: string, rawPattern: string): boolean {
  const pattern = lower(rawPattern);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') source += escapeRegExp(pattern[++i] ?? '');
    else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 'su').test(lower(text));
}
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

export class ReferenceEvaluator {
  private readonly catalog: RuleCatalog;
  private readonly today: number;
  private readonly productsById: Map<string, ProductRecord>;
  private readonly dynamicMembers = new Map<string, ReadonlySet<string>>();
  private readonly storedMembers = new Map<string, Set<string>>();
  private readonly scores = new Map<string, number>();
  private readonly propertyTypes: Record<RuleKind, Map<string, string>> = { partner: new Map(), product: new Map() };
  // Caches of what does not change while this evaluator lives (its world and members): they
  // change nothing of the meaning, only how often the same thing is worked out.
  private readonly measured = new Map<string, Numeric>();
  private readonly dayNumbers = new Map<string, number>();
  private readonly salesLines = new Map<string, readonly SaleRecord[]>();
  private readonly treeIndexes = new Map<readonly TreeRecord[], Map<string, TreeRecord>>();
  private readonly factsByPartner = new Map<FactName, Map<string, { readonly partner: string }[]>>();

  constructor(
    private readonly world: World,
    readonly asOf: string,
    scores?: ScoreRegistry,
  ) {
    this.catalog = catalogOfWorld(world, scores);
    this.today = dayNumber(asOf);
    this.productsById = new Map(world.products.map((p) => [p.id, p]));
    for (const m of world.segmentMembers) {
      const set = this.storedMembers.get(m.segmentId) ?? new Set<string>();
      set.add(m.memberId);
      this.storedMembers.set(m.segmentId, set);
    }
    for (const s of world.partnerScores) this.scores.set(`${s.partnerId}\u0000${s.score}`, s.value);
    for (const d of world.propertyDefinitions) this.propertyTypes[d.entity === 'partners' ? 'partner' : 'product'].set(d.name, d.type);
  }

  /**
   * Counts the member in a stored segment from now on (a check on create: the rules after a
   * segment the partner was just found to match see it there).
   */
  addStoredMember(segmentId: string, memberId: string): void {
    const set = this.storedMembers.get(segmentId) ?? new Set<string>();
    set.add(memberId);
    this.storedMembers.set(segmentId, set);
    // What was worked out from the members before.
    this.dynamicMembers.clear();
    this.measured.clear();
    this.salesLines.clear();
  }

  /** Ids of the partners (products) the checked, parameter-folded rule holds for, sorted. */
  members(rule: RuleNode, kind: RuleKind): string[] {
    const all: readonly Member[] = kind === 'partner' ? this.world.partners : this.world.products;
    return all
      .filter((m) => this.holds(rule, m, kind))
      .map((m) => m.id)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  holds(rule: RuleNode, member: Member, kind: RuleKind): boolean {
    switch (rule.kind) {
      case 'all':
        return rule.rules.every((r) => this.holds(r, member, kind));
      case 'any':
        return rule.rules.some((r) => this.holds(r, member, kind));
      case 'not':
        return !this.holds(rule.rule, member, kind);
      case 'attr':
        return this.attributeHolds(this.attribute(rule.attr, member, kind), rule.op, value(rule.value));
      case 'measure':
        return this.numericHolds(this.measure(rule, member as PartnerRecord), rule.op, value(rule.value));
      case 'score':
        return this.numericHolds(this.score(rule.score, member.id), rule.op, value(rule.value));
      case 'inSegment':
        return this.inSegment(rule.segment, member.id);
    }
  }

  /** The left side of a condition for explain: the attribute's value, the measure's, or membership. */
  conditionValue(node: ConditionNode, member: Member, kind: RuleKind): ReferenceValue {
    switch (node.kind) {
      case 'attr': {
        const v = this.attribute(node.attr, member, kind);
        return 'roles' in v ? [...v.roles].sort() : v.scalar;
      }
      case 'measure':
        return numericValue(this.measure(node, member as PartnerRecord));
      case 'score':
        return numericValue(this.score(node.score, member.id));
      case 'inSegment':
        return this.inSegment(node.segment, member.id);
    }
  }

  // ---- attributes -------------------------------------------------------------------

  private attribute(name: string, member: Member, kind: RuleKind): AttributeValue {
    if (name.startsWith(PROPERTY_PREFIX)) {
      const property = name.slice(PROPERTY_PREFIX.length);
      const type = this.propertyTypes[kind].get(property)!;
      return { scalar: member.properties[property] ?? null, type: type === 'string' ? 'text' : type };
    }
    if (name === 'roles') return { roles: new Set((member as PartnerRecord).roles) };
    const record = member as unknown as Record<string, PropertyValue>;
    const raw = record[name] ?? null;
    // The type the data model declares for the field (src/model/entities.ts), not the compiler's SQL.
    const declared = resolveAttribute(kind, name, NO_PROPERTIES)?.type;
    const type = declared === 'date' ? 'date' : declared === 'boolean' ? 'boolean' : 'text';
    const tree = name === 'region' ? this.world.regions : name !== 'group' ? undefined : kind === 'partner' ? this.world.partnerGroups : this.world.productGroups;
    // A missing flag (a deletion mark, no-mailings) is no flag.
    return { scalar: type === 'boolean' ? (raw ?? false) : raw, type, ...(tree ? { tree } : {}) };
  }

  private attributeHolds(v: AttributeValue, op: string, operand: PlainValue): boolean {
    if ('roles' in v) {
      const list = (Array.isArray(operand) ? operand : [operand]) as string[];
      switch (op) {
        case 'eq':
        case 'contains':
          return v.roles.has(operand as string);
        case 'ne':
        case 'notContains':
          return !v.roles.has(operand as string);
        case 'in':
          return list.some((r) => v.roles.has(r));
        case 'notIn':
          return !list.some((r) => v.roles.has(r));
        case 'filled':
          return v.roles.size > 0;
        case 'notFilled':
          return v.roles.size === 0;
      }
      throw new Error(`roles ${op}`);
    }
    const x = v.scalar;
    const cmp = (a: PropertyValue, b: PlainValue): number => {
      if (v.type === 'number') {
        const d = units(a as number) - units(b as number);
        return d < 0n ? -1 : d > 0n ? 1 : 0;
      }
      if (v.type === 'boolean') return a === b ? 0 : 1;
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    };
    const list = Array.isArray(operand) ? operand : [operand];
    switch (op) {
      case 'eq':
        return x !== null && cmp(x, operand) === 0;
      case 'ne':
        return !(x !== null && cmp(x, operand) === 0);
      case 'gt':
        return x !== null && cmp(x, operand) > 0;
      case 'gte':
        return x !== null && cmp(x, operand) >= 0;
      case 'lt':
        return x !== null && cmp(x, operand) < 0;
      case 'lte':
        return x !== null && cmp(x, operand) <= 0;
      case 'between':
        return x !== null && cmp(x, list[0]) >= 0 && cmp(x, list[1]) <= 0;
      case 'in':
        return x !== null && list.some((item) => cmp(x, item) === 0);
      case 'notIn':
        return !(x !== null && list.some((item) => cmp(x, item) === 0));
      case 'contains':
        return typeof x === 'string' && lower(x).includes(lower(operand as string));
      case 'notContains':
        return !(typeof x === 'string' && lower(x).includes(lower(operand as string)));
      case 'beginsWith':
        return typeof x === 'string' && lower(x).startsWith(lower(operand as string));
      case 'like':
        return typeof x === 'string' && likeMatches(x, operand as string);
      case 'filled':
        return x !== null && x !== '';
      case 'notFilled':
        return x === null || x === '';
      case 'inHierarchy':
        return x !== null && this.inTree(v.tree!, x as string, list as string[]);
      case 'notInHierarchy':
        return !(x !== null && this.inTree(v.tree!, x as string, list as string[]));
      case 'anniversaryWithin':
        return typeof x === 'string' && this.anniversaryWithin(x, operand as number);
    }
    throw new Error(`attribute ${op}`);
  }

  /** The node is one of the ancestors, or below one: walk up the parents. */
  private inTree(tree: readonly TreeRecord[], node: string, ancestors: readonly string[]): boolean {
    let byId = this.treeIndexes.get(tree);
    if (!byId) {
      byId = new Map(tree.map((t) => [t.id, t]));
      this.treeIndexes.set(tree, byId);
    }
    let current = byId.get(node);
    const seen = new Set<string>();
    while (current && !seen.has(current.id)) {
      if (ancestors.includes(current.id)) return true;
      seen.add(current.id);
      current = current.parent === null ? undefined : byId.get(current.parent);
    }
    return false;
  }

  /** Some day from asOf to asOf + days is the date's anniversary (Feb 29 → Feb 28 in common years). */
  private anniversaryWithin(date: string, days: number): boolean {
    const month = date.slice(5, 7);
    const day = date.slice(8, 10);
    for (let i = 0; i <= days; i++) {
      const d = dateOfDay(this.today + i);
      const [y, m, dd] = [Number(d.slice(0, 4)), d.slice(5, 7), d.slice(8, 10)];
      if (m === month && dd === day) return true;
      if (month === '02' && day === '29' && m === '02' && dd === '28' && !leap(y)) return true;
    }
    return false;
  }

  // ---- measures and scores -------------------------------------------------------------

  private numericHolds(x: Numeric, op: string, operand: PlainValue): boolean {
    if (op === 'filled') return x !== null;
    if (op === 'notFilled') return x === null;
    if (x === null) return false;
    // Compare x with v exactly; a ratio n/d (d > 0) compares n with v·d.
    const cmp = (v: PlainValue): number => {
      const target = units(v as number);
      const [left, right] = 'units' in x ? [x.units, target] : [x.ratio[0], target * x.ratio[1]];
      return left < right ? -1 : left > right ? 1 : 0;
    };
    const list = Array.isArray(operand) ? operand : [operand];
    switch (op) {
      case 'eq':
        return cmp(operand) === 0;
      case 'ne':
        return cmp(operand) !== 0;
      case 'gt':
        return cmp(operand) > 0;
      case 'gte':
        return cmp(operand) >= 0;
      case 'lt':
        return cmp(operand) < 0;
      case 'lte':
        return cmp(operand) <= 0;
      case 'between':
        return cmp(list[0]) >= 0 && cmp(list[1]) <= 0;
      case 'in':
        return list.some((v) => cmp(v) === 0);
      case 'notIn':
        return list.every((v) => cmp(v) !== 0);
    }
    throw new Error(`measure ${op}`);
  }

  private score(name: string, partnerId: string): Numeric {
    const v = this.scores.get(`${partnerId}\u0000${name}`);
    return v === undefined || v === null ? null : { units: units(v) };
  }

  /** The first and last day a measure counts, from its period (SPEC §3), never after asOf. */
  private window(node: MeasureNode): { first: number; last: number } {
    const asOf = this.today;
    const period = node.period;
    if (!period) return { first: -Infinity, last: asOf };
    if (period.kind === 'param') throw new Error('unfolded period');
    switch (period.kind) {
      case 'last': {
        const n = plainValue(period.count) as number;
        if (period.unit === 'days') return { first: asOf - n + 1, last: asOf };
        const months = period.unit === 'months' ? n : 12 * n;
        return { first: dayNumber(monthsBack(this.asOf, months)) + 1, last: asOf };
      }
      case 'range': {
        const from = period.from ? dayNumber(plainValue(period.from) as string) : -Infinity;
        const to = period.to ? dayNumber(plainValue(period.to) as string) : asOf;
        return { first: from, last: Math.min(to, asOf) };
      }
      case 'current':
      case 'previous': {
        const unit = plainValue(period.unit) as string;
        const size = unit === 'month' ? 1 : unit === 'quarter' ? 3 : 12;
        const y = Number(this.asOf.slice(0, 4));
        const m = Number(this.asOf.slice(5, 7));
        const firstMonth = Math.floor((m - 1) / size) * size; // 0-based month starting the unit
        const start = dayNumber(`${String(y).padStart(4, '0')}-${String(firstMonth + 1).padStart(2, '0')}-01`);
        if (period.kind === 'current') return { first: start, last: asOf };
        const prev = y * 12 + firstMonth - size;
        const py = Math.floor(prev / 12);
        const pm = prev - py * 12 + 1;
        return { first: dayNumber(`${String(py).padStart(4, '0')}-${String(pm).padStart(2, '0')}-01`), last: start - 1 };
      }
    }
  }

  private whereAllows(node: MeasureNode, fact: Record<string, unknown>): boolean {
    return node.where.every((w) => {
      const wanted = (Array.isArray(plainValue(w.value)) ? plainValue(w.value) : [plainValue(w.value)]) as string[];
      switch (w.key) {
        case 'product':
        case 'manager':
        case 'type':
        case 'direction':
        case 'outcome':
          return wanted.includes(fact[w.key] as string);
        case 'productGroup': {
          const group = this.productsById.get(fact.product as string)?.group ?? null;
          return group !== null && this.inTree(this.world.productGroups, group, wanted);
        }
        case 'productSegment':
          return wanted.some((segment) => this.inSegment(segment, fact.product as string));
      }
    });
  }

  /** A date's day number, worked out once. */
  private day(date: string): number {
    let n = this.dayNumbers.get(date);
    if (n === undefined) {
      n = dayNumber(date);
      this.dayNumbers.set(date, n);
    }
    return n;
  }

  /** The partner's rows of a fact (the world's rows grouped by partner once). */
  private factsOf<F extends FactName>(fact: F, partnerId: string): readonly World[F][number][] {
    let byPartner = this.factsByPartner.get(fact);
    if (!byPartner) {
      byPartner = new Map();
      for (const row of this.world[fact]) {
        const rows = byPartner.get(row.partner);
        if (rows) rows.push(row);
        else byPartner.set(row.partner, [row]);
      }
      this.factsByPartner.set(fact, byPartner);
    }
    // Grouped from this.world[fact]: the rows are of that fact.
    return (byPartner.get(partnerId) ?? []) as readonly unknown[] as readonly World[F][number][];
  }

  /** A measure of a partner; the same measure (kind, period, filters) is worked out once. */
  private measure(node: MeasureNode, partner: PartnerRecord): Numeric {
    const key = `${partner.id}\u0000${measureKey(node)}`;
    if (this.measured.has(key)) return this.measured.get(key)!;
    const value = this.measureOnce(node, partner);
    this.measured.set(key, value);
    return value;
  }

  private measureOnce(node: MeasureNode, partner: PartnerRecord): Numeric {
    const { first, last } = this.window(node);
    const inWindow = (date: string | null) => date !== null && this.day(date) >= first && this.day(date) <= last;
    const sum = (values: readonly bigint[]) => values.reduce((a, b) => a + b, 0n);
    const dayNumber = (date: string) => this.day(date);
    switch (node.measure) {
      case 'registration.days':
        return partner.registeredAt === null ? null : { units: BigInt(this.today - dayNumber(partner.registeredAt)) * ONE };
      case 'sales.revenue':
      case 'sales.quantity':
      case 'sales.cost':
      case 'sales.grossProfit':
      case 'sales.documents':
      case 'sales.averageCheck':
      case 'sales.daysSinceLast':
      case 'sales.daysSinceFirst': {
        // The lines of a period and filters, shared by the measures over them.
        const linesKey = `${partner.id}\u0000${salesLinesKey(node)}`;
        let lines = this.salesLines.get(linesKey);
        if (!lines) {
          lines = this.factsOf('sales', partner.id).filter((s) => inWindow(s.date) && this.whereAllows(node, s as unknown as Record<string, unknown>));
          this.salesLines.set(linesKey, lines);
        }
        const all = lines;
        const purchases = () => all.filter((s) => s.quantity >= 0);
        const revenue = () => sum(all.map((s) => units(s.revenue)));
        const documents = () => BigInt(new Set(purchases().map((s) => s.document)).size);
        const days = () => purchases().map((s) => dayNumber(s.date));
        switch (node.measure) {
          case 'sales.revenue':
            return { units: revenue() };
          case 'sales.quantity':
            return { units: sum(all.map((s) => units(s.quantity))) };
          case 'sales.cost':
            return { units: sum(all.map((s) => units(s.cost ?? 0))) };
          case 'sales.grossProfit':
            return { units: revenue() - sum(all.map((s) => units(s.cost ?? 0))) };
          case 'sales.documents':
            return { units: documents() * ONE };
          case 'sales.averageCheck': {
            const count = documents();
            return count > 0n ? { ratio: [revenue(), count] } : null;
          }
          case 'sales.daysSinceLast': {
            const found = days();
            return found.length ? { units: BigInt(this.today - Math.max(...found)) * ONE } : null;
          }
          default: {
            const found = days();
            return found.length ? { units: BigInt(this.today - Math.min(...found)) * ONE } : null;
          }
        }
      }
      case 'interactions.count':
      case 'interactions.daysSinceLast':
      case 'interactions.averageScore': {
        const found = this.factsOf('interactions', partner.id).filter((i) => inWindow(i.date) && this.whereAllows(node, i as unknown as Record<string, unknown>));
        if (node.measure === 'interactions.count') return { units: BigInt(found.length) * ONE };
        if (node.measure === 'interactions.daysSinceLast') {
          return found.length ? { units: BigInt(this.today - Math.max(...found.map((i) => dayNumber(i.date)))) * ONE } : null;
        }
        const scored = found.filter((i) => i.score !== null);
        return scored.length ? { ratio: [sum(scored.map((i) => units(i.score!))), BigInt(scored.length)] } : null;
      }
      case 'deals.count':
      case 'deals.wonAmount':
      case 'deals.lostCount': {
        // Without a period, a deal with no creation date counts; with one, only dated deals in it.
        const found = this.factsOf('deals', partner.id).filter(
          (d) => (node.period ? inWindow(d.createdAt) : d.createdAt === null || dayNumber(d.createdAt) <= this.today) && this.whereAllows(node, d as unknown as Record<string, unknown>),
        );
        if (node.measure === 'deals.count') return { units: BigInt(found.length) * ONE };
        if (node.measure === 'deals.lostCount') return { units: BigInt(found.filter((d) => d.outcome === 'lost').length) * ONE };
        return { units: sum(found.filter((d) => d.outcome === 'won').map((d) => units(d.amount ?? 0))) };
      }
      case 'settlements.receivable':
      case 'settlements.payable':
      case 'settlements.overdueReceivable':
      case 'settlements.maxDaysOverdue':
        return this.settlement(node, partner, last);
    }
  }

  /**
   * The state of settlements at the end `end` of the period: the balance of entries dated up
   * to it; payments (and credits) settle the debts in order of due date, oldest first; what
   * is left of a debt due before `end` is overdue.
   */
  private settlement(node: MeasureNode, partner: PartnerRecord, end: number): Numeric {
    const dayNumber = (date: string) => this.day(date);
    const entries = this.factsOf('settlements', partner.id).filter((s) => dayNumber(s.date) <= end);
    const balance = entries.reduce((a, s) => a + units(s.amount), 0n);
    if (node.measure === 'settlements.receivable') return { units: balance > 0n ? balance : 0n };
    if (node.measure === 'settlements.payable') return { units: balance < 0n ? -balance : 0n };
    let credit = entries.filter((s) => s.amount < 0).reduce((a, s) => a - units(s.amount), 0n);
    const debts = entries
      .filter((s) => s.amount > 0)
      .map((s) => ({ amount: units(s.amount), due: dayNumber(s.dueDate ?? s.date) }))
      .sort((a, b) => a.due - b.due);
    let overdue = 0n;
    let oldest: number | null = null;
    for (const debt of debts) {
      const paid = credit < debt.amount ? credit : debt.amount;
      credit -= paid;
      const left = debt.amount - paid;
      if (left > 0n && debt.due < end) {
        overdue += left;
        oldest = oldest === null ? debt.due : Math.min(oldest, debt.due);
      }
    }
    if (node.measure === 'settlements.overdueReceivable') return { units: overdue };
    return { units: oldest === null ? 0n : BigInt(end - oldest) * ONE };
  }

  // ---- segments ---------------------------------------------------------------------

  private inSegment(id: string, memberId: string): boolean {
    const info = this.catalog.segments.get(id);
    if (!info) throw new Error(`unknown segment ${id}`);
    if (info.method !== 'dynamic') return this.storedMembers.get(id)?.has(memberId) ?? false;
    let members = this.dynamicMembers.get(id);
    if (!members) {
      const checked = checkRule(info.rule, { kind: info.kind, catalog: this.catalog, parameters: info.parameters });
      if (!checked.ok) throw ruleInvalidError(checked.issues, id);
      members = new Set(this.members(checked.rule, info.kind));
      this.dynamicMembers.set(id, members);
    }
    return members.has(memberId);
  }
}

const value = (node: ValueNode | undefined): PlainValue => (node ? plainValue(node) : null);

/** A text of what a node's value depends on, kept per node (nodes are frozen). */
function keptText(of: (node: MeasureNode) => unknown): (node: MeasureNode) => string {
  const texts = new WeakMap<MeasureNode, string>();
  return (node) => {
    let text = texts.get(node);
    if (text === undefined) {
      text = JSON.stringify(of(node));
      texts.set(node, text);
    }
    return text;
  };
}

/** What a measure's value depends on (not its comparison). */
const measureKey = keptText((node) => [node.measure, node.period ?? null, node.where]);
/** Which sale lines a sales measure reads. */
const salesLinesKey = keptText((node) => [node.period ?? null, node.where]);

function numericValue(x: Numeric): number | null {
  if (x === null) return null;
  if ('units' in x) return Number(x.units) / 10_000;
  return Number(x.ratio[0]) / 10_000 / Number(x.ratio[1]);
}

export interface ReferenceOptions {
  readonly kind: RuleKind;
  readonly asOf: string;
  readonly parameters?: RuleParameters;
  readonly scores?: ScoreRegistry;
}

/** The members of a rule (JSON as written) over a world, by the reference evaluator. */
export function referenceMembers(input: unknown, world: World, options: ReferenceOptions): string[] {
  const catalog = catalogOfWorld(world, options.scores);
  const checked = checkRule(input, { kind: options.kind, catalog, ...(options.parameters ? { parameters: options.parameters } : {}) });
  if (!checked.ok) throw ruleInvalidError(checked.issues);
  return new ReferenceEvaluator(world, options.asOf, options.scores).members(checked.rule, options.kind);
}
