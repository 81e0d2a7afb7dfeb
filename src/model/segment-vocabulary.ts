/**
 * The fixed words of segments (SPEC §2). Plain constants with no imports: the server's
 * schemas and the web UI both read them, so each list is written once.
 */

export const SEGMENT_METHODS = ['dynamic', 'periodic', 'manual'] as const;
export type SegmentMethod = (typeof SEGMENT_METHODS)[number];

export const SEGMENT_KINDS = ['partner', 'product'] as const;
export type SegmentKind = (typeof SEGMENT_KINDS)[number];

/** What the segment list says of a segment's state (see segment-status.ts). */
export const SEGMENT_STATUSES = ['ready', 'never generated', 'generating', 'failed', 'computed on read', 'archived'] as const;
export type SegmentStatusName = (typeof SEGMENT_STATUSES)[number];

/** How a page of members is ordered: by id, or by name (then id, so pages never overlap). */
export const MEMBER_SORTS = ['id', 'name'] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];
