import { amoSection } from './amo.bench.js';
import { authBench } from './auth.bench.js';
import { b24Section } from './b24.bench.js';
import type { BenchSection } from './bench-section.js';
import { deleteSection } from './delete.bench.js';
import { demoSection } from './demo.bench.js';
import { eventsBench } from './events.bench.js';
import { importSection } from './import.bench.js';
import { incrementalSection } from './incremental.bench.js';
import { onecSection } from './onec.bench.js';
import { onePartnerSection } from './one-partner.bench.js';
import { refreshSection } from './refresh.bench.js';
import { reportsBench } from './reports.bench.js';
import { termsBench } from './terms.bench.js';

/** Every benchmark section, in the order `npm run bench` runs them (demo first: it makes the cached demo). */
export const SECTIONS: BenchSection[] = [
  demoSection,
  importSection,
  refreshSection,
  onePartnerSection,
  termsBench,
  reportsBench,
  authBench,
  eventsBench,
  onecSection,
  incrementalSection,
  deleteSection,
  b24Section,
  amoSection,
];
