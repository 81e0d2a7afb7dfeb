import type { RuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { classifyRule, type RuleRefreshClass } from '../../rules/refresh-class.js';
import { CHANGE_KINDS, ruleReads, type ChangeKind } from '../../rules/rule-reads.js';

/**
 * Each stored segment's refresh class (src/rules/refresh-class.ts) from the catalog: a segment
 * reading another takes the other's reasons too — a periodic segment is current only after the
 * pass that refreshes it, a dynamic one is its rule; a manual segment changes only by hand
 * (the dirty set hears of it, compositions.ts). Custom SQL and product segments are refreshed
 * by full passes only; partner rules reading product segments (`where.productSegment`) hear of
 * their changes through the dirty set too (the buyers of the products that entered or left).
 * With the class, what each segment's verdicts can depend on (`reads`, src/rules/rule-reads.ts).
 */
export class RefreshClasses {
  private readonly known = new Map<string, RuleRefreshClass>();
  private readonly visiting = new Set<string>();
  private readonly read = new Map<string, ReadonlySet<ChangeKind>>();
  private readonly reading = new Set<string>();

  constructor(
    private readonly catalog: RuleCatalog,
    private readonly asOf: string,
  ) {}

  of(segmentId: string): RuleRefreshClass {
    const cached = this.known.get(segmentId);
    if (cached) return cached;
    // A cycle is refused when rules are saved; one that slipped through is not incremental.
    if (this.visiting.has(segmentId)) return { refresh: 'full', reasons: ['segment cycle'] };
    this.visiting.add(segmentId);
    try {
      const result = this.classify(segmentId);
      this.known.set(segmentId, result);
      return result;
    } finally {
      this.visiting.delete(segmentId);
    }
  }

  /**
   * The kinds of change a segment's verdicts can depend on: its rule's reads, through the
   * segments it reads; a segment without a rule (manual) only by its stored composition
   * (`memberships`); anything that is no partner rule, or cannot be read, every kind.
   */
  reads(segmentId: string): ReadonlySet<ChangeKind> {
    const cached = this.read.get(segmentId);
    if (cached) return cached;
    if (this.reading.has(segmentId)) return new Set(CHANGE_KINDS);
    this.reading.add(segmentId);
    try {
      const result = this.readsOf(segmentId);
      this.read.set(segmentId, result);
      return result;
    } finally {
      this.reading.delete(segmentId);
    }
  }

  private readsOf(segmentId: string): ReadonlySet<ChangeKind> {
    const info = this.catalog.segments.get(segmentId);
    if (!info || info.kind !== 'partner' || info.sql !== null) return new Set(CHANGE_KINDS);
    if (info.method === 'manual' || info.rule === null || info.rule === undefined) return new Set<ChangeKind>(['memberships']);
    const checked = checkRule(info.rule, { kind: info.kind, catalog: this.catalog, parameters: info.parameters, segmentId });
    if (!checked.ok) return new Set(CHANGE_KINDS);
    return ruleReads(checked.rule, { segment: (id) => this.reads(id) });
  }

  private classify(segmentId: string): RuleRefreshClass {
    const info = this.catalog.segments.get(segmentId);
    if (!info) return { refresh: 'full', reasons: ['unknown segment'] };
    if (info.kind !== 'partner') return { refresh: 'full', reasons: ['product segment'] };
    if (info.sql !== null) return { refresh: 'full', reasons: ['custom SQL'] };
    if (info.method === 'manual' || info.rule === null || info.rule === undefined) return { refresh: 'incremental', reasons: [] };
    const checked = checkRule(info.rule, { kind: info.kind, catalog: this.catalog, parameters: info.parameters, segmentId });
    if (!checked.ok) return { refresh: 'full', reasons: ['invalid rule'] };
    return classifyRule(checked.rule, { asOf: this.asOf, segment: (id) => this.of(id) });
  }
}
