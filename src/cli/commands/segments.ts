import { ALL_PARTNERS } from '../../domain/access/principal.js';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { refreshSegmentsWithErrors } from '../../domain/segments/batch-refresh.js';
import { memberRecords, recordsToCsv } from '../../domain/segments/member-records.js';
import { addMembers, fillByRule, removeMembers } from '../../domain/segments/manual-members.js';
import { memberIds } from '../../domain/segments/member-pages.js';
import { listHistory } from '../../domain/segments/membership-history.js';
import { explainMember, previewRule } from '../../domain/segments/preview-explain.js';
import { segmentStatuses } from '../../domain/segments/segment-status.js';
import { segmentInputSchema, segmentPatchSchema } from '../../domain/segments/segment.schema.js';
import { getSegment, listSegments } from '../../domain/segments/segments.repository.js';
import { AppError } from '../../errors/app-error.js';
import type { Database } from '../../storage/database.js';
import { ENTITIES } from '../../model/entities.js';
import { segmentAuditState } from '../../domain/segments/segment-audit-state.js';
import { stateWith } from '../../domain/access/audit.js';
import { cliWrite, membersAfter } from '../audit.js';
import { positiveInt, withDatabase } from '../context.js';
import type { CliIo } from '../io.js';
import { printJson } from '../output.js';

/** Reads JSON from a file, or from standard input when the path is "-". */
export function readJson(path: string): unknown {
  const text = readFileSync(path === '-' ? 0 : path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', { summary: `${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`, issues: [] });
  }
}

export function parseWith<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  throw new AppError('VALIDATION_FAILED', { summary: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues });
}

const asOfOption = ['--as-of <date>', 'evaluate as of YYYY-MM-DD (default today)'] as const;

/** What segment commands record in the audit log: the segment with its size, before and after. */
const segmentAudit = (db: Database) => ({ entity: 'segment', load: (id: string) => segmentAuditState(db, id) });

