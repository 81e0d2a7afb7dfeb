import { ALL_PARTNERS } from '../../domain/access/principal.js';
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { findReport, REPORTS, runReport } from '../../domain/reports/index.js';
import { reportFile, REPORT_FORMATS, type ReportFormat } from '../../domain/reports/report-file.js';
import { AppError } from '../../errors/app-error.js';
import { positiveInt, withDatabase } from '../context.js';
import type { CliIo } from '../io.js';
import { parseWith } from './segments.js';

interface ReportOptions {
  readonly format: ReportFormat | 'table';
  readonly out?: string;
  readonly table?: string;
  readonly segment?: string;
  readonly segments?: string;
  readonly matrix?: string;
  readonly from?: string;
  readonly to?: string;
  readonly asOf?: string;
  readonly limit?: number;
  readonly param: string[];
}

/** The report's parameters from the options: the named ones and every `--param key=value`. */
function reportParams(name: string, shape: Record<string, unknown>, options: ReportOptions): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  for (const key of ['segment', 'segments', 'matrix', 'from', 'to', 'asOf', 'limit'] as const) {
    if (options[key] !== undefined) given[key] = typeof options[key] === 'number' ? String(options[key]) : options[key];
  }
  for (const pair of options.param) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new AppError('VALIDATION_FAILED', { summary: `--param takes key=value, not "${pair}"`, issues: [] });
    given[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const unknown = Object.keys(given).filter((key) => !(key in shape));
  if (unknown.length) {
    throw new AppError('VALIDATION_FAILED', {
      summary: `report ${name} takes ${Object.keys(shape).join(', ') || 'no parameters'}; not ${unknown.join(', ')}`,
      issues: unknown.map((key) => ({ path: key, message: 'not a parameter of this report' })),
    });
  }
  return given;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerReport(program: Command, io: CliIo): void {
  program
    .command('report <name>')
    .description(`Run a report: ${REPORTS.map((r) => r.name).join(', ')} ("segmenta report list" describes them; docs/reports.md)`)
    .addOption(new Option('--format <format>', 'json, csv (one table) or xlsx; "table" prints it for reading').choices([...REPORT_FORMATS, 'table']).default('json'))
    .option('--out <file>', 'write to this file instead of standard output (needed for xlsx on a terminal)')
    .option('--table <name>', 'csv: the table to write (default the first)')
    .option('--segment <id>', 'the segment')
    .option('--segments <ids>', 'segments, comma-separated (intersections, csi-nps)')
    .option('--matrix <id>', 'the matrix (matrix-scatter)')
    .option('--from <date>', 'first day, YYYY-MM-DD')
    .option('--to <date>', 'last day, YYYY-MM-DD')
    .option('--as-of <date>', 'evaluation date, YYYY-MM-DD (default today)')
    .option('--limit <n>', 'most rows of the long table (default 10000)', positiveInt('--limit'))
    .option('--param <key=value>', 'any other parameter of the report (repeatable)', collect, [])
    .action(async (name: string, options: ReportOptions, command: Command) => {
      if (name === 'list') {
        for (const r of REPORTS) io.stdout.write(`${r.name.padEnd(20)} ${r.title}\n${' '.repeat(21)}parameters: ${Object.keys(r.params.shape).join(', ')}\n`);
        return;
      }
      const report = findReport(name);
      const params = parseWith(report.params, reportParams(name, report.params.shape, options));
      await withDatabase(command, async (db) => {
        const result = await runReport(db, ALL_PARTNERS, report, params);
        if (options.format === 'table') {
          io.stdout.write(`${result.title}\n${JSON.stringify(result.summary)}\n`);
          for (const table of result.tables) {
            io.stdout.write(`\n${table.title}${table.total > table.rows.length ? ` (${table.rows.length} of ${table.total})` : ''}\n`);
            io.console.table(table.rows.map((row) => Object.fromEntries(table.columns.map((c) => [c.title, row[c.key] ?? null]))));
          }
          return;
        }
        if (options.format === 'xlsx' && !options.out && io.stdout.isTTY) {
          throw new AppError('VALIDATION_FAILED', { summary: 'an XLSX file is binary: give --out report.xlsx (or redirect the output)', issues: [] });
        }
        const bytes = await reportFile(result, options.format, options.table);
        if (options.out) {
          writeFileSync(options.out, bytes);
          io.stderr.write(`Wrote ${options.out} (${bytes.length} bytes)\n`);
        } else {
          io.stdout.write(bytes);
        }
      });
    });
}
