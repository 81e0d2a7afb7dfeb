import { AccessService, type AccessOptions } from '../domain/access/access.service.js';
import { SecretBox, type SecretKeySource } from '../domain/access/secret-box.js';
import { EventDispatcher, type DispatcherOptions } from '../domain/actions/dispatcher.js';
import { SubscriptionStore, subscriptionsWatchingSegment } from '../domain/actions/subscriptions.js';
import { TargetGuard } from '../domain/actions/target-guard.js';
import { webhookAction } from '../domain/actions/webhook-action.js';
import { crmTaskAction } from '../domain/actions/crm-task-action.js';
import { connectorPublishAction } from '../domain/actions/connector-publish-action.js';
import { ScoreScheduler } from '../domain/analytics/score-scheduler.js';
import { EventBus, type DomainEvents } from '../domain/events.js';
import { checkPartnersOnCreate } from '../domain/segments/check-on-create.js';
import type { CompositionListener } from '../domain/segments/compositions.js';
import { SegmentScheduler } from '../domain/segments/scheduler.js';
import { SegmentService, segmentsReadingSegment } from '../domain/segments/segments.service.js';
import { guardSegmentChange, termsUsingSegment } from '../domain/terms/segment-refs.js';
import { importFile, type ImportFileOptions } from '../import/import-file.js';
import type { ImportReport } from '../import/import-report.js';
import { importData, type ImportInput, type ImportOptions } from '../import/importer.js';
import { ConnectorService } from '../connectors/connectors.service.js';
import { emailAction } from '../domain/mail/email-action.js';
import { MailSettingsStore } from '../domain/mail/mail-settings.js';
import { Mailings } from '../domain/mail/mailings.js';
import { taskAction } from '../domain/tasks/task-action.js';
import { TaskStore } from '../domain/tasks/tasks.js';
import type { Database } from '../storage/database.js';
import { afterTransaction } from '../storage/transaction.js';

/**
 * The composition root: the one place the application is wired. The API, the CLI, the bench,
 * the demo and the tests all call createServices; each module's services, guards and listeners
 * are put together here, once, so no entry point can forget one (a segment a discount uses
 * cannot be deleted through any of them). A new module plugs in by subscribing to the domain
 * events below; none keeps a registry of its own.
 */

export interface ServicesOptions {
  /** Custom SQL segments may be saved (an administrator's setting: SEGMENTA_ALLOW_CUSTOM_SQL=1). */
  readonly allowCustomSql?: boolean;
  /**
   * Run segments and scores on their schedules (`segmenta serve`): the schedulers are made and
   * kept in step with every saved or deleted segment; the caller starts and stops them.
   */
  readonly schedules?: { readonly log: (message: string) => void };
  /** Users, keys and sessions: how long credentials stay cached, sign-in attempts per address. */
  readonly access?: AccessOptions;
  /** Connectors: their own key (tests); by default the server's one key, events.secretKey (docs/security.md). */
  readonly connectors?: { readonly secretKey?: SecretKeySource; readonly spoolRoot?: string };
  /** Segment events and their actions (docs/events.md). */
  readonly events?: EventsOptions;
}

export interface EventsOptions {
  /** The key sealing webhook secrets (SEGMENTA_SECRET_KEY, base64 of 32 bytes); without it no webhook can be created. */
  readonly secretKey?: string | null;
  /** Private addresses and ranges webhooks may reach (SEGMENTA_WEBHOOK_ALLOW); none by default. */
  readonly allowTargets?: readonly string[];
  /** The webhook time-out; 15 s. */
  readonly timeoutMs?: number;
  readonly dispatcher?: Omit<DispatcherOptions, 'handlers'>;
}

export interface Services {
  readonly db: Database;
  readonly events: EventBus<DomainEvents>;
  readonly segments: SegmentService;
  /** Users, API keys, sessions and signing in (docs/security.md). */
  readonly access: AccessService;
  /** The schedulers, when `schedules` was asked for; null otherwise. */
  readonly scheduler: SegmentScheduler | null;
  readonly scoreScheduler: ScoreScheduler | null;
  /** Event subscriptions (segments × event types → an action). */
  readonly subscriptions: SubscriptionStore;
  /** The delivery of segment events: `segmenta serve` starts it; tests call runOnce. */
  readonly dispatcher: EventDispatcher;
  /**
   * The listener to give a rebuild or a manual edit: it emits 'composition.changed' with the
   * ids; undefined while nobody listens, so no rebuild reads ids nobody hears.
   */
  compositionListener(): CompositionListener | undefined;
  /** Imports (see importData) that tell the 'facts.imported' event. */
  importData(input: ImportInput, options: ImportOptions): Promise<ImportReport>;
  importFile(path: string, options: ImportFileOptions): Promise<ImportReport>;
  /** Connections to 1C (later CRMs): syncs and published segments (src/connectors). */
  readonly connectors: ConnectorService;
  /** Tasks for managers inside Segmenta (docs/tasks-and-mailings.md). */
  readonly tasks: TaskStore;
  /** Notification mailings: SMTP settings, previews, test sends, opting out. */
  readonly mailings: Mailings;
}

