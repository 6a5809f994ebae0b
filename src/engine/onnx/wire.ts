// Protobuf wire-format cursor over a ByteSource.
// Hand-written rather than protobufjs because protobufjs decodes a message from one in-memory buffer
// and copies every bytes field: a 1.6 GB model would be read whole. This cursor walks fields by
// position and lets the reader skip tensor payloads without touching them.
//
// One cursor walks a whole model: a sub-message is entered (its end becomes the cursor's end) and left
// (the enclosing end comes back), as protobufjs's generated decoders do, so reading a field allocates
// nothing but its value. The cursor keeps the source's current window (bytes, file offset, generation)
// and reads it directly; it asks the source for bytes only when a read leaves the window.
import type { ByteSource } from './source';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export class WireError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'group start', 'group end', 'fixed32'];

type Utf8Slice = (this: Buffer, start: number, end: number) => string;
// Node's own Buffer methods, called directly: Buffer#toString re-checks its encoding argument and
// bounds on every call, which costs as much as decoding a short name (protobufjs calls utf8Slice too).
const utf8Slice: Utf8Slice =
  (Buffer.prototype as unknown as { utf8Slice?: Utf8Slice }).utf8Slice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('utf8', start, end);
  };
const latin1Slice: Utf8Slice =
  (Buffer.prototype as unknown as { latin1Slice?: Utf8Slice }).latin1Slice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('latin1', start, end);
  };

const word = (text: string, at: number) => Buffer.from(text, 'latin1').readInt32LE(at);
const KEY_LOCA = word('location', 0),
  KEY_TION = word('location', 4);
const KEY_OFFS = word('offset', 0),
  KEY_LENG = word('length', 0);
const KEY_ET = Buffer.from('et', 'latin1').readUInt16LE(0),
  KEY_TH = Buffer.from('th', 'latin1').readUInt16LE(0);

/** An empty array that already has the elements kind its values will need (V8 tracks one per array:
 * a fresh [] holds small integers, and the optimized code of the previous read, which saw strings or
 * objects in it, would give way at its first store; measured as a deopt of ref() and node() on every
 * read after the first). */
export function emptyList<T>(like: unknown = null): T[] {
  const a = [like] as T[];
  a.pop();
  return a;
}

/** Size of the recent-names table (a power of two) and the longest string it keeps. */
const RECENT_SLOTS = 512;
const RECENT_MAX_BYTES = 64;

export class Cursor {
  /** Recently decoded short strings, by a cheap key of their bytes (see name()). */
  private readonly recent: string[] = new Array<string>(RECENT_SLOTS).fill(''); // filled: one elements kind from the start
  /** file offset and byte length of each recent string's bytes */
  private readonly recentPos = new Float64Array(RECENT_SLOTS);
  private readonly recentLen = new Int32Array(RECENT_SLOTS);
  /** Names seen so far (see ref()): open addressing over a hash of their bytes; a slot holds 1 + the
   * index in refStrings, 0 when empty. */
  private refTable = new Int32Array(1024);
  private readonly refStrings: string[] = emptyList<string>();
  /** per name (index in refStrings): its hash, id and file offset; typed arrays grown with refTable (one slot
   * more than the table's half it may fill), not arrays grown by push: their growth copies were old-space
   * garbage of tens of MB on a 1M-node graph */
  private refHashes = new Int32Array(513);
  private refIds = new Int32Array(513);
  private refPos = new Float64Array(513);
  /** the source's window when last seen: b[i] is the byte at file offset off + i, valid up to lim */
  private b: Buffer;
  private off = 0;
  private lim = 0;
  /** the source's generation when the window was taken: a read through another cursor moves it */
  private gen = -1;
  /** wire type and field number of the last tag read (-1 before any): field reads check it */
  wire = -1;
  field = 0;

  constructor(
    readonly src: ByteSource,
    public pos: number,
    public end: number,
  ) {
    this.b = src.data;
    this.dv = new DataView(this.b.buffer, this.b.byteOffset, this.b.byteLength);
    // Sized at two slots per name a graph file of this size holds (about one name per 40 bytes; at most
    // 64k slots, then it grows), so it rarely grows. Assigned here a second time on purpose: V8 compiles
    // ref() assuming a field written once is constant, and the first growth then threw that compile
    // away (measured: a first 400 KB graph file read with ref() unoptimized end to end).
    this.refTable = new Int32Array(
      Math.min(1 << 16, Math.max(1024, 2 ** Math.ceil(Math.log2(Math.max(1, src.size / 20))))),
    );
    this.refHashes = new Int32Array(this.refTable.length / 2 + 1);
    this.refIds = new Int32Array(this.refTable.length / 2 + 1);
    this.refPos = new Float64Array(this.refTable.length / 2 + 1);
  }

