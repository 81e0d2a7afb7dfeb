/**
 * What the API walks of test/access-scope and test/access-rls-requests need besides segments, on
 * the analytics fixture: RFM and renew scores, a matrix, an open agreement and a shipment ban on
 * `banSegment`, a default price type with a price of product g1, so every analytics view and the
 * terms and prices routes have rows to show.
 */
import { AS_OF } from '../analytics-fixture.js';

type Send = (method: 'POST' | 'PUT', url: string, payload?: object) => Promise<unknown>;

export async function addScoresMatrixAndTerms(send: Send, banSegment: string): Promise<void> {
  await send('POST', '/api/analytics/rfm/refresh', { asOf: AS_OF });
  await send('PUT', '/api/analytics/renew/settings', { properties: ['brandStrength', 'orderAttractiveness', 'refusalStatus'] });
  await send('POST', '/api/analytics/renew/refresh', {});
  await send('PUT', '/api/analytics/matrices/act', {
    name: 'Activity',
    x: { label: 'Activity', source: { property: 'activity' }, threshold: 3 },
    y: { label: 'Revenue', source: { score: 'rfm.monetary' }, threshold: 1000 },
  });
  await send('POST', '/api/price-types', { id: 'retail', name: 'Retail', isDefault: true });
  await send('PUT', '/api/prices', { priceTypeId: 'retail', productId: 'g1', validFrom: '2020-01-01', price: 100 });
  await send('POST', '/api/agreements', { id: 'open', name: 'Open to all' });
  await send('POST', '/api/shipment-bans', { id: 'ban', name: 'Ban', segmentId: banSegment });
}
