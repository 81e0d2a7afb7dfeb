import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { AppError } from '../errors/app-error.js';
import type { ImportFormat } from './import-format.js';

/** Encodings an imported file may have; UTF-8 unless it says or shows otherwise. */
export const TEXT_ENCODINGS = ['utf-8', 'windows-1251', 'utf-16le', 'utf-16be'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

const ENCODING_NAMES: Readonly<Record<string, TextEncoding>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
  'windows-1251': 'windows-1251',
  cp1251: 'windows-1251',
  'cp-1251': 'windows-1251',
  win1251: 'windows-1251',
  'x-cp1251': 'windows-1251',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

/** An encoding's name as people and Content-Type headers write it (`UTF8`, `cp1251`), or undefined. */
export function parseEncoding(name: string): TextEncoding | undefined {
  return ENCODING_NAMES[name.trim().toLowerCase()];
}

/** How many bytes after the first non-ASCII byte decide between UTF-8 and Windows-1251. */
const DECISION_WINDOW = 64 * 1024;

const BOMS: readonly { readonly bytes: readonly number[]; readonly encoding: TextEncoding }[] = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

/** Length of the prefix of `buf` that ends on a whole UTF-8 character (a split one waits for the next chunk). */
export function wholeCharactersLength(buf: Buffer): number {
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

/** The first byte of `buf` that is not UTF-8 and why, or undefined (a character cut at the end counts as bad). */
export function findInvalidUtf8(buf: Uint8Array): { offset: number; why: string } | undefined {
  for (let i = 0; i < buf.length;) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const hex = `0x${b.toString(16).toUpperCase()}`;
    if (b < 0xc2) {
      return { offset: i, why: b < 0xc0 ? `byte ${hex} continues a character that never started` : `byte ${hex} starts an overlong (forbidden) UTF-8 sequence` };
    }
    if (b > 0xf4) return { offset: i, why: `byte ${hex} never occurs in UTF-8` };
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    const second = buf[i + 1];
    if (second !== undefined) {
      if ((b === 0xe0 && second < 0xa0) || (b === 0xf0 && second < 0x90)) return { offset: i, why: `bytes ${hex} 0x${second.toString(16).toUpperCase()} start an overlong (forbidden) UTF-8 sequence` };
      if (b === 0xed && second >= 0xa0) return { offset: i, why: `bytes ${hex} 0x${second.toString(16).toUpperCase()} encode a UTF-16 surrogate, which UTF-8 may not hold` };
      if (b === 0xf4 && second >= 0x90) return { offset: i, why: `bytes ${hex} 0x${second.toString(16).toUpperCase()} encode a character beyond U+10FFFF` };
    }
    for (let k = 1; k < need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return { offset: i, why: `the character starting with byte ${hex} is cut short` };
    }
    i += need;
  }
  return undefined;
}

// Windows-1251 bytes of Russian text: А–я, Ё, ё, and the punctuation Russian texts use (nbsp « » № – — … “ ” „ ‘ ’ •).
const CP1251_LETTER = (b: number) => b >= 0xc0 || b === 0xa8 || b === 0xb8;
const CP1251_PUNCTUATION = new Set([0xa0, 0xab, 0xbb, 0xb9, 0x96, 0x97, 0x85, 0x93, 0x94, 0x84, 0x91, 0x92, 0x95, 0xb0, 0xa7, 0xb1, 0xa9, 0xae, 0x99, 0x88]);
const isAsciiLetter = (b: number | undefined) => b !== undefined && ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a));

/**
 * Whether bytes that are not UTF-8 read as Russian Windows-1251 text (1C's usual export):
 * non-ASCII bytes are mostly Cyrillic letters, the rest common punctuation, and the letters
 * do not sit inside Latin words (as Latin-1 "Müller" would: "Mьller"). Overlong UTF-8 and
 * encoded surrogates (0xC0 0xAF, 0xED 0xA0 0x80) read as letter + rare symbol and fail.
 */
export function looksLikeCp1251(buf: Uint8Array): boolean {
  let high = 0;
  let letters = 0;
  let punctuation = 0;
  let inLatinWord = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b < 0x80) continue;
    high++;
    if (b === 0x98) return false; // undefined in Windows-1251
    if (CP1251_LETTER(b)) {
      letters++;
      if (isAsciiLetter(buf[i - 1]) || isAsciiLetter(buf[i + 1])) inLatinWord++;
    } else if (CP1251_PUNCTUATION.has(b)) punctuation++;
  }
  return high > 0 && letters >= 0.6 * high && letters + punctuation >= 0.9 * high && inLatinWord <= 0.2 * letters;
}

const FIX_HINT = 'save it as UTF-8 (in 1C and Excel: "UTF-8" or "Unicode (UTF-8)")';

/**
 * The text of an imported file, decoded chunk by chunk, whatever the chunk boundaries:
 *
 * - a byte order mark says the encoding (UTF-8, UTF-16 LE/BE) and is dropped;
 * - a declared encoding (Content-Type charset, `--encoding`) is used as given;
 * - otherwise ASCII passes as it is, and the first non-ASCII byte with the 64 KB after it
 *   decide: UTF-8 if they are UTF-8, Windows-1251 (1C's usual export) if they read as Russian
 *   text in it, else the file is refused. Once UTF-8, a bad byte later (deep in a big file) is
 *   refused with its line and column: nothing is guessed mid-file.
 *
 * Lines are counted as the text passes, for those messages.
 */
export class TextInput {
  bytesRead = 0;
  private decided: TextEncoding | undefined;
  private line = 1;
  /** Characters since the last line break (UTF-8 and ASCII only: where errors can happen). */
  private column = 0;

