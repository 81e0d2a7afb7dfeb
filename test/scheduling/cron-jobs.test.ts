import { afterEach, describe, expect, it, vi } from 'vitest';
import { CronJobs } from '../../src/scheduling/cron-jobs.js';

describe('cron jobs by key', () => {
  const jobs = new CronJobs<'rfm' | 'renew'>();
  afterEach(() => {
    jobs.stop();
    vi.useRealTimers();
  });

  it('keeps one job per key, replaced when the key is scheduled again', () => {
    jobs.set('rfm', '0 3 * * *', async () => undefined);
    expect(jobs.schedule('rfm')).toBe('0 3 * * *');
    expect(jobs.nextRun('rfm')?.getUTCMinutes()).toBe(0);
    jobs.set('rfm', 'every 600 seconds', async () => undefined);
    expect(jobs.schedule('rfm')).toBe('every 600 seconds');
    expect([jobs.schedule('renew'), jobs.nextRun('renew')]).toEqual([null, null]);
    jobs.delete('rfm');
    expect([jobs.schedule('rfm'), jobs.nextRun('rfm')]).toEqual([null, null]);
  });

  it('fires each job on its schedule with the moment it fired, until stopped', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T10:00:00Z') });
    const fired: string[] = [];
    jobs.set('renew', 'every 10 seconds', async (now) => {
      fired.push(now.toISOString());
    });
    await vi.advanceTimersByTimeAsync(25_000);
    expect(fired.length).toBeGreaterThanOrEqual(2);
    expect(fired.every((at) => at.startsWith('2026-01-01T10:00:'))).toBe(true);
    jobs.stop();
    const count = fired.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fired).toHaveLength(count);
    expect(jobs.nextRun('renew')).toBeNull();
  });
});
