/** The demo company: `loadDemo` fills an empty database, `createDemoSegments` adds ready-made segments. */
export { loadDemo, type DemoProgress, type DemoSummary, type LoadDemoOptions } from './load-demo.js';
export { createDemoSegments, DEMO_SEGMENTS, type DemoSegmentsResult } from './demo-segments.js';
export { DEFAULT_DEMO_PARTNERS, SALES_PER_PARTNER, type DemoOptions } from './demo-plan.js';
