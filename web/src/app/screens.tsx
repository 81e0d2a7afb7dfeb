import { IconChartBar, IconChartPie, IconDatabaseImport, IconFileImport, IconHistory, IconKey, IconReceipt2, IconUserCog, IconUsers, IconWebhook, type Icon } from '@tabler/icons-react';
// Tasks and mail (issue 22).
import { IconChecklist, IconMail, IconReportAnalytics } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Navigate } from 'react-router';
import type { Messages } from '../i18n/locales/ru';
import type { Access } from '../../../src/domain/access/principal';
import { lazyPage } from './lazy-page';

// Each page is loaded when first opened (a chunk of its own): lazyPage(() => import(file), 'ExportName').
const PartnerCardPage = lazyPage(() => import('../screens/partners/PartnerCardPage'), 'PartnerCardPage');
const PartnersListPage = lazyPage(() => import('../screens/partners/PartnersListPage'), 'PartnersListPage');
const SegmentCardPage = lazyPage(() => import('../screens/segments/card/SegmentCardPage'), 'SegmentCardPage');
const SegmentsListPage = lazyPage(() => import('../screens/segments/SegmentsListPage'), 'SegmentsListPage');
const AnalyticsPage = lazyPage(() => import('../screens/analytics/AnalyticsPage'), 'AnalyticsPage');
const SalesTermsPage = lazyPage(() => import('../screens/terms/SalesTermsPage'), 'SalesTermsPage');
const ImportPage = lazyPage(() => import('../screens/import/ImportPage'), 'ImportPage');
const UsersPage = lazyPage(() => import('../screens/admin/users/UsersPage'), 'UsersPage');
const ApiKeysPage = lazyPage(() => import('../screens/admin/keys/ApiKeysPage'), 'ApiKeysPage');
const EventsPage = lazyPage(() => import('../screens/events/EventsPage'), 'EventsPage');
const SubscriptionCardPage = lazyPage(() => import('../screens/events/SubscriptionCardPage'), 'SubscriptionCardPage');
const AuditLogPage = lazyPage(() => import('../screens/admin/audit/AuditLogPage'), 'AuditLogPage');
const MyTasksPage = lazyPage(() => import('../screens/tasks/MyTasksPage'), 'MyTasksPage');
const TaskControlPage = lazyPage(() => import('../screens/tasks/TaskControlPage'), 'TaskControlPage');
const MailSettingsPage = lazyPage(() => import('../screens/admin/mail/MailSettingsPage'), 'MailSettingsPage');
const SourcesPage = lazyPage(() => import('../screens/admin/sources/SourcesPage'), 'SourcesPage');

/** A section of the app: one entry in the navigation and its pages. */
export interface Section {
  /** URL prefix of the section, e.g. 'partners' → /partners. */
  readonly path: string;
  /** Its name in the navigation: a key of `nav` in the locale files. */
  readonly navKey: keyof Messages['nav'];
  readonly icon: Icon;
  /**
   * The least role that may open it (the server's `config.access` of its routes); the navigation
   * hides it from the others and its pages answer "no access". Every section needs sign-in.
   */
  readonly access?: Access;
  /** The section's pages, relative to its path ('' is the section's index). */
  readonly pages: readonly { readonly path: string; readonly element: ReactNode }[];
}

/**
 * Every section, in navigation order. To add a screen: write it under screens/, then add a page
 * here (or a section, with its `nav` text in both locale files). The router and the navigation
 * are built from this list.
 */
export const SECTIONS: readonly Section[] = [
  // Tasks for managers (issue 22): a manager's home screen; the head of sales controls them.
  { path: 'tasks', navKey: 'tasks', icon: IconChecklist, pages: [{ path: '', element: <MyTasksPage /> }] },
  { path: 'task-control', navKey: 'taskControl', icon: IconReportAnalytics, access: 'analyst', pages: [{ path: '', element: <TaskControlPage /> }] },
  {
    path: 'segments',
    navKey: 'segments',
    icon: IconChartPie,
    pages: [
      { path: '', element: <SegmentsListPage /> },
      { path: 'new', element: <SegmentCardPage /> },
      { path: ':id', element: <SegmentCardPage /> },
    ],
  },
  {
    path: 'partners',
    navKey: 'partners',
    icon: IconUsers,
    pages: [
      { path: '', element: <PartnersListPage /> },
      { path: ':id', element: <PartnerCardPage /> },
    ],
  },
  {
    path: 'analytics',
    navKey: 'analytics',
    icon: IconChartBar,
    pages: [
      { path: '', element: <Navigate to="rfm" replace /> },
      { path: 'rfm', element: <AnalyticsPage tab="rfm" /> },
      { path: 'matrix', element: <AnalyticsPage tab="matrix" /> },
      { path: 'csi', element: <AnalyticsPage tab="csi" /> },
      { path: 'lifecycle', element: <AnalyticsPage tab="lifecycle" /> },
      { path: 'renew', element: <AnalyticsPage tab="renew" /> },
    ],
  },
  {
    path: 'sales-terms',
    navKey: 'salesTerms',
    icon: IconReceipt2,
    pages: [
      { path: '', element: <SalesTermsPage /> },
      { path: ':tab', element: <SalesTermsPage /> },
      { path: 'tables/:tableId', element: <SalesTermsPage /> },
    ],
  },
  {
    path: 'events',
    navKey: 'events',
    icon: IconWebhook,
    access: 'analyst',
    pages: [
      { path: '', element: <EventsPage /> },
      { path: ':id', element: <SubscriptionCardPage /> },
    ],
  },
  // Who may import: POST /api/import/{entity} needs the analyst role (src/api/routes/import.routes.ts).
  { path: 'import', navKey: 'import', icon: IconFileImport, access: 'analyst', pages: [{ path: '', element: <ImportPage /> }] },
  // Administration: below the rest of the navigation, under its own heading.
  { path: 'admin/users', navKey: 'users', icon: IconUserCog, access: 'admin', pages: [{ path: '', element: <UsersPage /> }] },
  { path: 'admin/keys', navKey: 'apiKeys', icon: IconKey, access: 'admin', pages: [{ path: '', element: <ApiKeysPage /> }] },
  { path: 'admin/sources', navKey: 'sources', icon: IconDatabaseImport, access: 'admin', pages: [{ path: '', element: <SourcesPage /> }] },
  { path: 'admin/mail', navKey: 'mail', icon: IconMail, access: 'admin', pages: [{ path: '', element: <MailSettingsPage /> }] },
  { path: 'admin/audit', navKey: 'audit', icon: IconHistory, access: 'admin', pages: [{ path: '', element: <AuditLogPage /> }] },
];

/** Where `/` leads: the segments, as 1C's CRM section opens on them. */
export const HOME_PATH = '/segments';
/** A manager's home screen: their tasks (issue 22). */
export const MANAGER_HOME_PATH = '/tasks';
