import type { MeasureName, WhereKey } from '../vocabulary/measures.js';
import type { Operator } from '../vocabulary/operators.js';
import type { PeriodExpr } from './period-node.js';
import type { RuleNode } from './rule-node.js';
import type { ValueNode } from './value-node.js';

/** One `where` entry: the facts whose `key` is the value (or one of the values). */
export interface WhereNode {
  readonly key: WhereKey;
  readonly value: ValueNode;
}

/** `{"measure", "period", "where", "op", "value"}`: an aggregate of the partner's facts compared with a number. */
export interface MeasureNode {
  readonly kind: 'measure';
  readonly measure: MeasureName;
  /** Absent: all time up to the evaluation date. */
  readonly period?: PeriodExpr;
  readonly where: readonly WhereNode[];
  readonly op: Operator;
  readonly value?: ValueNode;
}

export const MeasureNode = Object.freeze({
  is: (node: RuleNode): node is MeasureNode => node.kind === 'measure',
  create: (fields: Omit<MeasureNode, 'kind'>): MeasureNode => Object.freeze({ kind: 'measure', ...fields, where: Object.freeze([...fields.where]) }),
});
