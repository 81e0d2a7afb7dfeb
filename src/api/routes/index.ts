import type { RouteModule } from '../context.js';
import { analyticsRoutes } from './analytics.routes.js';
import { auditRoutes } from './audit.routes.js';
import { connectorsRoutes } from './connectors.routes.js';
import { authRoutes } from './auth.routes.js';
import { directoriesRoutes } from './directories.routes.js';
import { healthRoutes } from './health.routes.js';
import { importRoutes } from './import.routes.js';
import { jobsRoutes } from './jobs.routes.js';
import { partnersRoutes } from './partners.routes.js';
import { pricesRoutes } from './prices.routes.js';
import { productsRoutes } from './products.routes.js';
import { reportsRoutes } from './reports.routes.js';
import { ordersRoutes } from './orders.routes.js';
import { rulesRoutes } from './rules.routes.js';
import { segmentsRoutes } from './segments.routes.js';
import { subscriptionsRoutes } from './subscriptions.routes.js';
import { termsRoutes } from './terms.routes.js';
import { tasksRoutes } from './tasks.routes.js';
import { mailRoutes } from './mail.routes.js';
import { usersRoutes } from './users.routes.js';

/** Every domain's routes, registered under /api. Add each new domain's module here. */
export const ROUTE_MODULES: readonly RouteModule[] = [
  healthRoutes,
  authRoutes,
  usersRoutes,
  partnersRoutes,
  directoriesRoutes,
  importRoutes,
  segmentsRoutes,
  subscriptionsRoutes,
  rulesRoutes,
  termsRoutes,
  ordersRoutes,
  pricesRoutes,
  productsRoutes,
  analyticsRoutes,
  reportsRoutes,
  jobsRoutes,
  auditRoutes,
  connectorsRoutes,
  tasksRoutes,
  mailRoutes,
];
