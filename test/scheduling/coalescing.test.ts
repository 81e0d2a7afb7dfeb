import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeAfter, closeAtOnce, closeWhenJoined, Coalescer } from '../../src/scheduling/coalescing.js';

/** A batch runner that records the batches it was given. */
function recorder() {
  const batches: string[][] = [];
  const run = async (keys: string[]) => {
    batches.push(keys);
    return `batch ${batches.length}: ${keys.join(', ')}`;
  };
  return { batches, run };
}

describe('coalescing', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the keys that join before the window closes as one batch, and gives each the outcome', async () => {
    const { batches, run } = recorder();
    const due = new Coalescer(run, closeWhenJoined(3));
    const outcomes = await Promise.all([due.add('a'), due.add('b'), due.add('c')]);
    expect(batches).toEqual([['a', 'b', 'c']]);
    expect(outcomes).toEqual(['batch 1: a, b, c', 'batch 1: a, b, c', 'batch 1: a, b, c']);
  });

  it('opens a new batch for a key that comes after the window closed', async () => {
    const { batches, run } = recorder();
    const due = new Coalescer(run, closeWhenJoined(2));
    const first = Promise.all([due.add('a'), due.add('b')]);
    const late = due.add('c');
    due.add('d').catch(() => undefined);
    await first;
    await late;
    expect(batches).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('counts a key once when it joins a batch twice', async () => {
    const { batches, run } = recorder();
    const due = new Coalescer(run, closeWhenJoined(2));
    const twice = [due.add('a'), due.add('a')];
    await Promise.all([...twice, due.add('b')]);
    expect(batches).toEqual([['a', 'b']]);
  });

  it('makes every key a batch of its own when the window closes at once', async () => {
    const { batches, run } = recorder();
    const due = new Coalescer(run, closeAtOnce);
    await Promise.all([due.add('a'), due.add('b')]);
    expect(batches).toEqual([['a'], ['b']]);
  });

  it('closes a timed window that long after the first key joined', async () => {
    vi.useFakeTimers();
    const { batches, run } = recorder();
    const due = new Coalescer(run, closeAfter(50));
    const a = due.add('a');
    await vi.advanceTimersByTimeAsync(49);
    const b = due.add('b');
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await Promise.all([a, b])).toEqual(['batch 1: a, b', 'batch 1: a, b']);
    const c = due.add('c');
    await vi.advanceTimersByTimeAsync(50);
    expect(await c).toBe('batch 2: c');
  });

  it('rejects every key of a batch that failed, and the next batch runs', async () => {
    let fail = true;
    const due = new Coalescer(async (keys: string[]) => {
      if (fail) throw new Error(`refresh of ${keys.join(', ')} failed`);
      return keys.length;
    }, closeWhenJoined(2));
    const failed = [due.add('a'), due.add('b')];
    for (const outcome of failed) await expect(outcome).rejects.toThrow('refresh of a, b failed');
    fail = false;
    expect(await Promise.all([due.add('a'), due.add('b')])).toEqual([2, 2]);
  });
});
