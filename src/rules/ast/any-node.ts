import type { RuleNode } from './rule-node.js';

/** `{"any": [R, …]}`: at least one sub-rule holds. An empty list holds for no one. */
export interface AnyNode {
  readonly kind: 'any';
  readonly rules: readonly RuleNode[];
}

export const AnyNode = Object.freeze({
  is: (node: RuleNode): node is AnyNode => node.kind === 'any',
  create: (rules: readonly RuleNode[]): AnyNode => Object.freeze({ kind: 'any', rules: Object.freeze([...rules]) }),
});
