import type { RuleNode } from './rule-node.js';

/** `{"inSegment": ID}`: a member of another segment of the same kind. */
export interface InSegmentNode {
  readonly kind: 'inSegment';
  readonly segment: string;
}

export const InSegmentNode = Object.freeze({
  is: (node: RuleNode): node is InSegmentNode => node.kind === 'inSegment',
  create: (segment: string): InSegmentNode => Object.freeze({ kind: 'inSegment', segment }),
});
