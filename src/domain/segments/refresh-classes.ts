import type { RuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { classifyRule, type RuleRefreshClass } from '../../rules/refresh-class.js';

/**
 * Each stored segment's refresh class (src/rules/refresh-class.ts) from the catalog: a segment
 * reading another takes the other's reasons too — a periodic segment is current only after the
 * pass that refreshes it, a dynamic one is its rule; a manual segment changes only by hand
 * (the dirty set hears of it, compositions.ts). Custom SQL and product segments are refreshed
 * by full passes only; partner rules reading product segments (`where.productSegment`) hear of
 * their changes through the dirty set too (the buyers of the products that entered or left).
 */
export class RefreshClasses {
  private readonly known = new Map<string, RuleRefreshClass>();
  private readonly visiting = new Set<string>();

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
