import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshRfm, saveRfmSettings } from '../src/domain/analytics/rfm.js';
import type { Database } from '../src/storage/database.js';
import { AS_OF, loadAnalyticsCompany } from './analytics-fixture.js';
import { ENGINES } from './engines.js';

async function scores(db: Database, name: string): Promise<Record<string, number>> {
  const rows = await db.query<{ partner_id: string; value: number }>('SELECT partner_id, value FROM partner_scores WHERE score = $1 ORDER BY partner_id', [name]);
  return Object.fromEntries(rows.map((r) => [r.partner_id, Number(r.value)]));
}

describe.each(ENGINES)('RFM on $name', (engine) => {
  let db: Database;
  beforeAll(async () => {
    db = await engine.create();
    await loadAnalyticsCompany(db);
  });
  afterAll(async () => db?.close());

  it('scores the customers with purchases in the window, 1–5 by quantile with ties sharing a score', async () => {
    const result = await refreshRfm(db, { asOf: AS_OF, trigger: 'api' });
    expect(result).toMatchObject({ asOf: AS_OF, bins: 5, scored: 5, window: { from: '2024-07-01', to: '2025-06-30' } });
    // Raw values, by hand from the fixture.
    expect(await scores(db, 'rfm.recency')).toEqual({ c1: 10, c2: 10, c3: 166, c4: 241, c5: 29 });
    expect(await scores(db, 'rfm.frequency')).toEqual({ c1: 3, c2: 1, c3: 2, c4: 4, c5: 1 });
    expect(await scores(db, 'rfm.monetary')).toEqual({ c1: 3500, c2: 300, c3: 6000, c4: 800, c5: 500 });
    // score = 1 + floor(5 × worse / 5) = 1 + worse, worse = customers with a strictly worse value.
    // Recency (more days is worse): c1, c2 have 3 worse (c3, c4, c5) → 4; c5: 2 → 3; c3: 1 → 2; c4: 0 → 1.
    expect(await scores(db, 'rfm.r')).toEqual({ c1: 4, c2: 4, c3: 2, c4: 1, c5: 3 });
    // Frequency: c2, c5 (1) → 1; c3 (2): 2 worse → 3; c1 (3): 3 → 4; c4 (4): 4 → 5.
    expect(await scores(db, 'rfm.f')).toEqual({ c1: 4, c2: 1, c3: 3, c4: 5, c5: 1 });
    // Monetary: 300 c2 → 1, 500 c5 → 2, 800 c4 → 3, 3500 c1 → 4, 6000 c3 → 5.
    expect(await scores(db, 'rfm.m')).toEqual({ c1: 4, c2: 1, c3: 5, c4: 3, c5: 2 });
    expect(await scores(db, 'rfm.code')).toEqual({ c1: 444, c2: 411, c3: 235, c4: 153, c5: 312 });
  });

  it('takes the number of bins from the settings', async () => {
    await saveRfmSettings(db, { bins: 3 });
    await refreshRfm(db, { asOf: AS_OF, trigger: 'api' });
    // 1 + floor(3 × worse / 5): worse 3 → 2, 2 → 2, 1 → 1, 0 → 1.
    expect(await scores(db, 'rfm.r')).toEqual({ c1: 2, c2: 2, c3: 1, c4: 1, c5: 2 });
    await saveRfmSettings(db, { bins: 5 });
  });
});
