import { AllNode } from '../ast/all-node.js';
import { AnyNode } from '../ast/any-node.js';
import { AttrNode } from '../ast/attr-node.js';
import { MeasureNode, type WhereNode } from '../ast/measure-node.js';
import { NotNode } from '../ast/not-node.js';
import { PeriodNode, type PeriodExpr, type PeriodNode as Period } from '../ast/period-node.js';
import type { RuleNode } from '../ast/rule-node.js';
import { visitRule, type RuleVisitor } from '../ast/rule-visitor.js';
import { ScoreNode } from '../ast/score-node.js';
import { ListNode, type ValueNode } from '../ast/value-node.js';
import { pathIndex, pathKey } from '../issues/rule-issue.js';

/**
 * A rewrite pass over a rule: rebuilds every node, calling an overridable hook for each
 * kind, values and periods. The default is the identity; a pass overrides only what it
 * rewrites. Paths follow the rule's JSON so a pass can report issues where they are.
 */
export abstract class RuleTransformer {
  private readonly visitor: RuleVisitor<RuleNode, string> = {
    all: (node, path) => AllNode.create(node.rules.map((r, i) => this.transformRule(r, pathIndex(pathKey(path, 'all'), i)))),
    any: (node, path) => AnyNode.create(node.rules.map((r, i) => this.transformRule(r, pathIndex(pathKey(path, 'any'), i)))),
    not: (node, path) => NotNode.create(this.transformRule(node.rule, pathKey(path, 'not'))),
    attr: (node, path) => AttrNode.create(node.attr, node.op, this.optionalValue(node.value, pathKey(path, 'value'))),
    score: (node, path) => ScoreNode.create(node.score, node.op, this.optionalValue(node.value, pathKey(path, 'value'))),
    inSegment: (node) => node,
    measure: (node, path) => {
      // In the order the JSON is written, so that issues come out in reading order.
      const period = node.period && this.transformPeriod(node.period, pathKey(path, 'period'));
      const where = node.where.map((w) => this.transformWhere(w, pathKey(pathKey(path, 'where'), w.key)));
      const value = this.optionalValue(node.value, pathKey(path, 'value'));
      return MeasureNode.create({
        measure: node.measure,
        op: node.op,
        where,
        ...(period ? { period } : {}),
        ...(value ? { value } : {}),
      });
    },
  };

  transformRule(node: RuleNode, path = '$'): RuleNode {
    return visitRule(node, this.visitor, path);
  }

  protected transformValue(node: ValueNode, path: string): ValueNode {
    return node.kind === 'list' ? ListNode.create(node.items.map((item, i) => this.transformValue(item, pathIndex(path, i)))) : node;
  }

  protected transformWhere(node: WhereNode, path: string): WhereNode {
    return { key: node.key, value: this.transformValue(node.value, path) };
  }

  protected transformPeriod(node: PeriodExpr, path: string): PeriodExpr | undefined {
    return node.kind === 'param' ? node : this.transformPeriodNode(node, path);
  }

  protected transformPeriodNode(node: Period, path: string): Period {
    switch (node.kind) {
      case 'last':
        return PeriodNode.last(node.unit, this.transformValue(node.count, pathKey(pathKey(path, 'last'), node.unit)));
      case 'range':
        return PeriodNode.range(node.from && this.transformValue(node.from, pathKey(path, 'from')), node.to && this.transformValue(node.to, pathKey(path, 'to')));
      case 'current':
        return PeriodNode.current(this.transformValue(node.unit, pathKey(path, 'current')));
      case 'previous':
        return PeriodNode.previous(this.transformValue(node.unit, pathKey(path, 'previous')));
    }
  }

  private optionalValue(node: ValueNode | undefined, path: string): ValueNode | undefined {
    return node && this.transformValue(node, path);
  }
}
