import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import type { CentralDirectoryFile } from 'unzipper';

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;
const STORED = 0;
const DEFLATED = 8;

/**
 * A zip archive on disk, read with random access: the central directory at the end of the file
 * lists the entries, and each entry is streamed on its own, in any order, inflated as it is read.
 * A streaming unzip sees the entries only in the order they are stored, so it must hold (or spool)
 * whatever comes before the part it needs; here nothing is held but the directory.
 *
 * Every stream it opens is its own file descriptor and is kept track of: `close()` destroys the
 * ones still open and waits until they are closed, so the file can be removed right after it
 * (a descriptor opened after the file was removed would fail with an ENOENT no one listens to).
 */
export class ZipFile {
  private readonly streams = new Set<Readable>();
  private readonly entries = new Map<string, CentralDirectoryFile>();

  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Opens a zip file and reads its directory; fails when it has none (not a zip, or cut off). */
  static async open(path: string): Promise<ZipFile> {
    const zip = new ZipFile(path, await open(path, 'r'));
    try {
      await zip.readDirectory();
      return zip;
    } catch (error) {
      await zip.close();
      throw error;
    }
  }

  /** Whether the archive holds a file at this path (zip paths of Office files are case-insensitive). */
  has(path: string): boolean {
    return this.entries.has(path.toLowerCase());
  }

  /** An entry's content, inflated as it is read. */
  async read(path: string): Promise<Readable> {
    const entry = this.entries.get(path.toLowerCase());
    if (!entry) throw new Error(`the archive has no "${path}"`);
    if (entry.flags & 1) throw new Error(`"${entry.path}" is encrypted`);
    if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
      throw new Error(`"${entry.path}" is compressed with method ${entry.compressionMethod}, not deflate`);
    }
    // The data starts after the local header, whose name and extra field may differ in length from the directory's.
    const header = Buffer.alloc(LOCAL_HEADER_BYTES);
    const { bytesRead } = await this.handle.read(header, 0, LOCAL_HEADER_BYTES, entry.offsetToLocalFileHeader);
    if (bytesRead < LOCAL_HEADER_BYTES || header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) {
      throw new Error(`"${entry.path}" is not where the archive's directory says`);
    }
    if (entry.compressedSize === 0) return Readable.from([]);
    const start = entry.offsetToLocalFileHeader + LOCAL_HEADER_BYTES + header.readUInt16LE(26) + header.readUInt16LE(28);
    const raw = this.track(createReadStream(this.path, { start, end: start + entry.compressedSize - 1 }));
    if (entry.compressionMethod === STORED) return raw;
    // pipeline passes an error of either stream on to the inflater, which the reader iterates.
    return this.track(pipeline(raw, createInflateRaw(), () => undefined));
  }

  /** Destroys the streams still open and closes the file. */
  async close(): Promise<void> {
    const open = [...this.streams].filter((stream) => !stream.closed);
    const closed = open.map((stream) => new Promise((resolve) => stream.once('close', resolve)));
    for (const stream of open) stream.destroy();
    await Promise.all(closed);
    await this.handle.close();
  }

  private async readDirectory(): Promise<void> {
    const { size } = await this.handle.stat();
    // unzipper pipes these streams on without passing their errors on: one fails the open instead.
    let fail: (error: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    failed.catch(() => undefined);
    const source = {
      size: () => Promise.resolve(size),
      stream: (offset: number, length?: number) => this.track(createReadStream(this.path, { start: offset, end: length ? offset + length - 1 : undefined })).on('error', fail),
    };
    // Loaded on first use: at start-up unzipper would cost every process (CLI command, test file,
    // child) about 0.1–0.25 s of CPU, workbook or not.
    const { default: unzipper } = await import('unzipper');
    const directory = await Promise.race([unzipper.Open.custom(source), failed]);
    for (const file of directory.files) if (file.type === 'File') this.entries.set(file.path.toLowerCase(), file);
  }

  private track<T extends Readable>(stream: T): T {
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    // Errors reach the reader through its iteration; one after it stopped (a stream destroyed
    // by close()) must not be an 'error' event without a listener, which would stop the process.
    stream.on('error', () => undefined);
    return stream;
  }
}
