import { AppError } from '../../errors/app-error.js';
import { compositionReport } from './composition.report.js';
import { csiNpsReport } from './csi-nps.report.js';
import { intersectionsReport } from './intersections.report.js';
import { lifecycleReport } from './lifecycle.report.js';
import { matrixScatterReport } from './matrix-scatter.report.js';
import { membershipHistoryReport } from './membership-history.report.js';
import { partnerSalesReport } from './partner-sales.report.js';
import type { ReportDefinition } from './report.js';
import { renewRankingReport } from './renew-ranking.report.js';
import { rfmGridReport } from './rfm-grid.report.js';
import { segmentSalesReport } from './segment-sales.report.js';
import { settlementsReport } from './settlements.report.js';

export * from './report.js';

/** Every report, by name: the API registers a route for each, the CLI runs them by name. */
export const REPORTS: readonly ReportDefinition[] = [
  segmentSalesReport,
  intersectionsReport,
  settlementsReport,
  compositionReport,
  membershipHistoryReport,
  rfmGridReport,
  matrixScatterReport,
  csiNpsReport,
  renewRankingReport,
  lifecycleReport,
  partnerSalesReport,
] as readonly ReportDefinition[];

export function findReport(name: string): ReportDefinition {
  const report = REPORTS.find((r) => r.name === name);
  if (!report) throw new AppError('REPORT_NOT_FOUND', { name, known: REPORTS.map((r) => r.name).join(', ') });
  return report;
}
