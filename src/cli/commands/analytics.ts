import { ALL_PARTNERS } from '../../domain/access/principal.js';
import { Option, type Command } from 'commander';
import type { AppliedSegment } from '../../domain/analytics/analytics-segments.js';
import { csiNps } from '../../domain/analytics/csi-nps.js';
import { applyLifecycleSegments, getLifecycleSettings, lifecycleSegmentsRequestSchema, lifecycleSummary, saveLifecycleSettings } from '../../domain/analytics/lifecycle.js';
import { applyMatrixSegments, deleteMatrix, getMatrix, listMatrices, matrixInputSchema, matrixScatter, saveMatrix } from '../../domain/analytics/matrix.js';
import { getRenewSettings, refreshRenewIndex, renewStatus, saveRenewSettings } from '../../domain/analytics/renew-index.js';
import { applyRfmTemplates, getRfmSettings, refreshRfm, RFM_TEMPLATES, rfmSegmentsRequestSchema, rfmStatus, saveRfmSettings } from '../../domain/analytics/rfm.js';
import { listScoreRuns, SCORE_SETS, type ScoreSet } from '../../domain/analytics/score-runs.js';
import { AppError } from '../../errors/app-error.js';
import type { Database } from '../../storage/database.js';
import { SCORES } from '../../rules/vocabulary/scores.js';
import { cliWrite } from '../audit.js';
import { withDatabase } from '../context.js';
import type { CliIo } from '../io.js';
import { printJson } from '../output.js';
import { parseWith, readJson } from './segments.js';

const asOfOption = ['--as-of <date>', 'evaluate as of YYYY-MM-DD (default today)'] as const;
const list = (value: string | undefined): string[] | undefined =>
  value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
const methodOption = () => new Option('--method <method>', 'periodic (generated now and after refreshes) or dynamic').choices(['periodic', 'dynamic']).default('periodic');
const languageOption = () => new Option('--language <lang>', 'language of the segment names').choices(['en', 'ru']).default('en');

function printApplied(io: CliIo, items: readonly AppliedSegment[]): void {
  for (const item of items) io.console.log(`${item.action.padEnd(8)} ${item.id.padEnd(28)} ${item.size === null ? 'dynamic' : `${item.size} members`}  ${item.name}`);
}

/** A JSON option value (`--window '{"last":{"months":6}}'`). */
function jsonOption(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', { summary: `${name} is not JSON: ${error instanceof Error ? error.message : String(error)}`, issues: [] });
  }
}

/** What analytics commands record in the audit log, as the API does (src/api/routes/analytics.routes.ts). */
const settingsAudit = (id: 'rfm' | 'renew' | 'lifecycle', load: () => Promise<unknown>) => ({ entity: 'analytics-settings', action: 'analytics-settings.update', entityId: id, load });
const scoresAudit = (id: 'rfm' | 'renew') => ({ entity: 'analytics-scores', action: 'analytics-scores.refresh', entityId: id });
const matrixAudit = (db: Database) => ({ entity: 'matrix', load: (id: string) => getMatrix(db, id), keep: ['key'] });

