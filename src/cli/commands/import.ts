import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { AppError, isAppError } from '../../errors/app-error.js';
import { IMPORT_FORMATS, parseDelimiter, type ImportFormat } from '../../import/import-format.js';
import { parseEncoding, TEXT_ENCODINGS } from '../../import/text-input.js';
import type { ImportProgress, ImportReport, RowError } from '../../import/import-report.js';
import { IMPORT_ENTITY_NAMES } from '../../model/entities.js';
import { importReportCounts } from '../../domain/access/audit.js';
import { mappingFor } from '../../import/mappings.js';
import { cliWrite } from '../audit.js';
import { withDatabase } from '../context.js';
import type { CliIo } from '../io.js';

/** Files smaller than this import too fast for a progress bar to help. */
const PROGRESS_BAR_BYTES = 5 * 1024 * 1024;
const SHOWN_ERRORS = 20;

interface ImportCommandOptions {
  readonly format?: ImportFormat;
  readonly delimiter?: string;
  readonly encoding?: string;
  readonly skipBad?: boolean;
  readonly sheet?: string;
  readonly mapping?: string;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** One problem as a person reads it: `line 14, column revenue: "abc" is not a number`. */
export function describeRowError(error: RowError): string {
  const where = error.element === undefined ? `line ${error.line}` : `element ${error.element} (line ${error.line})`;
  return `${where}${error.column === null ? '' : `, column ${error.column}`}: ${error.reason}`;
}

function printErrors(io: CliIo, errors: readonly RowError[], total: number): void {
  for (const error of errors.slice(0, SHOWN_ERRORS)) io.stderr.write(`  ${describeRowError(error)}\n`);
  if (total > SHOWN_ERRORS) io.stderr.write(`  … and ${count(total - SHOWN_ERRORS)} more\n`);
}

function summary(report: ImportReport, file: string, seconds: number): string {
  const rate = seconds > 0 ? Math.round(report.rows / seconds) : report.rows;
  const parts = [
    `${count(report.inserted)} inserted`,
    `${count(report.updated)} updated`,
    `${count(report.unchanged)} unchanged`,
    `${count(report.skipped)} skipped`,
    ...(report.duplicates ? [`${count(report.duplicates)} duplicate ids (the last row won)`] : []),
  ];
  const encoding = report.encoding === 'utf-8' || report.encoding === null ? '' : ` (read as ${report.encoding})`;
  return `Imported ${report.entity} from ${file}${encoding}: ${count(report.rows)} rows, ${parts.join(', ')} in ${seconds.toFixed(1)} s (${count(rate)} rows/s)`;
}

/** A progress bar on stderr for big files on a terminal; nothing otherwise. */
function progressBar(io: CliIo): { onProgress: (p: ImportProgress) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  let disabled = !io.stderr.isTTY;
  return {
    onProgress: (p) => {
      if (disabled) return;
      if (!bar) {
        if (p.totalBytes === undefined || p.totalBytes < PROGRESS_BAR_BYTES) {
          disabled = true;
          return;
        }
        bar = new cliProgress.SingleBar({ format: '{bar} {percentage}% | {rows} rows | {eta_formatted} left', stream: io.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
        bar.start(p.totalBytes, 0, { rows: '0' });
      }
      bar.update(p.bytesRead, { rows: count(p.rows) });
    },
    stop: () => bar?.stop(),
  };
}

export function registerImport(program: Command, io: CliIo): void {
  program
    .command('import')
    .description('Import a CSV, XLSX, JSON or JSON Lines file of one entity, upserting by id. A file with a bad row imports nothing unless --skip-bad; re-importing the same file changes nothing.')
    .argument('<entity>', `what the file holds: ${IMPORT_ENTITY_NAMES.join(', ')}`)
    .argument('<file>', 'the file, or - for standard input')
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(IMPORT_FORMATS))
    .option('--delimiter <char>', 'CSV delimiter: "," ";" or tab (default: detected from the header line)')
    .option('--encoding <name>', `text encoding: ${TEXT_ENCODINGS.join(', ')} (default: from the byte order mark, else UTF-8, or Windows-1251 when the bytes are not UTF-8)`)
    .option('--sheet <name>', 'XLSX: the sheet to read (default: the first)')
    .option('--mapping <name>', "a saved mapping of the file's headings to columns (saved in the import screen or PUT /api/import/mappings/NAME)")
    .option('--skip-bad', 'import the good rows and list the bad ones, instead of importing nothing')
    .action(async (entity: string, file: string, options: ImportCommandOptions, command: Command) => {
      const delimiter = options.delimiter === undefined ? undefined : parseDelimiter(options.delimiter);
      if (options.delimiter !== undefined && !delimiter) throw new AppError('IMPORT_BAD_DELIMITER', { delimiter: options.delimiter });
      const encoding = options.encoding === undefined ? undefined : parseEncoding(options.encoding);
      if (options.encoding !== undefined && !encoding) {
        throw new AppError('VALIDATION_FAILED', { summary: `--encoding "${options.encoding}" is not one of ${TEXT_ENCODINGS.join(', ')}` });
      }
      const started = performance.now();
      const bar = progressBar(io);
      let report: ImportReport;
      try {
        report = await withDatabase(command, (db, services) =>
          // The audit log keeps the import's counts, never its rows.
          cliWrite(db, command, { action: 'import.run', entity: 'import', entityId: entity, after: ({ result }) => importReportCounts(result) }, async () =>
            services.importFile(file, {
              entity,
              format: options.format,
              delimiter,
              encoding,
              sheet: options.sheet,
              mapping: options.mapping === undefined ? undefined : await mappingFor(db, options.mapping, entity),
              skipBad: options.skipBad ?? false,
              onProgress: bar.onProgress,
            }),
          ),
        );
      } catch (error) {
        bar.stop();
        if (isAppError(error) && error.code === 'IMPORT_BAD_ROWS') {
          const { errors, errorCount, badRows } = error.details as { errors: RowError[]; errorCount: number; badRows: number };
          io.stderr.write(`Nothing was imported: ${count(badRows)} bad row(s) in ${file}:\n`);
          printErrors(io, errors, errorCount);
          io.stderr.write('Fix them, or run again with --skip-bad to import the good rows.\n');
          io.exitCode = 1;
          return;
        }
        throw error;
      }
      bar.stop();
      io.stdout.write(`${summary(report, file, (performance.now() - started) / 1000)}\n`);
      if (report.skipped > 0) {
        io.stderr.write(`Skipped ${count(report.skipped)} bad row(s):\n`);
        printErrors(io, report.errors, report.errorCount);
      }
    });
}
