import { segmentInputSchema, type SegmentInput } from '../domain/segments/segment.schema.js';

/**
 * An empty manual partner segment to fill by hand (benches and their tests): every field not
 * given takes the API's default (segment.schema.ts), so the two cannot drift apart.
 */
export const manualSegment = (id: string, name: string): SegmentInput => segmentInputSchema.parse({ id, name, method: 'manual', rule: null });
