import { describe, expect, it } from 'vitest';
import { KeyedMutex } from '../../src/scheduling/keyed-mutex.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('keyed mutex', () => {
  it('makes a second holder of a key wait until the first releases it, in arrival order', async () => {
    const mutex = new KeyedMutex<string>();
    const order: string[] = [];
    const first = await mutex.lock(['a']);
    const second = mutex.lock(['a']).then((release) => (order.push('second'), release));
    const third = mutex.lock(['a']).then((release) => (order.push('third'), release));
    const other = await mutex.lock(['b']);
    await tick();
    expect(order).toEqual([]);
    first();
    (await second)();
    (await third)();
    other();
    expect(order).toEqual(['second', 'third']);
    expect([mutex.isLocked('a'), mutex.isLocked('b')]).toEqual([false, false]);
  });

  it('runs overlapping sets one at a time, never both at once, and does not deadlock', async () => {
    const mutex = new KeyedMutex<string>();
    let inside = 0;
    let most = 0;
    const work = (keys: string[]) =>
      mutex.withLock(keys, async () => {
        most = Math.max(most, ++inside);
        await tick();
        inside--;
      });
    await Promise.all([work(['a', 'b']), work(['b', 'a']), work(['c', 'a']), work(['b'])]);
    expect(most).toBe(1);
  });

  it('frees the keys when the work throws, and ignores a second release', async () => {
    const mutex = new KeyedMutex<string>();
    await expect(mutex.withLock(['a'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(mutex.isLocked('a')).toBe(false);
    const first = await mutex.lock(['a']);
    first();
    const second = await mutex.lock(['a']);
    first();
    expect(mutex.isLocked('a')).toBe(true);
    second();
  });
});
