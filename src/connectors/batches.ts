import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { EntityName } from '../model/entities.js';
import type { EntityRecord } from '../model/records.js';
import type { EntityBatch } from './driver.js';

/** Helpers drivers build their EntityBatch with: records held in memory, or spooled to a file. */

type Extra = Pick<EntityBatch, 'replace' | 'gone'>;

/** A batch of records held in memory (directories, partners). */
export function recordsBatch(entity: EntityName, records: readonly EntityRecord[], extra: Extra = {}): EntityBatch {
  return {
    entity,
    count: records.length,
    ...extra,
    async *records() {
      yield* records;
    },
  };
}

/**
 * Records written to a JSON Lines file as they are read (sale lines: millions), read back when
 * the batch is applied; `close()` before handing the batch over.
 */
export class Spool {
  private readonly out: WriteStream;
  count = 0;

  constructor(
    readonly entity: EntityName,
    dir: string,
    readonly file = join(dir, `${entity}.jsonl`),
  ) {
    this.out = createWriteStream(file);
  }

  async write(record: EntityRecord): Promise<void> {
    this.count++;
    if (!this.out.write(`${JSON.stringify(record)}\n`)) await once(this.out, 'drain');
  }

  async close(extra: Extra = {}): Promise<EntityBatch> {
    this.out.end();
    await once(this.out, 'finish');
    const file = this.file;
    return {
      entity: this.entity,
      count: this.count,
      ...extra,
      lines: () => createReadStream(file, { highWaterMark: 1 << 20 }),
      async *records() {
        let rest = '';
        for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
          const lines = (rest + (chunk as string)).split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) if (line) yield JSON.parse(line) as EntityRecord;
        }
        if (rest) yield JSON.parse(rest) as EntityRecord;
      },
    };
  }
}
