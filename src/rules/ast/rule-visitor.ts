import type { AllNode } from './all-node.js';
import type { AnyNode } from './any-node.js';
import type { AttrNode } from './attr-node.js';
import type { InSegmentNode } from './in-segment-node.js';
import type { MeasureNode } from './measure-node.js';
import type { NotNode } from './not-node.js';
import type { RuleNode, RuleNodeKind } from './rule-node.js';
import type { ScoreNode } from './score-node.js';

type NodeOfKind<K extends RuleNodeKind> = Extract<RuleNode, { kind: K }>;

/**
 * One handler per node kind. Keyed on the kind union, so adding a kind to RuleNode fails to
 * compile until every visitor handles it.
 */
export type RuleVisitor<R, C = void> = { readonly [K in RuleNodeKind]: (node: NodeOfKind<K>, context: C) => R };

/** Calls the visitor's handler for the node's kind. */
export function visitRule<R, C>(node: RuleNode, visitor: RuleVisitor<R, C>, context: C): R {
  const handler = visitor[node.kind] as (node: RuleNode, context: C) => R;
  return handler(node, context);
}

export type { AllNode, AnyNode, AttrNode, InSegmentNode, MeasureNode, NotNode, ScoreNode };