  /** `b` as a DataView: ref() hashes names four bytes at a time */
  private dv: DataView;

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Index in `b` of file offset `pos`, with `len` bytes readable there. */
  private at(pos: number, len: number): number {
    if (this.gen === this.src.gen && pos >= this.off && pos + len <= this.lim) return pos - this.off;
    const src = this.src;
    const i = src.ensure(pos, len);
    if (this.b !== src.data) {
      this.b = src.data;
      this.dv = new DataView(this.b.buffer, this.b.byteOffset, this.b.byteLength);
    }
    this.off = pos - i;
    this.lim = src.dataEnd;
    this.gen = src.gen;
    return i;
  }

  /** Refuses a field whose wire type is not the one its schema declares (a corrupt or foreign file). */
  private wrongWire(want: number, at: number): WireError {
    return new WireError(
      `field ${this.field} has wire type ${this.wire} (${WIRE_NAMES[this.wire] ?? '?'}), expected ${WIRE_NAMES[want]}`,
      at,
    );
  }

  /** A varint field's value (after tag()). */
  int(): number {
    if (this.wire !== WIRE_VARINT && this.wire >= 0) throw this.wrongWire(WIRE_VARINT, this.pos);
    return this.varint();
  }

  /** Varint as a JS number (exact to 2^53; larger magnitudes are approximated, negatives via 64-bit two's complement). */
  varint(): number {
    // fast path: one or two bytes inside the window and the message (tags, lengths, most values)
    const p = this.pos;
    if (p < this.end && this.gen === this.src.gen && p >= this.off && p < this.lim) {
      const b = this.b;
      const i = p - this.off;
      const x = b[i];
      if (x < 0x80) {
        this.pos = p + 1;
        return x;
      }
      if (p + 1 < this.end && p + 1 < this.lim) {
        const y = b[i + 1];
        if (y < 0x80) {
          this.pos = p + 2;
          return (x & 0x7f) | (y << 7);
        }
      }
    }
    return this.varintSlow();
  }

  private varintSlow(): number {
    const start = this.pos;
    const avail = Math.min(10, this.end - start);
    if (avail <= 0) throw new WireError('truncated varint', start);
    const o = this.at(start, avail);
    const b = this.b;
    let lo = 0;
    let shift = 0;
    let i = 0;
    // first 4 bytes into a 28-bit int
    for (; i < avail && i < 4; i++) {
      const x = b[o + i];
      lo |= (x & 0x7f) << shift;
      shift += 7;
      if (x < 0x80) {
        this.pos = start + i + 1;
        return lo >>> 0;
      }
    }
    // up to 2^53 exactly with float arithmetic; BigInt only for the rare 64-bit values (negatives)
    let v = lo >>> 0;
    let mul = 2 ** 28;
    for (; i < avail; i++) {
      const x = b[o + i];
      if (i >= 7) break;
      v += (x & 0x7f) * mul;
      mul *= 128;
      if (x < 0x80) {
        this.pos = start + i + 1;
        return v;
      }
    }
    let big = BigInt(lo >>> 0);
    let bshift = 28n;
    for (i = 4; i < avail; i++) {
      const x = b[o + i];
      big |= BigInt(x & 0x7f) << bshift;
      bshift += 7n;
      if (x < 0x80) {
        this.pos = start + i + 1;
        big &= (1n << 64n) - 1n;
        if (big >= 1n << 63n) big -= 1n << 64n; // int64 two's complement
        return Number(big);
      }
    }
    throw new WireError('malformed varint (more than 10 bytes)', start);
  }

  /** The next field's number; its wire type is left in `wire` (and the number in `field`). */
  tag(): number {
    const at = this.pos;
    let t = 0;
    // one-byte tags (fields 1-15) read in place: this runs once per field, often before the JIT has
    // compiled anything, where every call counts
    const i = at - this.off;
    if (at < this.end && i >= 0 && at < this.lim && this.gen === this.src.gen && this.b[i] < 0x80) {
      t = this.b[i];
      this.pos = at + 1;
    } else {
      t = this.varint();
    }
    const field = t < 0x100000000 ? t >>> 3 : Math.floor(t / 8);
    const wire = t & 7;
    if (field === 0) throw new WireError('invalid field number 0', at);
    if (wire === 3 || wire === 4 || wire > 5) throw new WireError(`invalid wire type ${wire}`, at);
    this.wire = wire;
    this.field = field;
    return field;
  }

