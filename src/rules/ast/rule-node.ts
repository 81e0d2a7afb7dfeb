import type { AllNode } from './all-node.js';
import type { AnyNode } from './any-node.js';
import type { AttrNode } from './attr-node.js';
import type { InSegmentNode } from './in-segment-node.js';
import type { MeasureNode } from './measure-node.js';
import type { NotNode } from './not-node.js';
import type { ScoreNode } from './score-node.js';

/** A rule (SPEC §3): a readonly tree tagged by `kind`. */
export type RuleNode = AllNode | AnyNode | NotNode | AttrNode | MeasureNode | ScoreNode | InSegmentNode;
export type RuleNodeKind = RuleNode['kind'];
/** The leaves: conditions on one partner (product). */
export type ConditionNode = AttrNode | MeasureNode | ScoreNode | InSegmentNode;

export const isCondition = (node: RuleNode): node is ConditionNode => node.kind !== 'all' && node.kind !== 'any' && node.kind !== 'not';
