import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { backupDatabase, restoreDatabase } from '../../storage/backup.js';
import { DEFAULT_DB_PATH, openDatabase } from '../../storage/open-database.js';
import { AppError } from '../../errors/app-error.js';
import { positiveInt, withDatabase, type GlobalOptions } from '../context.js';

export function registerBackup(program: Command, io: CliIo): void {
  program
    .command('backup <dest>')
    .description(
      'Copy the DuckDB database into <dest>: a file, or a folder (existing, or written with a trailing /) that gets a timestamped segmenta-YYYYMMDDTHHMMSSZ.duckdb. A consistent snapshot; for PostgreSQL use pg_dump.',
    )
    .option('--keep <n>', 'in a folder, keep only the newest n timestamped backups', positiveInt('--keep'))
    .action(async (dest: string, options: { keep?: number }, command: Command) => {
      const result = await withDatabase(command, (db) => backupDatabase(db, dest, options.keep ? { keep: options.keep } : {}));
      io.console.log(`Backed up to ${result.file} (${result.bytes} bytes)${result.removed.length ? `; removed ${result.removed.length} older backups` : ''}`);
    });

  program
    .command('restore <src>')
    .description('Replace the DuckDB database (--db) with the backup <src>. Refuses a database that holds data unless --force; the replaced file is moved aside, never deleted. Stop the server first.')
    .option('--force', 'replace a database that holds data')
    .action(async (src: string, options: { force?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      if (!global.db && process.env.DATABASE_URL) throw new AppError('BACKUP_NOT_SUPPORTED', { database: 'PostgreSQL' });
      const target = global.db ?? process.env.SEGMENTA_DB ?? DEFAULT_DB_PATH;
      const result = await restoreDatabase(src, target, { force: options.force ?? false });
      // Opening migrates a backup made by an older Segmenta.
      await (await openDatabase({ path: target })).close();
      io.console.log(`Restored ${target} from ${src}${result.replacedMovedTo ? `; the replaced database was moved to ${result.replacedMovedTo}` : ''}`);
    });
}
