import type { Migration } from '../migrate.js';
import { initialSchema } from './001-initial.js';
import { segmentsSchema } from './002-segments.js';
import { segmentRuns } from './003-segment-runs.js';
import { salesTermsSchema } from './004-sales-terms.js';
import { analyticsSchema } from './005-analytics.js';
import { refreshIndexes } from './006-refresh-indexes.js';
import { noIndexesOnRewrittenTables } from './007-no-indexes-on-rewritten-tables.js';
import { customSqlRole } from './008-custom-sql-role.js';
import { accessSchema } from './009-access.js';
import { rowLevelSecurity } from './010-row-level-security.js';
import { auditLog } from './011-audit-log.js';
import { connectorsSchema } from './012-connectors.js';
import { segmentEvents } from './013-segment-events.js';
import { pricesSchema } from './014-prices.js';
import { importMappings } from './015-import-mappings.js';
import { scopedPriceReads } from './016-scoped-price-reads.js';
import { connectorSegments } from './017-connector-segments.js';
import { crmTasks } from './018-crm-tasks.js';
import { measureBases } from './019-measure-bases.js';
import { tasksSchema } from './020-tasks.js';
import { mailingsSchema } from './021-mailings.js';
import { segmentFolders } from './022-segment-folders.js';
import { partnerChanges } from './023-partner-changes.js';
import { eventPublications } from './025-event-publications.js';
import { memberKeys } from './026-member-keys.js';

/** Every migration, in version order. Never edit a released one: add the next. */
export const MIGRATIONS: readonly Migration[] = [
  initialSchema,
  segmentsSchema,
  segmentRuns,
  salesTermsSchema,
  analyticsSchema,
  refreshIndexes,
  noIndexesOnRewrittenTables,
  customSqlRole,
  accessSchema,
  rowLevelSecurity,
  auditLog,
  connectorsSchema,
  segmentEvents,
  pricesSchema,
  importMappings,
  scopedPriceReads,
  connectorSegments,
  crmTasks,
  measureBases,
  tasksSchema,
  mailingsSchema,
  segmentFolders,
  partnerChanges,
  eventPublications,
  memberKeys,
];
