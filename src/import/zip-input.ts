import { AppError } from '../errors/app-error.js';

/**
 * The bytes of an .xlsx workbook on their way to its reader, watched. exceljs's streaming reader
 * can wait for ever on a zip that stops early (an upload cut off, a truncated file): its
 * unzipper never hears the end while an entry is half read, and the import would hold its
 * entity's turn for good. So the input's own error, and an end without the zip's end record
 * (the file is cut short), settle `failed` at once, and the rows are read racing it (`untilFailed`).
 */
export interface WatchedZip {
  readonly chunks: AsyncIterable<Uint8Array | string>;
  /** Bytes passed on so far (the import's progress). */
  readonly bytes: number;
  /** Rejects when the input fails or ends cut short; never resolves. */
  readonly failed: Promise<never>;
}

/** "PK\x05\x06": the end of central directory record, within the last 22 bytes + a comment of up to 65,535. */
const END_RECORD = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const END_WINDOW = 22 + 0xffff;
const ZIP_START = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

const toBuffer = (chunk: Uint8Array | string): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));

export function watchZip(input: AsyncIterable<Uint8Array | string>): WatchedZip {
  let fail: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (fail = reject));
  failed.catch(() => undefined); // raced by the reader; nobody may be waiting when it fails
  const watched = { bytes: 0, failed, chunks: input };
  watched.chunks = (async function* () {
    let head: Buffer | undefined;
    const tail: Buffer[] = [];
    let tailBytes = 0;
    try {
      for await (const chunk of input) {
        const buf = toBuffer(chunk);
        watched.bytes += buf.length;
        head = head === undefined ? buf.subarray(0, 4) : head.length < 4 ? Buffer.concat([head, buf]).subarray(0, 4) : head;
        tail.push(buf);
        tailBytes += buf.length;
        while (tail.length > 1 && tailBytes - tail[0]!.length >= END_WINDOW) tailBytes -= tail.shift()!.length;
        yield chunk;
      }
    } catch (error) {
      fail(error);
      throw error;
    }
    // Not a zip at all (or empty): the reader says so itself.
    if (!head?.equals(ZIP_START)) return;
    const last = Buffer.concat(tail);
    if (last.subarray(-END_WINDOW).lastIndexOf(END_RECORD) === -1) {
      const error = new AppError('IMPORT_BAD_FORMAT', { format: 'XLSX', reason: `the workbook is cut short: its zip archive ends after ${watched.bytes} bytes without its end record` });
      fail(error);
      throw error;
    }
  })();
  return watched;
}

/** The items of `items` until `failed` rejects: a reader stuck waiting does not hold the caller. */
export async function* untilFailed<T>(items: AsyncIterable<T>, failed: Promise<never>): AsyncGenerator<T> {
  const iterator = items[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), failed]);
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Stopped early by the caller: let the reader clean up (never awaited: it may be the one stuck).
    if (!finished) void iterator.return?.(undefined)?.catch(() => undefined);
  }
}
