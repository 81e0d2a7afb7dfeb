import type { Me, Role } from '../api/auth';
import type { SegmentMethod } from '../api/segments';
import { roleAllows, type Access } from '../../../src/domain/access/principal';

/** What a segment must tell for the ownership check: its method and (when the server sends it) who made it. */
interface SegmentLike {
  readonly method: SegmentMethod;
  /** The user who made a manager's own manual segment. */
  readonly ownerUserId?: string | null;
}

/**
 * What the signed-in user may do, as the server decides it (docs/security.md): the UI offers only
 * these actions, so nobody is shown a button that answers 403. The server checks every request
 * anyway; this is the one place the screens ask.
 */
export interface Permissions {
  readonly role: Role;
  /** Users, API keys, the audit log. */
  readonly administer: boolean;
  /** Loading data from files (imports). */
  readonly importData: boolean;
  /** The methods a new segment may have: every one, or only manual for a manager. */
  readonly segmentMethods: readonly SegmentMethod[];
  /** Agreements, discounts, tables, shipment bans, limits, campaigns: create, change, delete. */
  readonly editTerms: boolean;
  /** Analytics settings, recalculation, matrices and the segments made from them. */
  readonly editAnalytics: boolean;
  /** Whether a saved segment may be changed (saved, generated, filled, archived, deleted). */
  editSegment(segment: SegmentLike): boolean;
  /** Whether a route that needs `access` may be called. */
  reaches(access: Access): boolean;
}

export function permissionsOf(me: Pick<Me, 'id' | 'role'>): Permissions {
  const analyst = roleAllows(me.role, 'analyst');
  return {
    role: me.role,
    administer: me.role === 'admin',
    importData: analyst,
    segmentMethods: analyst ? ['dynamic', 'periodic', 'manual'] : ['manual'],
    editTerms: analyst,
    editAnalytics: analyst,
    // A manager keeps own manual segments; a segment without a known owner is someone else's.
    editSegment: (segment) => analyst || (segment.method === 'manual' && segment.ownerUserId != null && segment.ownerUserId === me.id),
    reaches: (access) => roleAllows(me.role, access),
  };
}
