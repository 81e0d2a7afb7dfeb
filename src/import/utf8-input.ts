import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../errors/app-error.js';
import type { ImportFormat } from './import-format.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Length of the prefix of `buf` that ends on a whole UTF-8 character (a split one waits for the next chunk). */
function wholeCharactersLength(buf: Buffer): number {
  let i = buf.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return buf.length;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return buf.length - i >= need ? buf.length : i;
}

/**
 * The bytes of an imported file on their way to a parser: counted (for progress), stripped of
 * a UTF-8 byte order mark, and checked to be UTF-8 — a Windows-1251 export from 1C would
 * otherwise turn into garbage names silently.
 */
export class Utf8Input extends Transform {
  bytesRead = 0;
  private started = false;
  private carry: Buffer | undefined;

  constructor(private readonly format: ImportFormat) {
    super();
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.bytesRead += buf.length;
    if (this.carry) {
      buf = Buffer.concat([this.carry, buf]);
      this.carry = undefined;
    }
    if (!this.started) {
      if (buf.length < BOM.length && BOM.subarray(0, buf.length).equals(buf)) {
        this.carry = buf; // could still be the start of a BOM
        callback();
        return;
      }
      this.started = true;
      if (buf.subarray(0, 3).equals(BOM)) buf = buf.subarray(3);
    }
    const whole = wholeCharactersLength(buf);
    if (whole < buf.length) this.carry = buf.subarray(whole);
    const text = whole < buf.length ? buf.subarray(0, whole) : buf;
    if (!isUtf8(text)) {
      callback(this.notUtf8());
      return;
    }
    callback(null, text);
  }

  override _flush(callback: TransformCallback): void {
    const rest = this.carry;
    this.carry = undefined;
    if (!rest || rest.length === 0) callback();
    else if (!this.started && BOM.subarray(0, rest.length).equals(rest)) callback(); // nothing but (part of) a BOM
    else if (!isUtf8(rest)) callback(this.notUtf8());
    else callback(null, rest);
  }

  private notUtf8(): AppError {
    return new AppError('IMPORT_BAD_FORMAT', {
      format: this.format.toUpperCase(),
      reason: `it is not UTF-8 text (near byte ${this.bytesRead}); save it as UTF-8 (in 1C and Excel: "UTF-8" or "Unicode (UTF-8)"), not Windows-1251`,
    });
  }
}
