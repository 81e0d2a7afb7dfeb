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
  /** The records' ids, one a line: what a replace compares with, read without parsing JSON. */
  private readonly idsOut: WriteStream;
  private readonly idsFile: string;
  private lines: string[] = [];
  private ids: string[] = [];
  count = 0;

  constructor(
    readonly entity: EntityName,
    dir: string,
    readonly file = join(dir, `${entity}.jsonl`),
  ) {
    this.out = createWriteStream(file);
    this.idsFile = `${file}.ids`;
    this.idsOut = createWriteStream(this.idsFile);
  }

  /** Adds a record; written out a few thousand at a time: await the promise it then returns. */
  write(record: EntityRecord): Promise<void> | undefined {
    this.count++;
    this.lines.push(JSON.stringify(record));
    this.ids.push(String(record.id));
    return this.lines.length >= 4096 ? this.flush() : undefined;
  }

  /** Writes the records added so far (waiting while the disk catches up). */
  async flush(): Promise<void> {
    if (!this.lines.length) return;
    const text = `${this.lines.join('\n')}\n`;
    const ids = `${this.ids.join('\n')}\n`;
    this.lines = [];
    this.ids = [];
    const more = this.idsOut.write(ids);
    if (!this.out.write(text)) await once(this.out, 'drain');
    if (!more && this.idsOut.writableNeedDrain) await once(this.idsOut, 'drain');
  }

  async close(extra: Extra = {}): Promise<EntityBatch> {
    await this.flush();
    this.out.end();
    this.idsOut.end();
    await Promise.all([once(this.out, 'finish'), once(this.idsOut, 'finish')]);
    const file = this.file;
    const idsFile = this.idsFile;
    return {
      entity: this.entity,
      count: this.count,
      ...extra,
      lines: () => createReadStream(file, { highWaterMark: 1 << 20 }),
      async *ids() {
        let rest = '';
        for await (const chunk of createReadStream(idsFile, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
          const lines = (rest + (chunk as string)).split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) if (line) yield line;
        }
        if (rest) yield rest;
      },
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