export function registerSegments(program: Command, io: CliIo): void {
  const segments = program.command('segments').description('Define segments, generate them, read members, explain membership');

  segments
    .command('list')
    .description('All segments with method, size, last and next generation')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) =>
      withDatabase(command, async (db) => {
        const list = await listSegments(db);
        const statuses = await segmentStatuses(db, ALL_PARTNERS, list);
        if (options.json)
          return printJson(
            io,
            list.map((s) => ({ ...s, ...statuses.get(s.id) })),
          );
        const rows = list.map((s) => {
          const st = statuses.get(s.id)!;
          return { id: s.id, name: s.name, method: s.method, size: st.size ?? '—', status: st.status, lastRun: st.lastRun?.startedAt ?? '—', nextRun: st.nextRunAt ?? '—' };
        });
        io.console.table(rows);
      }),
    );

  segments
    .command('create <file>')
    .description('Create a segment from a JSON file ("-" for standard input); see docs/segments.md')
    .action(async (file: string, _options: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        const input = parseWith(segmentInputSchema, readJson(file));
        printJson(io, await cliWrite(db, command, { ...segmentAudit(db), action: 'segment.create', entityId: null }, () => services.segments.create(input, { allowCustomSql: true })));
      }),
    );

  segments
    .command('update <id> <file>')
    .description('Change a segment from a JSON file of the fields to change')
    .action(async (id: string, file: string, _options: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        const patch = parseWith(segmentPatchSchema, readJson(file));
        printJson(io, await cliWrite(db, command, { ...segmentAudit(db), action: 'segment.update', entityId: id }, () => services.segments.update(id, patch, { allowCustomSql: true })));
      }),
    );

  segments
    .command('show <id>')
    .description('One segment with its status')
    .action(async (id: string, _options: unknown, command: Command) =>
      withDatabase(command, async (db) => {
        const segment = await getSegment(db, id);
        printJson(io, { ...segment, ...(await segmentStatuses(db, ALL_PARTNERS, [segment])).get(id) });
      }),
    );

  segments
    .command('delete <id>')
    .description('Delete a segment nothing uses')
    .action(async (id: string, _options: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        await cliWrite(db, command, { ...segmentAudit(db), action: 'segment.delete', entityId: id }, () => services.segments.delete(id));
        io.console.log(`Deleted segment ${id}`);
      }),
    );

  segments
    .command('refresh [ids...]')
    .description('Generate stored segments now (all active periodic ones with --all): together, each distinct measure computed once, dependencies first')
    .option('--all', 'every active periodic segment')
    .option('--incremental', 'only the partners whose facts changed since the last pass, for the segments whose rules allow it (docs/segments.md)')
    .option('--daily', 'only the segments whose rules move with the date (the daily pass)')
    .option(...asOfOption)
    .action(async (ids: string[], options: { all?: boolean; asOf?: string; incremental?: boolean; daily?: boolean }, command: Command) =>
      withDatabase(command, async (db, services) => {
        if (!options.all && ids.length === 0) throw new AppError('VALIDATION_FAILED', { summary: 'name segment ids or give --all', issues: [] });
        const { report, errors } = await cliWrite(db, command, { action: 'segment.refresh-many', entity: 'segment', entityId: null, after: ({ result }) => result.report }, () =>
          refreshSegmentsWithErrors(db, options.all ? 'all-periodic' : ids, {
            trigger: 'cli',
            onChange: services.compositionListener(),
            ...(options.asOf ? { asOf: options.asOf } : {}),
            mode: options.incremental ? 'incremental' : options.daily ? 'daily' : 'full',
          }),
        );
        for (const r of report.segments) {
          io.console.log(r.status === 'ok' ? `${r.segmentId}: ${r.size} members (+${r.entered} −${r.left}) in ${r.durationMs} ms` : `${r.segmentId}: failed: ${r.error}`);
        }
        if (report.batched) {
          io.console.log(
            `${report.segments.length} segments in ${report.durationMs} ms; ${report.batched} evaluated together over ${report.distinctMeasures} distinct measures (${report.factScans} passes over the facts) as of ${report.asOf}`,
          );
        }
        if (report.mode === 'incremental')
          io.console.log(
            `${report.partners === null ? 'every partner' : `${report.partners} changed partners`} evaluated${report.measuresKept ? ' over the measures kept by the last full batch' : ''}; ${report.notInPass.length} segments left to the daily pass`,
          );
        const [first] = errors.values();
        if (errors.size) throw first;
      }),
    );

  segments
    .command('members <id>')
    .description('Members of a segment')
    .option('--limit <n>', 'how many', positiveInt('--limit'), 50)
    .option('--offset <n>', 'from', (v) => Number(v), 0)
    .option(...asOfOption)
    .option('--csv', 'print all members as CSV')
    .action(async (id: string, options: { limit: number; offset: number; asOf?: string; csv?: boolean }, command: Command) =>
      withDatabase(command, async (db) => {
        const segment = await getSegment(db, id);
        const page = await memberIds(db, ALL_PARTNERS, segment, options.csv ? { limit: 10_000_000, offset: 0 } : options, options.asOf);
        const records = await memberRecords(db, segment.kind, page.ids);
        if (options.csv) {
          const entity = segment.kind === 'product' ? ENTITIES.products : ENTITIES.partners;
          io.stdout.write(
            recordsToCsv(
              records,
              entity.fields.map((f) => f.name),
            ),
          );
          return;
        }
        io.console.log(`${page.total} members${options.asOf ? ` as of ${options.asOf}` : ''}`);
        io.console.table(records.map((r) => ({ id: r.id, name: r.name })));
      }),
    );

  segments
    .command('add <id> <memberIds...>')
    .description('Add members to a manual segment')
    .action(async (id: string, memberIdList: string[], _o: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        const segment = await getSegment(db, id);
        const added = await cliWrite(db, command, { ...segmentAudit(db), action: 'segment.members.add', entityId: id, after: membersAfter(memberIdList, 'added') }, () =>
          addMembers(db, segment, memberIdList, services.compositionListener()),
        );
        io.console.log(`Added ${added}`);
      }),
    );

  segments
    .command('remove <id> <memberIds...>')
    .description('Remove members from a manual segment')
    .action(async (id: string, memberIdList: string[], _o: unknown, command: Command) =>
      withDatabase(command, async (db, services) => {
        const segment = await getSegment(db, id);
        const removed = await cliWrite(db, command, { ...segmentAudit(db), action: 'segment.members.remove', entityId: id, after: membersAfter(memberIdList, 'removed') }, () =>
          removeMembers(db, segment, memberIdList, services.compositionListener()),
        );
        io.console.log(`Removed ${removed}`);
      }),
    );

  segments
    .command('fill <id>')
    .description('Fill a manual segment by its rule (adds; --replace to replace the composition)')
    .option('--replace', 'replace the composition with the matching members')
    .option(...asOfOption)
    .action(async (id: string, options: { replace?: boolean; asOf?: string }, command: Command) =>
      withDatabase(command, async (db, services) => {
        const segment = await getSegment(db, id);
        const result = await cliWrite(db, command, { ...segmentAudit(db), action: 'segment.fill', entityId: id, after: ({ state, result }) => stateWith(state, { result }) }, () =>
          fillByRule(db, segment, { replace: options.replace === true, onChange: services.compositionListener(), ...(options.asOf ? { asOf: options.asOf } : {}) }),
        );
        printJson(io, result);
      }),
    );

  segments
    .command('preview <file>')
    .description('Evaluate a rule from a JSON file without saving: count and a sample')
    .option('--kind <kind>', 'partner or product', 'partner')
    .option(...asOfOption)
    .action(async (file: string, options: { kind: string; asOf?: string }, command: Command) =>
      withDatabase(command, async (db) => {
        const kind = options.kind === 'product' ? 'product' : 'partner';
        const result = await previewRule(db, ALL_PARTNERS, { kind, rule: readJson(file), parameters: {}, ...(options.asOf ? { asOf: options.asOf } : {}) }, 20);
        printJson(io, { count: result.count, sample: result.sampleIds });
      }),
    );

  segments
    .command('explain <id> <memberId>')
    .description('Why a partner is or is not in a segment: each condition with the actual value')
    .option(...asOfOption)
    .action(async (id: string, memberId: string, options: { asOf?: string }, command: Command) =>
      withDatabase(command, async (db) => printJson(io, await explainMember(db, ALL_PARTNERS, await getSegment(db, id), memberId, options.asOf))),
    );

  segments
    .command('history <id>')
    .description('Who entered and who left, newest first')
    .option('--limit <n>', 'how many', positiveInt('--limit'), 50)
    .action(async (id: string, options: { limit: number }, command: Command) =>
      withDatabase(command, async (db) => {
        const segment = await getSegment(db, id);
        const history = await listHistory(db, ALL_PARTNERS, segment, { limit: options.limit, offset: 0 });
        io.console.table(history.items);
      }),
    );
}
