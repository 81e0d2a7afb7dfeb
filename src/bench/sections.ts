import type { BenchSection } from './bench-section.js';
import { reportsBench } from './reports.bench.js';

/** Every benchmark section `npm run bench` runs, in order. */
export const SECTIONS: BenchSection[] = [reportsBench];
