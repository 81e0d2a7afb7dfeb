/**
 * Values inside a rule: literals, lists, and `{"param": name}` references that the
 * fold-parameters pass replaces with the segment's parameter values.
 */
export type JsonScalar = string | number | boolean | null;

export interface LiteralNode {
  readonly kind: 'literal';
  readonly value: JsonScalar;
}

export interface ListNode {
  readonly kind: 'list';
  readonly items: readonly ValueNode[];
}

export interface ParamNode {
  readonly kind: 'param';
  readonly name: string;
}

export type ValueNode = LiteralNode | ListNode | ParamNode;

export const LiteralNode = Object.freeze({
  is: (node: ValueNode): node is LiteralNode => node.kind === 'literal',
  create: (value: JsonScalar): LiteralNode => Object.freeze({ kind: 'literal', value }),
});

export const ListNode = Object.freeze({
  is: (node: ValueNode): node is ListNode => node.kind === 'list',
  create: (items: readonly ValueNode[]): ListNode => Object.freeze({ kind: 'list', items: Object.freeze([...items]) }),
});

export const ParamNode = Object.freeze({
  is: (node: { readonly kind: string }): node is ParamNode => node.kind === 'param',
  create: (name: string): ParamNode => Object.freeze({ kind: 'param', name }),
});

/** A value with no parameters left, as plain JSON. */
export type PlainValue = JsonScalar | readonly PlainValue[];

/** The plain JSON of a value; throws if a parameter is still in it (fold parameters first). */
export function plainValue(node: ValueNode): PlainValue {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'list':
      return node.items.map(plainValue);
    case 'param':
      throw new Error(`parameter "${node.name}" was not folded`);
  }
}

/** A plain JSON value as a value node. */
export function valueNodeOf(value: PlainValue): ValueNode {
  return Array.isArray(value) ? ListNode.create(value.map(valueNodeOf)) : LiteralNode.create(value as JsonScalar);
}
