import { describe, expect, it } from 'vitest';
import { KeyedLocks } from '../../src/scheduling/keyed-locks.js';

const busy = (key: string) => new Error(`${key} is running`);

describe('keyed locks', () => {
  it('claims several keys at once and gives them back', () => {
    const locks = new KeyedLocks<string>();
    const release = locks.claim(['a', 'b', 'a'], busy);
    expect([locks.isHeld('a'), locks.isHeld('b'), locks.isHeld('c')]).toEqual([true, true, false]);
    release();
    expect([locks.isHeld('a'), locks.isHeld('b')]).toEqual([false, false]);
  });

  it('claims all or none: one key held refuses the lot and claims nothing', () => {
    const locks = new KeyedLocks<string>();
    const releaseB = locks.claim(['b'], busy);
    expect(() => locks.claim(['a', 'b', 'c'], busy)).toThrow('b is running');
    expect(locks.tryClaim(['c', 'b'])).toBeNull();
    expect([locks.isHeld('a'), locks.isHeld('c')]).toEqual([false, false]);
    releaseB();
    expect(locks.tryClaim(['a', 'b', 'c'])).not.toBeNull();
  });

  it('ignores a second release, so it cannot free a later claim of the same key', () => {
    const locks = new KeyedLocks<string>();
    const first = locks.claim(['a'], busy);
    first();
    const second = locks.claim(['a'], busy);
    first();
    expect(locks.isHeld('a')).toBe(true);
    second();
    expect(locks.isHeld('a')).toBe(false);
  });

  it('keeps each set of locks its own', () => {
    const [segments, scores] = [new KeyedLocks<string>(), new KeyedLocks<string>()];
    segments.claim(['rfm'], busy);
    expect(scores.tryClaim(['rfm'])).not.toBeNull();
  });
});
