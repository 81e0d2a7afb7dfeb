import { useCallback, useRef, useState } from 'react';
import { useGenerateSegments } from '../../../api/terms';
import { chunks } from './table-model';

/** Segments per request: three answer in a few hundred milliseconds on the demo company, even on a busy machine. */
const BATCH = 3;

export interface GenerationProgress {
  total: number;
  done: number;
  failed: string[];
  running: boolean;
  /** A request failed as a whole (the rest was not tried). */
  error: unknown;
}

/**
 * Generates the periodic segments a table made, a batch at a time, so that every request stays
 * short and the page can show how far it got.
 */
export function useSegmentGeneration() {
  const generate = useGenerateSegments();
  const [progress, setProgress] = useState<GenerationProgress | null>(null);
  const running = useRef(false);
  const run = useCallback(
    async (ids: readonly string[]) => {
      if (running.current || ids.length === 0) return;
      running.current = true;
      setProgress({ total: ids.length, done: 0, failed: [], running: true, error: null });
      try {
        for (const batch of chunks(ids, BATCH)) {
          const result = await generate.mutateAsync(batch);
          const failed = result.segments.filter((s) => s.status === 'failed').map((s) => s.segmentId);
          setProgress((p) => p && { ...p, done: p.done + batch.length, failed: [...p.failed, ...failed] });
        }
        setProgress((p) => p && { ...p, running: false });
      } catch (error) {
        setProgress((p) => p && { ...p, running: false, error });
      } finally {
        running.current = false;
        void generate.refreshSegmentLists();
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  return { progress, run };
}
