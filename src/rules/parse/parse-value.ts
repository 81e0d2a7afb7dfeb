import { ListNode, LiteralNode, ParamNode, type ValueNode } from '../ast/value-node.js';
import { describeJson, pathIndex, type RuleIssue } from '../issues/rule-issue.js';

export const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{"param": "name"}`, and nothing else in the object. */
export const isParamObject = (value: unknown): value is { param: unknown } => isPlainObject(value) && Object.hasOwn(value, 'param');

export interface ValueParseOptions {
  /** Parameter values themselves may not refer to parameters. */
  readonly allowParams: boolean;
}

/**
 * A JSON value of a rule as a value node. Shapes only: whether the value suits its operator
 * and attribute is the validator's business.
 */
export function parseValue(json: unknown, path: string, issues: RuleIssue[], options: ValueParseOptions = { allowParams: true }): ValueNode | undefined {
  if (json === null || typeof json === 'string' || typeof json === 'boolean') return LiteralNode.create(json);
  if (typeof json === 'number') {
    if (Number.isFinite(json)) return LiteralNode.create(json);
    issues.push({ code: 'invalid_value', path, expected: 'number', found: String(json) });
    return undefined;
  }
  if (Array.isArray(json)) {
    const items: ValueNode[] = [];
    json.forEach((item, i) => {
      const node = parseValue(item, pathIndex(path, i), issues, options);
      if (node) items.push(node);
    });
    return items.length === json.length ? ListNode.create(items) : undefined;
  }
  if (isParamObject(json) && options.allowParams) {
    const keys = Object.keys(json);
    if (typeof json.param === 'string' && json.param.length > 0 && keys.length === 1) return ParamNode.create(json.param);
    issues.push({ code: 'invalid_param', path, found: describeJson(json) });
    return undefined;
  }
  issues.push({ code: 'invalid_value', path, expected: 'scalar', found: describeJson(json) });
  return undefined;
}