export function createServices(db: Database, options: ServicesOptions = {}): Services {
  const events = new EventBus<DomainEvents>();
  const segments: SegmentService = new SegmentService(db, {
    events,
    usages: [segmentsReadingSegment, termsUsingSegment, subscriptionsWatchingSegment],
    // Segments a connector keeps from its system (1C's own) are changed there, not here.
    guardEdit: (id: string): Promise<void> => connectors.guardSegmentEdit(id),
    ...(options.allowCustomSql !== undefined ? { allowCustomSql: options.allowCustomSql } : {}),
  });
  const onCompositionChange: CompositionListener = (tx, change) => events.emit('composition.changed', { tx, change });
  const compositionListener = () => (events.has('composition.changed') ? onCompositionChange : undefined);
  const onImported = (tx: Parameters<CompositionListener>[0], imported: DomainEvents['facts.imported']['imported']) => events.emit('facts.imported', { tx, imported });

  // Sales terms: a segment they read cannot be archived; its rename reaches pricing.
  events.on('segment.changing', ({ before, after }) => guardSegmentChange(db, before, after));
  events.on('segment.changing', ({ before, after }) => connectors.guardSegmentChange(before, after));

  // Check on create: partners an import created or changed join the segments that ask for it.
  events.on('facts.imported', async ({ tx, imported }) => {
    if (imported.entity === 'partners') await checkPartnersOnCreate(tx, imported.changedIds, compositionListener(), db);
  });

  // Published segments: after the transaction that changed one commits, its members go out.
  // Listened to only while some segment is published (compositionListener() stays undefined otherwise).
  let unwatch: (() => void) | null = null;
  const onPublishing = (active: boolean) => {
    if (active && !unwatch) {
      unwatch = events.on('composition.changed', async ({ tx, change }) => {
        if (!(await connectors.isPublished(tx, change.segmentId))) return;
        if (!afterTransaction(tx, () => connectors.segmentChanged(change.segmentId))) connectors.segmentChanged(change.segmentId);
      });
    } else if (!active && unwatch) {
      unwatch();
      unwatch = null;
    }
  };
  const log = options.schedules?.log;
  const connectors: ConnectorService = new ConnectorService(db, {
    // The server's one key (events.secretKey, resolved by resolveSecretKey) unless a test gives its own.
    secrets: new SecretBox(options.connectors?.secretKey ?? (options.events?.secretKey ? { key: Buffer.from(options.events.secretKey, 'base64') } : { missing: true })),
    onImported,
    compositionListener,
    onPublishing,
    segments,
    ...(options.connectors?.spoolRoot ? { spoolRoot: options.connectors.spoolRoot } : {}),
    ...(log ? { log } : {}),
  });

  let scheduler: SegmentScheduler | null = null;
  let scoreScheduler: ScoreScheduler | null = null;
  if (options.schedules) {
    const { log } = options.schedules;
    const segmentScheduler = new SegmentScheduler(db, log, { onChange: compositionListener });
    scheduler = segmentScheduler;
    scoreScheduler = new ScoreScheduler(db, log);
    events.on('segment.saved', ({ segment }) => segmentScheduler.reschedule(segment, segment.id));
    events.on('segment.deleted', ({ ids }) => {
      for (const id of ids) segmentScheduler.reschedule(null, id);
    });
  }

  const box = options.events?.secretKey ? new SecretBox({ key: Buffer.from(options.events.secretKey, 'base64') }) : null;
  const subscriptions = new SubscriptionStore(db, box, connectors);
  const guard = new TargetGuard(options.events?.allowTargets ?? []);
  const clock = options.events?.dispatcher?.now;
  const tasks = new TaskStore(db, clock);
  const mailings = new Mailings(db, new MailSettingsStore(db, box), box, clock ? { now: clock } : {});
  const dispatcher = new EventDispatcher(db, subscriptions, {
    ...options.events?.dispatcher,
    handlers: [webhookAction(guard, options.events?.timeoutMs, clock), crmTaskAction(db, connectors, clock), connectorPublishAction(connectors), taskAction(db, tasks), emailAction(mailings)],
  });

  return {
    db,
    subscriptions,
    dispatcher,
    events,
    segments,
    access: new AccessService(db, options.access),
    scheduler,
    scoreScheduler,
    compositionListener,
    importData: (input, importOptions) => importData(db, input, { ...importOptions, onImported }),
    importFile: (path, importOptions) => importFile(db, path, { ...importOptions, onImported }),
    connectors,
    tasks,
    mailings,
  };
}