  constructor(
    private readonly format: ImportFormat,
    private readonly declared?: TextEncoding,
  ) {}

  /** The encoding the file was read in (once known; UTF-8 for a file of ASCII only). */
  get encoding(): TextEncoding {
    return this.decided ?? 'utf-8';
  }

  async *decode(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncGenerator<string> {
    let head: Buffer | undefined = Buffer.alloc(0); // bytes before the BOM question is settled
    let pending: Buffer | undefined; // bytes from the first non-ASCII one, before the encoding is decided
    let carry: Buffer | undefined; // a UTF-8 character split between chunks
    let utf16: ReturnType<typeof iconv.getDecoder> | undefined;

    const emit = (buf: Buffer, final: boolean): string => {
      if (buf.length === 0) return '';
      switch (this.decided) {
        case 'windows-1251':
          return iconv.decode(buf, 'win1251');
        case 'utf-16le':
        case 'utf-16be':
          utf16 ??= iconv.getDecoder(this.decided, { stripBOM: false });
          return utf16.write(buf);
        default:
          return this.utf8(buf, final);
      }
    };
    const decideFrom = (buf: Buffer, final: boolean): void => {
      const high = buf.findIndex((b) => b >= 0x80);
      const window = buf.subarray(high);
      const whole = final ? window : window.subarray(0, wholeCharactersLength(window));
      if (isUtf8(whole)) this.decided = 'utf-8';
      else if (looksLikeCp1251(whole)) this.decided = 'windows-1251';
      else this.decided = 'utf-8'; // not UTF-8 and not Russian Windows-1251: refused as bad UTF-8 with its position
    };

    for await (const raw of chunks) {
      let buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      this.bytesRead += buf.length;
      if (head) {
        buf = head.length ? Buffer.concat([head, buf]) : buf;
        if (buf.length < 4 && BOMS.some((b) => b.bytes.length > buf.length && b.bytes.slice(0, buf.length).every((x, i) => x === buf[i]))) {
          head = buf; // could still be the start of a byte order mark
          continue;
        }
        head = undefined;
        buf = this.start(buf);
      }
      if (carry) {
        buf = Buffer.concat([carry, buf]);
        carry = undefined;
      }
      if (this.decided === undefined) {
        if (!pending && isAscii(buf)) {
          this.advance(buf);
          yield buf.toString('latin1'); // ASCII: the same in every encoding this reads, and the fastest decode
          continue;
        }
        if (!pending) {
          const high = buf.findIndex((b) => b >= 0x80);
          if (high > 0) yield this.utf8(buf.subarray(0, high), false);
          pending = buf.subarray(high);
        } else pending = Buffer.concat([pending, buf]);
        if (pending.length < DECISION_WINDOW) continue;
        decideFrom(pending, false);
        buf = pending;
        pending = undefined;
      }
      if (this.decided === 'utf-8') {
        const whole = wholeCharactersLength(buf);
        if (whole < buf.length) {
          carry = buf.subarray(whole);
          buf = buf.subarray(0, whole);
        }
      }
      const text = emit(buf, false);
      if (text) yield text;
    }

    // The end: whatever is still held.
    let rest = head ? this.start(head) : (pending ?? Buffer.alloc(0));
    if (this.decided === undefined && rest.length) decideFrom(rest, true);
    if (carry) rest = Buffer.concat([carry, rest]);
    const text = emit(rest, true) + (utf16 ? (utf16.end() ?? '') : '');
    if (text) yield text;
  }

  /** Reads a byte order mark (dropped) or the declared encoding; refuses UTF-16 without a mark. */
  private start(buf: Buffer): Buffer {
    const bom = BOMS.find((b) => buf.length >= b.bytes.length && b.bytes.every((x, i) => x === buf[i]));
    if (bom) {
      this.decided = bom.encoding;
      return buf.subarray(bom.bytes.length);
    }
    if (this.declared) this.decided = this.declared;
    else if (buf.length >= 2 && (buf[0] === 0) !== (buf[1] === 0)) {
      throw this.unreadable('it looks like UTF-16 text without a byte order mark');
    }
    return buf;
  }

  /** Valid UTF-8 → text, counting lines and columns; else the error naming where. */
  private utf8(buf: Buffer, final: boolean): string {
    if (!isUtf8(buf)) {
      const bad = findInvalidUtf8(buf) ?? { offset: buf.length, why: 'the file ends inside a character' };
      this.advance(buf.subarray(0, bad.offset));
      const declared = this.declared === 'utf-8' ? 'declared ' : '';
      throw this.unreadable(`it is not ${declared}UTF-8 text: at line ${this.line}, column ${this.column + 1}, ${bad.why}`, { line: this.line, column: this.column + 1 });
    }
    if (final && buf.length && wholeCharactersLength(buf) < buf.length) throw this.unreadable('the file ends inside a character');
    this.advance(buf);
    return buf.toString('utf8');
  }

  /** Moves the line and column past valid UTF-8 bytes. */
  private advance(buf: Buffer): void {
    let last = -1;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) {
      this.line++;
      last = i;
    }
    if (last !== -1) this.column = 0;
    for (let i = last + 1; i < buf.length; i++) if ((buf[i]! & 0xc0) !== 0x80) this.column++;
  }

  private unreadable(reason: string, where: { line: number; column: number } | Record<string, never> = {}): AppError {
    return new AppError('IMPORT_BAD_FORMAT', {
      format: this.format.toUpperCase(),
      reason: `${reason}; ${FIX_HINT}${this.declared ? '' : ' or Windows-1251'}`,
      ...where,
    });
  }
}
