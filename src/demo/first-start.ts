import { isAppError } from '../errors/app-error.js';
import type { SegmentService } from '../domain/segments/segments.service.js';
import { createDemoSegments } from './demo-segments.js';
import { loadDemo } from './load-demo.js';

/**
 * On a server's first start — a database without partners — loads the demo company and its
 * segments, so a fresh `npm start` has something to show. `SEGMENTA_NO_DEMO=1` starts empty.
 * Returns the one line to log.
 */
export async function loadDemoOnFirstStart(segments: SegmentService, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const { db } = segments;
  if (env.SEGMENTA_NO_DEMO === '1') return undefined;
  if ((await db.query('SELECT 1 AS x FROM partners LIMIT 1')).length) return undefined;
  try {
    const demo = await loadDemo(db);
    const created = await createDemoSegments(segments);
    const seconds = demo.seconds + created.seconds;
    return `Loaded the demo company into the empty database (${demo.partners.toLocaleString('en-US')} partners, ${demo.sales.toLocaleString('en-US')} sale lines, ${created.created.length} segments) in ${seconds.toFixed(1)} s; SEGMENTA_NO_DEMO=1 starts empty`;
  } catch (error) {
    if (isAppError(error) && error.code === 'DEMO_DATABASE_NOT_EMPTY') return `Not loading the demo company: ${error.message}`;
    throw error;
  }
}
