import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api/client';

/** The server's refusals of a segment a sales term names (docs/sales-terms.md, the segment guard). */
const SEGMENT_REFUSALS = ['SEGMENT_DYNAMIC_NOT_ALLOWED', 'SEGMENT_ARCHIVED_NOT_ALLOWED', 'SEGMENT_KIND_NOT_ALLOWED', 'SEGMENT_REFERENCE_MISSING'] as const;
type SegmentRefusal = (typeof SEGMENT_REFUSALS)[number];

const isRefusal = (code: string): code is SegmentRefusal => (SEGMENT_REFUSALS as readonly string[]).includes(code);

/** The segment a refusal is about, or null when the error is something else. */
export function refusedSegmentId(error: unknown): string | null {
  if (!(error instanceof ApiError) || !isRefusal(error.code)) return null;
  const id = error.details.id;
  return typeof id === 'string' ? id : null;
}

/**
 * The refusal of a segment, said at the field that names it: `(error, segmentId)` gives the
 * translated reason when the error is about that segment, else null (the form shows it whole).
 */
export function useSegmentRefusal() {
  const { t } = useTranslation();
  return (error: unknown, segmentId: string | null | undefined): string | null => {
    if (!segmentId || !(error instanceof ApiError) || !isRefusal(error.code) || refusedSegmentId(error) !== segmentId) return null;
    const name = typeof error.details.name === 'string' ? error.details.name : segmentId;
    const kindName = (kind: unknown) => (kind === 'product' ? t('terms.segmentKinds.product') : t('terms.segmentKinds.partner'));
    return t(`terms.segmentRefusals.${error.code}`, { name, id: segmentId, kind: kindName(error.details.kind), expected: kindName(error.details.expected) });
  };
}