  /** Index in `b` of a string field's bytes when its length is one byte and it lies inside the window
   * (most names): the cursor moves past it and `n1` holds its length; -1 otherwise (nothing moves). */
  private shortField(): number {
    const at = this.pos;
    const i = at - this.off;
    if (at < this.end && i >= 0 && at < this.lim && this.gen === this.src.gen) {
      const n = this.b[i];
      const end = at + 1 + n;
      if (n < 0x80 && end <= this.end && end <= this.lim) {
        this.pos = end;
        this.n1 = n;
        return i + 1;
      }
    }
    return -1;
  }

  private n1 = 0;

  /** Length of a length-delimited field, checked against the enclosing message. */
  length(): number {
    const at = this.pos;
    if (this.wire !== WIRE_LEN && this.wire >= 0) throw this.wrongWire(WIRE_LEN, at);
    let n = 0;
    const i = at - this.off;
    if (at < this.end && i >= 0 && at < this.lim && this.gen === this.src.gen && this.b[i] < 0x80) {
      n = this.b[i];
      this.pos = at + 1;
    } else {
      n = this.varint();
    }
    if (n < 0 || this.pos + n > this.end) {
      throw new WireError(`length field ${n} runs past the end of its message (ends at byte ${this.end})`, at);
    }
    return n;
  }

  /** Enters the length-delimited message at the cursor: it becomes the cursor's extent until leave(),
   * which is given the returned enclosing end. */
  enter(): number {
    const n = this.length();
    const outer = this.end;
    this.end = this.pos + n;
    return outer;
  }

  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  /** Moves the cursor onto [pos, end), a span recorded earlier (the caller keeps the old pos and end). */
  seek(pos: number, end: number): void {
    this.pos = pos;
    this.end = end;
    this.wire = -1;
  }

  /** Skips a length-delimited field, returning where its content starts (its length is pos - start). */
  span(): number {
    const n = this.length();
    const offset = this.pos;
    this.pos += n;
    return offset;
  }

  /** Locates a string field's bytes in the window: returns their offset in this.b and leaves the length in n1. */
  private stringBytes(maxBytes: number): number {
    const at = this.pos;
    if (this.wire !== WIRE_LEN && this.wire >= 0) throw this.wrongWire(WIRE_LEN, at);
    let o = this.shortField();
    let n = this.n1;
    if (o < 0) {
      n = this.length();
      if (n > maxBytes) throw new WireError(`string field of ${n} bytes exceeds the ${maxBytes}-byte limit`, at);
      o = n === 0 ? 0 : this.at(this.pos, n);
      this.pos += n;
    } else if (n > maxBytes) throw new WireError(`string field of ${n} bytes exceeds the ${maxBytes}-byte limit`, at);
    this.n1 = n;
    return o;
  }

  string(maxBytes = 64 << 20): string {
    const o = this.stringBytes(maxBytes);
    const n = this.n1;
    // native UTF-8 decoding (invalid sequences become U+FFFD, as with a non-fatal TextDecoder); measured
    // faster than a JS ASCII scan + latin1Slice on ONNX names
    return n === 0 ? '' : utf8Slice.call(this.b, o, o + n);
  }

  /** A string field that repeats across the model (op_type, domain, attribute names, symbolic dims,
   * external-data locations): the same text returns the same string, found by comparing bytes, without
   * decoding it again (and every later Map lookup on it reuses its hash). */
  name(maxBytes = 64 << 20): string {
    const o = this.stringBytes(maxBytes);
    const n = this.n1;
    if (n === 0) return '';
    const b = this.b;
    if (n > RECENT_MAX_BYTES) return utf8Slice.call(b, o, o + n);
    const slot = (n * 31 + b[o] * 7 + b[o + (n >> 1)] * 3 + b[o + n - 1]) & (RECENT_SLOTS - 1);
    const s = this.recent[slot];
    if (this.recentLen[slot] === n && this.sameBytes(s, this.recentPos[slot], o, n)) return s;
    const d = utf8Slice.call(b, o, o + n);
    this.recent[slot] = d;
    this.recentPos[slot] = this.off + o;
    this.recentLen[slot] = n;
    return d;
  }

