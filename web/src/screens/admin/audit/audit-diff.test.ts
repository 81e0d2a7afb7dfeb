import { describe, expect, it } from 'vitest';
import { actionColor, changesOf, shown } from './audit-diff';

describe('what an audited write changed', () => {
  it('lists only the fields that differ, nested ones by their path', () => {
    const before = { id: 'vip', name: 'VIP', rule: { attr: 'region', op: 'eq', value: 'perm' }, tags: ['a'] };
    const after = { id: 'vip', name: 'VIP клиенты', rule: { attr: 'region', op: 'in', value: 'perm' }, tags: ['a', 'b'] };
    expect(changesOf(before, after)).toEqual([
      { path: 'name', before: 'VIP', after: 'VIP клиенты' },
      { path: 'rule.op', before: 'eq', after: 'in' },
      { path: 'tags', before: ['a'], after: ['a', 'b'] },
    ]);
  });

  it('shows a create as every field added and a delete as every field removed', () => {
    expect(changesOf(null, { id: 'x', percent: 5 })).toEqual([
      { path: 'id', before: undefined, after: 'x' },
      { path: 'percent', before: undefined, after: 5 },
    ]);
    expect(changesOf({ id: 'x' }, null)).toEqual([{ path: 'id', before: 'x', after: undefined }]);
  });

  it('tells a field that appeared or went away from one set to null', () => {
    expect(changesOf({ a: 1, b: null }, { a: 1, c: null })).toEqual([
      { path: 'b', before: null, after: undefined },
      { path: 'c', before: undefined, after: null },
    ]);
  });

  it('finds nothing when the states are the same', () => {
    expect(changesOf({ a: { b: [1, 2] } }, { a: { b: [1, 2] } })).toEqual([]);
    expect(changesOf(null, null)).toEqual([]);
  });

  it('shows strings as they are and the rest as JSON', () => {
    expect(shown('текст')).toBe('текст');
    expect(shown(5)).toBe('5');
    expect(shown({ a: [1] })).toBe('{"a":[1]}');
  });
});

describe('the colour of an action', () => {
  it('tells creates, changes and deletes apart, and leaves the rest grey', () => {
    expect([actionColor('create'), actionColor('update'), actionColor('delete'), actionColor('segment.delete'), actionColor('login')]).toEqual(['teal', 'blue', 'red', 'red', 'gray']);
  });
});
