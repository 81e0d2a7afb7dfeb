/** The part of unzipper (exceljs's own zip library; no typings of its own) used here: a zip's central directory. */
declare module 'unzipper' {
  import type { Readable } from 'node:stream';

  /** Where the zip's bytes come from: its size, and a stream from an offset (`length` bytes, or to the end). */
  export interface ZipSource {
    size(): Promise<number>;
    stream(offset: number, length?: number): Readable;
  }

  /** One entry of the central directory (sizes and offset already taken from a zip64 field). */
  export interface CentralDirectoryFile {
    readonly path: string;
    readonly type: 'File' | 'Directory';
    readonly flags: number;
    readonly compressionMethod: number;
    readonly compressedSize: number;
    readonly uncompressedSize: number;
    readonly offsetToLocalFileHeader: number;
  }

  export interface CentralDirectory {
    readonly files: CentralDirectoryFile[];
  }

  const unzipper: {
    Open: {
      custom(source: ZipSource, options?: { tailSize?: number }): Promise<CentralDirectory>;
    };
  };
  export default unzipper;
}
