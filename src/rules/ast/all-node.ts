import type { RuleNode } from './rule-node.js';

/** `{"all": [R, …]}`: every sub-rule holds. An empty list holds for everyone. */
export interface AllNode {
  readonly kind: 'all';
  readonly rules: readonly RuleNode[];
}

export const AllNode = Object.freeze({
  is: (node: RuleNode): node is AllNode => node.kind === 'all',
  create: (rules: readonly RuleNode[]): AllNode => Object.freeze({ kind: 'all', rules: Object.freeze([...rules]) }),
});