  /** A name (node input, output or node name, initializer, graph input or output): every use of a name
   * returns the one string made at its first use, and numbers it: `refId` is its id (0, 1, 2, ... in
   * order of first use; -1 for the empty name). Each value is named once as an output and used one or
   * more times as an input, so this decodes about half the names of a graph file, and the validation
   * checks names as ids, with arrays instead of string-keyed maps. */
  ref(): string {
    const o = this.stringBytes(64 << 20);
    const n = this.n1;
    if (n === 0) {
      this.refId = -1;
      return '';
    }
    const b = this.b;
    // a multiplicative hash over the bytes, four at a time
    const dv = this.dv;
    let h = n;
    let high = 0;
    let k = o;
    for (const e4 = o + n - 3; k < e4; k += 4) {
      const w = dv.getInt32(k, true);
      high |= w;
      h = Math.imul(h ^ w, 0x5bd1e995);
      h ^= h >>> 15;
    }
    for (const e = o + n; k < e; k++) {
      const x = b[k];
      high |= x;
      h = Math.imul(h ^ x, 0x5bd1e995);
    }
    if ((high & 0x80808080) !== 0) return this.otherRef(utf8Slice.call(b, o, o + n)); // not ASCII
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h = (h ^ (h >>> 15)) & 0x3fffffff; // a small integer: the hash list stays an array of small integers
    let table = this.refTable;
    let mask = table.length - 1;
    let i = h & mask;
    for (let e = table[i]; e !== 0; e = table[i]) {
      const slot = e - 1;
      if (this.refHashes[slot] === h) {
        const s = this.refStrings[slot];
        if (s.length === n && this.sameBytes(s, this.refPos[slot], o, n)) {
          this.refId = this.refIds[slot];
          return s;
        }
      }
      i = (i + 1) & mask;
    }
    const s = latin1Slice.call(b, o, o + n); // ASCII: latin1 is the same text, without UTF-8 decoding
    const slot = this.refStrings.length;
    this.refStrings.push(s);
    this.refHashes[slot] = h;
    this.refPos[slot] = this.off + o;
    this.refIds[slot] = this.refId = this.refCount++;
    table[i] = slot + 1;
    if (2 * (slot + 1) > table.length) {
      // keep the table at most half full: rehash into twice the size
      table = this.refTable = new Int32Array(table.length * 2);
      mask = table.length - 1;
      this.refHashes = grownInt32(this.refHashes, table.length / 2 + 1);
      this.refIds = grownInt32(this.refIds, table.length / 2 + 1);
      const pos = new Float64Array(table.length / 2 + 1);
      pos.set(this.refPos);
      this.refPos = pos;
      for (let j = 0; j <= slot; j++) {
        let q = this.refHashes[j] & mask;
        while (table[q] !== 0) q = (q + 1) & mask;
        table[q] = j + 1;
      }
    }
    return s;
  }

  /** Whether string `s`, decoded from the n bytes at file offset `first`, is what the n bytes at b[o]
   * decode to: compared with those first bytes four at a time while they are in the window, else as
   * ASCII, char by char (an ASCII byte equal to each UTF-16 unit: the bytes decode to exactly `s`). */
  private sameBytes(s: string, first: number, o: number, n: number): boolean {
    const b = this.b;
    const q = first - this.off;
    if (q >= 0 && first + n <= this.lim) {
      const dv = this.dv;
      let j = 0;
      for (; j + 4 <= n; j += 4) if (dv.getInt32(q + j, true) !== dv.getInt32(o + j, true)) return false;
      for (; j < n; j++) if (b[q + j] !== b[o + j]) return false;
      return true;
    }
    if (s.length !== n) return false;
    for (let j = 0; j < n; j++) {
      const x = b[o + j];
      if (x >= 0x80 || s.charCodeAt(j) !== x) return false;
    }
    return true;
  }

  /** Id of a name outside the byte table (not ASCII): numbered through a Map (rare). */
  private otherRef(s: string): string {
    const others = (this.refOthers ??= new Map());
    let id = others.get(s);
    if (id === undefined) others.set(s, (id = this.refCount++));
    this.refId = id;
    return s;
  }

