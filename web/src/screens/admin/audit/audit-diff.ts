/** One field an audited write changed: its path in the entity ('rule.op', 'percent') and the values either side. */
export interface FieldChange {
  readonly path: string;
  /** undefined: the field did not exist on that side (created, or removed). */
  readonly before: unknown;
  readonly after: unknown;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Leaves of a JSON value by path; arrays and scalars are leaves (a list is shown whole when it changed). */
function leaves(value: unknown, prefix: string, into: Map<string, unknown>): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, into);
    return;
  }
  into.set(prefix, value);
}

/**
 * What changed between an entity's state before and after a write, field by field, in the order
 * the fields appear (before's first, then the ones only after has). A create has no before
 * (null), a delete no after: every field shows as added or removed.
 */
export function changesOf(before: unknown, after: unknown): FieldChange[] {
  const old = new Map<string, unknown>();
  const next = new Map<string, unknown>();
  if (before !== null && before !== undefined) leaves(before, '', old);
  if (after !== null && after !== undefined) leaves(after, '', next);
  const paths = [...new Set([...old.keys(), ...next.keys()])];
  return paths
    .filter((path) => !(old.has(path) && next.has(path) && JSON.stringify(old.get(path)) === JSON.stringify(next.get(path))))
    .map((path) => ({ path, before: old.get(path), after: next.get(path) }));
}

const ACTION_COLORS: Record<string, string> = { create: 'teal', update: 'blue', delete: 'red' };

/** A colour for an action's badge: green for a create, blue for a change, red for a delete (by its name), grey otherwise. */
export function actionColor(action: string): string {
  return ACTION_COLORS[action] ?? Object.entries(ACTION_COLORS).find(([key]) => action.toLowerCase().includes(key))?.[1] ?? 'gray';
}

/** A value in a cell: strings as they are, everything else as JSON. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
