import type { Operator } from '../vocabulary/operators.js';
import type { RuleNode } from './rule-node.js';
import type { ValueNode } from './value-node.js';

/** `{"attr": NAME, "op": OP, "value": VALUE}`: a field or additional property of the partner (product). */
export interface AttrNode {
  readonly kind: 'attr';
  readonly attr: string;
  readonly op: Operator;
  /** Absent for `filled` / `notFilled`. */
  readonly value?: ValueNode;
}

export const AttrNode = Object.freeze({
  is: (node: RuleNode): node is AttrNode => node.kind === 'attr',
  create: (attr: string, op: Operator, value?: ValueNode): AttrNode => Object.freeze({ kind: 'attr', attr, op, ...(value ? { value } : {}) }),
});
