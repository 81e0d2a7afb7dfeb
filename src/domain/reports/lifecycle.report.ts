import { z } from 'zod';
import { LIFECYCLE_NAMES, LIFECYCLE_STAGES, lifecycleSummary } from '../analytics/lifecycle.js';
import { column, defineReport, fullTable } from './report.js';
import { asOfParam } from './report-params.js';

/** How many partners each lifecycle stage holds on a date (its rule evaluated; docs/analytics.md). */
export const lifecycleReport = defineReport({
  name: 'lifecycle',
  title: 'Lifecycle: current, refused, churned',
  description: 'Partners per lifecycle stage on a date, by the configured rules',
  params: z.object({ asOf: asOfParam }),
  async run(db, scope, params) {
    const summary = await lifecycleSummary(db, scope, params.asOf);
    return {
      parameters: { asOf: summary.asOf },
      summary: { months: summary.settings.months, ...summary.counts },
      tables: [
        fullTable(
          'stages',
          'Stages',
          [column('stage', 'Stage'), column('name', 'Name'), column('partners', 'Partners', 'integer'), column('rule', 'Rule')],
          LIFECYCLE_STAGES.map((stage) => ({ stage, name: LIFECYCLE_NAMES[stage].en, partners: summary.counts[stage], rule: JSON.stringify(summary.rules[stage]) })),
        ),
      ],
    };
  },
});