  /** Id of the name ref() returned last (-1: the empty name); callers may set it (see readTensor). */
  refId = -1;
  /** Number of ids handed out. */
  refCount = 0;
  /** file offset of each table name's first occurrence */
  private refOthers: Map<string, number> | undefined;

  /** Reads an external_data key and says which it is: 1 'location', 2 'offset', 3 'length', 0 another
   * (compared as two loads of its bytes, no string made: a graph file has three per weight). */
  externalKey(): number {
    const at = this.pos;
    const n = this.length();
    if (n > 64 << 20) throw new WireError(`string field of ${n} bytes exceeds the ${64 << 20}-byte limit`, at);
    const o = this.at(this.pos, n);
    this.pos += n;
    const dv = this.dv;
    if (n === 8) return dv.getInt32(o, true) === KEY_LOCA && dv.getInt32(o + 4, true) === KEY_TION ? 1 : 0;
    if (n !== 6) return 0;
    const head = dv.getInt32(o, true);
    const tail = dv.getUint16(o + 4, true);
    return head === KEY_OFFS && tail === KEY_ET ? 2 : head === KEY_LENG && tail === KEY_TH ? 3 : 0;
  }

  /** A string field holding a number, as Number(text) gives it. */
  numberString(): number {
    const n = this.length();
    const o = this.at(this.pos, n);
    this.pos += n;
    return Number(utf8Slice.call(this.b, o, o + n));
  }

  /** `len` bytes at file offset `pos` (a view valid until the next read). */
  view(pos: number, len: number): Uint8Array {
    const o = this.at(pos, len);
    return this.b.subarray(o, o + len);
  }

  float32(): number {
    if (this.wire !== WIRE_I32 && this.wire >= 0) throw this.wrongWire(WIRE_I32, this.pos);
    return this.rawFloat32();
  }

  /** A fixed32 float with no tag check (packed values). */
  rawFloat32(): number {
    if (this.pos + 4 > this.end) throw new WireError('truncated fixed32', this.pos);
    const o = this.at(this.pos, 4);
    this.pos += 4;
    return this.b.readFloatLE(o);
  }

  double(): number {
    if (this.wire !== WIRE_I64 && this.wire >= 0) throw this.wrongWire(WIRE_I64, this.pos);
    return this.rawDouble();
  }

  rawDouble(): number {
    if (this.pos + 8 > this.end) throw new WireError('truncated fixed64', this.pos);
    const o = this.at(this.pos, 8);
    this.pos += 8;
    return this.b.readDoubleLE(o);
  }

  skip(wire: number): void {
    const at = this.pos;
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.pos += 8;
        break;
      case WIRE_LEN: {
        const n = this.length(); // read first: `this.pos += this.length()` would lose the varint's advance
        this.pos += n;
        return;
      }
      case WIRE_I32:
        this.pos += 4;
        break;
      default:
        throw new WireError(`invalid wire type ${wire}`, at);
    }
    if (this.pos > this.end) throw new WireError('truncated fixed-width field', at);
  }

  /** Repeated int field that may be packed (LEN) or not (VARINT): values go to into[count], into[count + 1], ...
   * (a caller's scratch list, or a list being filled); returns the new count. */
  ints(wire: number, into: number[], count: number, limit = 1 << 24): number {
    if (wire === WIRE_LEN) {
      const outer = this.enter();
      while (this.pos < this.end) {
        into[count++] = this.varint();
        if (count > limit) throw new WireError(`more than ${limit} packed integers`, this.pos);
      }
      this.leave(outer);
    } else if (wire === WIRE_VARINT) {
      into[count++] = this.varint();
    } else {
      throw new WireError(`wire type ${wire} for an integer field`, this.pos);
    }
    return count;
  }

  floats(wire: number, into: number[], limit = 1 << 24): void {
    if (wire === WIRE_LEN) {
      const outer = this.enter();
      if ((this.end - this.pos) % 4 !== 0) throw new WireError('packed floats length not a multiple of 4', this.pos);
      while (this.pos < this.end) {
        into.push(this.rawFloat32());
        if (into.length > limit) throw new WireError(`more than ${limit} packed floats`, this.pos);
      }
      this.leave(outer);
    } else if (wire === WIRE_I32) {
      into.push(this.float32());
    } else {
      throw new WireError(`wire type ${wire} for a float field`, this.pos);
    }
  }
}

/** `a`'s values in a new Int32Array of length n (>= a.length). */
function grownInt32(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  const r = new Int32Array(n);
  r.set(a);
  return r;
}
