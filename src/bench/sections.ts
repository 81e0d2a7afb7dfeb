import type { BenchSection } from './bench-section.js';
import { refreshSection } from './refresh.bench.js';

/** Every benchmark section, in the order `npm run bench` runs them. */
export const SECTIONS: BenchSection[] = [refreshSection];
