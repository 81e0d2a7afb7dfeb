import type { RuleNode } from './rule-node.js';

/** `{"not": R}`: R does not hold. Conditions are never "unknown", so this is a plain complement. */
export interface NotNode {
  readonly kind: 'not';
  readonly rule: RuleNode;
}

export const NotNode = Object.freeze({
  is: (node: RuleNode): node is NotNode => node.kind === 'not',
  create: (rule: RuleNode): NotNode => Object.freeze({ kind: 'not', rule }),
});