export function registerAnalytics(program: Command, io: CliIo): void {
  const analytics = program.command('analytics').description('RFM scores, renew index, BCG-style matrices, CSI/NPS, lifecycle (docs/analytics.md)');

  analytics
    .command('scores')
    .description('Score names rules may read ({"score": name})')
    .action(() => {
      for (const s of SCORES.list()) io.console.log(`${s.name.padEnd(16)} ${s.description}`);
    });

  analytics
    .command('runs')
    .description('Score refresh runs, newest first')
    .addOption(new Option('--set <set>', 'rfm or renew').choices([...SCORE_SETS]))
    .action(async (options: { set?: ScoreSet }, command: Command) =>
      withDatabase(command, async (db) => {
        io.console.table((await listScoreRuns(db, options.set)).map(({ settings: _settings, ...run }) => run));
      }),
    );

  // ---- RFM
  const rfm = analytics.command('rfm').description('RFM scores: recency, frequency, monetary, 1–5 by quantile');
  rfm
    .command('show')
    .description('Settings, last refresh, partners scored')
    .action(async (_o: unknown, command: Command) => withDatabase(command, async (db) => printJson(io, await rfmStatus(db, ALL_PARTNERS))));
  rfm
    .command('settings')
    .description('Change the window, bins or schedule (the options given)')
    .option('--window <json>', 'a period of the rule language, e.g. \'{"last":{"months":12}}\'')
    .option('--bins <n>', 'scores from 1 to n (2–9)', (v) => Number(v))
    .option('--schedule <schedule>', 'cron or "every N seconds"; "none" to refresh on demand only')
    .option('--no-rebuild', 'do not generate the segments on RFM scores after a refresh')
    .action(async (options: { window?: string; bins?: number; schedule?: string; rebuild: boolean }, command: Command) =>
      withDatabase(command, async (db) => {
        const patch: Record<string, unknown> = {};
        if (options.window !== undefined) patch.window = jsonOption('--window', options.window);
        if (options.bins !== undefined) patch.bins = options.bins;
        if (options.schedule !== undefined) patch.schedule = options.schedule === 'none' ? null : options.schedule;
        if (!options.rebuild) patch.rebuildSegments = false;
        const audit = settingsAudit('rfm', () => getRfmSettings(db));
        printJson(io, await cliWrite(db, command, audit, () => saveRfmSettings(db, patch)));
      }),
    );
  rfm
    .command('refresh')
    .description('Recompute the RFM scores now, then generate the periodic segments on them')
    .option(...asOfOption)
    .action(async (options: { asOf?: string }, command: Command) =>
      withDatabase(command, async (db) => {
        const r = await cliWrite(db, command, scoresAudit('rfm'), () => refreshRfm(db, { trigger: 'cli', ...(options.asOf ? { asOf: options.asOf } : {}) }));
        io.console.log(`RFM as of ${r.asOf} (window ${r.window.from ?? '…'} – ${r.window.to}, ${r.bins} bins): ${r.scored} customers scored in ${r.durationMs} ms`);
        for (const s of r.segments) io.console.log(`  ${s.segmentId}: ${s.size} members (+${s.entered} −${s.left})`);
      }),
    );
  rfm
    .command('templates')
    .description('The named RFM segments and their bands')
    .action(() => {
      for (const t of RFM_TEMPLATES) io.console.log(`${t.key.padEnd(20)} R ${t.r.join('–').padEnd(4)} F ${t.f.join('–').padEnd(4)} ${t.name.en} / ${t.name.ru}`);
    });
  rfm
    .command('segments')
    .description('Create (or update) the named RFM segments')
    .addOption(methodOption())
    .addOption(languageOption())
    .option('--prefix <prefix>', 'segment id prefix', 'rfm-')
    .option('--only <keys>', 'template keys, comma-separated (default all)')
    .action(async (options: { method: string; language: string; prefix: string; only?: string }, command: Command) =>
      withDatabase(command, async (db, services) => {
        const request = parseWith(rfmSegmentsRequestSchema, { method: options.method, language: options.language, prefix: options.prefix, ...(options.only ? { templates: list(options.only) } : {}) });
        printApplied(io, await cliWrite(db, command, { entity: 'segment', action: 'segment.apply-rfm', entityId: null }, () => applyRfmTemplates(services.segments, request)));
      }),
    );

  // ---- renew index
  const renew = analytics.command('renew').description('Renew index: the sum of chosen 1–5 properties, to rank refused leads');
  renew
    .command('show')
    .description('Settings, last refresh, partners with an index')
    .action(async (_o: unknown, command: Command) => withDatabase(command, async (db) => printJson(io, await renewStatus(db, ALL_PARTNERS))));
  renew
    .command('settings')
    .description('Choose the properties and the schedule')
    .option('--properties <names>', 'number properties, comma-separated')
    .option('--schedule <schedule>', 'cron or "every N seconds"; "none" for on demand only')
    .action(async (options: { properties?: string; schedule?: string }, command: Command) =>
      withDatabase(command, async (db) => {
        const patch: Record<string, unknown> = {};
        if (options.properties !== undefined) patch.properties = list(options.properties);
        if (options.schedule !== undefined) patch.schedule = options.schedule === 'none' ? null : options.schedule;
        const audit = settingsAudit('renew', () => getRenewSettings(db));
        printJson(io, await cliWrite(db, command, audit, () => saveRenewSettings(db, patch)));
      }),
    );
  renew
    .command('refresh')
    .description('Recompute renew.index now')
    .action(async (_o: unknown, command: Command) =>
      withDatabase(command, async (db) => {
        const r = await cliWrite(db, command, scoresAudit('renew'), () => refreshRenewIndex(db, { trigger: 'cli' }));
        io.console.log(`renew.index from ${r.properties.join(' + ')}: ${r.scored} partners in ${r.durationMs} ms${r.outOfRange ? `; ${r.outOfRange} values outside 1–5` : ''}`);
      }),
    );

  // ---- matrices
  const matrix = analytics.command('matrix').description('BCG-style matrices: two axes with thresholds, four quadrants');
  matrix
    .command('list')
    .action(async (_o: unknown, command: Command) =>
      withDatabase(command, async (db) => io.console.table((await listMatrices(db)).map((m) => ({ id: m.id, name: m.name, x: m.x.label, y: m.y.label })))),
    );
  matrix.command('show <id>').action(async (id: string, _o: unknown, command: Command) => withDatabase(command, async (db) => printJson(io, await getMatrix(db, id))));
  matrix
    .command('save <id> <file>')
    .description('Create or replace a matrix from a JSON file ("-" for standard input)')
    .action(async (id: string, file: string, _o: unknown, command: Command) =>
      withDatabase(command, async (db) => {
        const input = parseWith(matrixInputSchema, readJson(file));
        printJson(io, await cliWrite(db, command, { ...matrixAudit(db), action: 'matrix.save', entityId: id }, () => saveMatrix(db, id, input)));
      }),
    );
  matrix.command('delete <id>').action(async (id: string, _o: unknown, command: Command) =>
    withDatabase(command, async (db) => {
      await cliWrite(db, command, { ...matrixAudit(db), action: 'matrix.delete', entityId: id }, () => deleteMatrix(db, id));
      io.console.log(`Deleted matrix ${id}`);
    }),
  );
  matrix
    .command('segments <id>')
    .description('Create (or update) one rule segment per quadrant')
    .addOption(methodOption())
    .action(async (id: string, options: { method: 'periodic' | 'dynamic' }, command: Command) =>
      withDatabase(command, async (db, services) =>
        printApplied(
          io,
          await cliWrite(db, command, { entity: 'segment', action: 'segment.apply-matrix', entityId: null, keep: ['key'] }, () =>
            applyMatrixSegments(services.segments, id, { method: options.method }),
          ),
        ),
      ),
    );
  matrix
    .command('scatter <id>')
    .description('Partners per quadrant')
    .option(...asOfOption)
    .action(async (id: string, options: { asOf?: string }, command: Command) =>
      withDatabase(command, async (db) => {
        const scatter = await matrixScatter(db, ALL_PARTNERS, id, { limit: 1, ...(options.asOf ? { asOf: options.asOf } : {}) });
        io.console.table(scatter.quadrants.map((q) => ({ quadrant: q.key, name: q.name, partners: q.partners })));
      }),
    );

  // ---- CSI / NPS
  analytics
    .command('csi-nps')
    .description('CSI (answers 8–10 ÷ 1–3) and NPS (% 9–10 − % 0–6) by quarter')
    .option('--from <date>', 'first day (default: 12 months back)')
    .option('--to <date>', 'last day (default: asOf)')
    .option(...asOfOption)
    .option('--types <types>', 'survey interaction types (default survey)')
    .option('--segments <ids>', 'also per these segments')
    .option('--by-manager', 'also per manager')
    .action(async (options: { from?: string; to?: string; asOf?: string; types?: string; segments?: string; byManager?: boolean }, command: Command) =>
      withDatabase(command, async (db) => {
        const types = list(options.types);
        const result = await csiNps(db, ALL_PARTNERS, {
          ...(options.from ? { from: options.from } : {}),
          ...(options.to ? { to: options.to } : {}),
          ...(options.asOf ? { asOf: options.asOf } : {}),
          ...(types ? { types } : {}),
          segments: list(options.segments) ?? [],
          byManager: options.byManager === true,
        });
        io.console.log(`Survey answers ${result.from} – ${result.to} (${result.types.join(', ')})`);
        const fixed = (n: number | null) => (n === null ? '—' : Math.round(n * 100) / 100);
        io.console.table(result.rows.map((r) => ({ scope: r.scope, name: r.name, quarter: r.quarter, answers: r.responses, CSI: fixed(r.csi), NPS: fixed(r.nps) })));
      }),
    );

  // ---- lifecycle
  const lifecycle = analytics.command('lifecycle').description('Current, refused and churned clients by rules');
  lifecycle
    .command('show')
    .description('The rules and how many partners each stage holds')
    .option(...asOfOption)
    .action(async (options: { asOf?: string }, command: Command) => withDatabase(command, async (db) => printJson(io, await lifecycleSummary(db, ALL_PARTNERS, options.asOf))));
  lifecycle
    .command('settings <file>')
    .description('Change the rules from a JSON file: {"months": 12, "current": rule, "refused": rule, "churned": rule}')
    .action(async (file: string, _o: unknown, command: Command) =>
      withDatabase(command, async (db) => {
        const patch = readJson(file);
        const audit = settingsAudit('lifecycle', () => getLifecycleSettings(db));
        printJson(io, await cliWrite(db, command, audit, () => saveLifecycleSettings(db, patch)));
      }),
    );
  lifecycle
    .command('segments')
    .description('Create (or update) lifecycle-current, lifecycle-refused and lifecycle-churned')
    .addOption(methodOption())
    .addOption(languageOption())
    .action(async (options: { method: string; language: string }, command: Command) =>
      withDatabase(command, async (db, services) => {
        const request = parseWith(lifecycleSegmentsRequestSchema, options);
        printApplied(io, await cliWrite(db, command, { entity: 'segment', action: 'segment.apply-lifecycle', entityId: null }, () => applyLifecycleSegments(services.segments, request)));
      }),
    );
}
