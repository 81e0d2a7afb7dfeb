import { describe, expect, it } from 'vitest';
import { permissionsOf } from './permissions';

describe('what each role is offered in the UI', () => {
  const admin = permissionsOf({ id: 'u1', role: 'admin' });
  const analyst = permissionsOf({ id: 'u2', role: 'analyst' });
  const manager = permissionsOf({ id: 'u3', role: 'manager' });

  it('gives the administration screens to admins only', () => {
    expect([admin.administer, analyst.administer, manager.administer]).toEqual([true, false, false]);
    expect([admin.reaches('admin'), analyst.reaches('admin'), manager.reaches('admin')]).toEqual([true, false, false]);
    expect(manager.reaches('manager')).toBe(true);
    expect(manager.reaches('analyst')).toBe(false);
  });

  it('lets analysts and admins change terms, analytics and imports, and not managers', () => {
    for (const p of [admin, analyst]) expect([p.editTerms, p.editAnalytics, p.importData]).toEqual([true, true, true]);
    expect([manager.editTerms, manager.editAnalytics, manager.importData]).toEqual([false, false, false]);
  });

  it('lets a manager create manual segments only, and change only own manual ones', () => {
    expect(manager.segmentMethods).toEqual(['manual']);
    expect(analyst.segmentMethods).toEqual(['dynamic', 'periodic', 'manual']);
    expect(manager.editSegment({ method: 'manual', ownerUserId: 'u3' })).toBe(true);
    expect(manager.editSegment({ method: 'manual', ownerUserId: 'u9' })).toBe(false);
    expect(manager.editSegment({ method: 'manual' })).toBe(false);
    expect(manager.editSegment({ method: 'periodic', ownerUserId: 'u3' })).toBe(false);
    expect(analyst.editSegment({ method: 'periodic', ownerUserId: null })).toBe(true);
  });
});
