import type { Operator } from '../vocabulary/operators.js';
import type { RuleNode } from './rule-node.js';
import type { ValueNode } from './value-node.js';

/** `{"score": "rfm.r", "op", "value"}`: a stored per-partner score compared with a number. */
export interface ScoreNode {
  readonly kind: 'score';
  readonly score: string;
  readonly op: Operator;
  readonly value?: ValueNode;
}

export const ScoreNode = Object.freeze({
  is: (node: RuleNode): node is ScoreNode => node.kind === 'score',
  create: (score: string, op: Operator, value?: ValueNode): ScoreNode => Object.freeze({ kind: 'score', score, op, ...(value ? { value } : {}) }),
});
