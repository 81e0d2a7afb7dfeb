import type { BenchSection } from './bench-section.js';
import { termsBench } from './terms.bench.js';

/** Every benchmark section `npm run bench` runs, in order. */
export const SECTIONS: BenchSection[] = [termsBench];
