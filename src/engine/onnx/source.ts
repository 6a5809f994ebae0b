// Positioned reads through one bounded window, so reading the graph of a file of any size
// (2 GiB and more) keeps memory flat: tensor payloads are skipped by moving the position, never read.
import * as fs from 'fs';

export interface ByteSource {
  readonly size: number;
  /** The bytes `ensure` made available; valid until the next call. A Buffer so strings decode natively. */
  readonly data: Buffer;
  /** File offset where the valid bytes of `data` end (they start at the offset `ensure` was asked for, minus the index it returned). */
  readonly dataEnd: number;
  /** Changes whenever `data` is refilled or replaced: a cursor holding the window knows it is stale. */
  readonly gen: number;
  /** Makes [pos, pos+len) available in `data` and returns the index of `pos` there (no allocation). */
  ensure(pos: number, len: number): number;
  /** Returns a view of [pos, pos+len); valid until the next call. */
  view(pos: number, len: number): Uint8Array;
  close(): void;
}

export const WINDOW_BYTES = 4 << 20;
/** First read after a jump: big enough for a tensor header and its neighbours, small next to a payload. */
export const MIN_READ_BYTES = 64 << 10;

function pastEnd(pos: number, len: number, size: number): RangeError {
  return new RangeError(`read of ${len} bytes at byte ${pos} is past the end of the file (${size} bytes)`);
}

export class FileSource implements ByteSource {
  private fd: number;
  readonly size: number;
  private buf: Buffer;
  data: Buffer;
  dataEnd = 0;
  gen = 0;
  private bufStart = 0;
  private bufLen = 0;
  private readAhead = MIN_READ_BYTES;
  /** bytes read from the file so far (tests and the bench check that payloads are skipped) */
  bytesRead = 0;

  constructor(path: string, window = WINDOW_BYTES) {
    this.fd = fs.openSync(path, 'r');
    this.size = fs.fstatSync(this.fd).size;
    this.buf = Buffer.allocUnsafe(Math.min(window, Math.max(this.size, 1)));
    this.data = this.buf;
  }

  ensure(pos: number, len: number): number {
    if (this.data === this.buf && pos >= this.bufStart && pos + len <= this.bufStart + this.bufLen)
      return pos - this.bufStart;
    if (pos < 0 || len < 0 || pos + len > this.size) throw pastEnd(pos, len, this.size);
    if (len > this.buf.length) {
      // A single field larger than the window (a long string): read it on its own.
      const big = Buffer.allocUnsafe(len);
      this.readFully(big, pos, len);
      this.data = big;
      this.dataEnd = pos + len;
      this.gen++;
      return 0;
    }
    // Read-ahead grows while reads continue where the last one ended (a run of nodes), and drops back
    // after a jump (a skipped tensor payload), so skipping payloads never reads them.
    const end = this.bufStart + this.bufLen;
    this.readAhead =
      pos >= this.bufStart && pos <= end + this.readAhead
        ? Math.min(this.readAhead * 2, this.buf.length)
        : MIN_READ_BYTES;
    const want = Math.min(this.buf.length, Math.max(len, this.readAhead), this.size - pos);
    this.readFully(this.buf, pos, want);
    this.bufStart = pos;
    this.bufLen = want;
    this.data = this.buf;
    this.dataEnd = pos + want;
    this.gen++;
    return 0;
  }

  view(pos: number, len: number): Uint8Array {
    const o = this.ensure(pos, len);
    return this.data.subarray(o, o + len);
  }

  private readFully(into: Uint8Array, pos: number, len: number): void {
    let done = 0;
    while (done < len) {
      const n = fs.readSync(this.fd, into, done, len - done, pos + done);
      if (n <= 0) break;
      done += n;
    }
    this.bytesRead += done;
    if (done < len) throw new RangeError(`short read at byte ${pos + done}`);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Bytes already in memory (and small files, read whole: see readModelFile). */
export class BufferSource implements ByteSource {
  readonly size: number;
  readonly data: Buffer;
  readonly dataEnd: number;
  readonly gen = 0;
  constructor(bytes: Uint8Array) {
    this.size = bytes.length;
    this.dataEnd = bytes.length;
    this.data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength); // a view, not a copy
  }
  ensure(pos: number, len: number): number {
    if (pos < 0 || len < 0 || pos + len > this.size) throw pastEnd(pos, len, this.size);
    return pos;
  }
  view(pos: number, len: number): Uint8Array {
    return this.data.subarray(this.ensure(pos, len), pos + len);
  }
  close(): void {}
}
