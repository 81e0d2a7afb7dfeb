import { Cron } from 'croner';
import { backupDatabase, backupFolder } from './backup.js';
import type { Database } from './database.js';

/**
 * Scheduled backups in `segmenta serve`: SEGMENTA_BACKUP_CRON (a cron pattern) into
 * SEGMENTA_BACKUP_DIR (default ./data/backups), keeping the newest SEGMENTA_BACKUP_KEEP
 * (default 7). Nothing when no pattern is set.
 */
export function scheduleBackups(db: Database, env: NodeJS.ProcessEnv, log: (message: string) => void): Cron | null {
  const pattern = env.SEGMENTA_BACKUP_CRON;
  if (!pattern) return null;
  const folder = `${backupFolder(env)}/`;
  const keep = Number(env.SEGMENTA_BACKUP_KEEP ?? 7);
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`SEGMENTA_BACKUP_KEEP must be a whole number above 0, got "${env.SEGMENTA_BACKUP_KEEP}"`);
  return new Cron(pattern, { protect: true }, async () => {
    try {
      const result = await backupDatabase(db, folder, { keep });
      log(`backup written to ${result.file} (${result.bytes} bytes)${result.removed.length ? `, ${result.removed.length} older removed` : ''}`);
    } catch (error) {
      log(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
