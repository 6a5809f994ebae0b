// Protobuf wire-format cursor over a ByteSource.
// Hand-written rather than protobufjs because protobufjs decodes a message from one in-memory buffer
// and copies every bytes field: a 1.6 GB model would be read whole. This cursor walks fields by
// position and lets the reader skip tensor payloads without touching them.
import type { ByteSource } from './source';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export class WireError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}


const WIRE_NAMES = ['varint', 'fixed64', 'length-delimited', 'group start', 'group end', 'fixed32'];

export class Cursor {
  /** wire type and field number of the last tag read (-1 before any): field reads check it */
  private lastWire = -1;
  private lastField = 0;
  private readonly lastTag = { field: 0, wire: 0 };

  constructor(readonly src: ByteSource, public pos: number, readonly end: number) {}

  /** Refuses a field whose wire type is not the one its schema declares (a corrupt or foreign file). */
  private expectWire(want: number, at: number): void {
    if (this.lastWire >= 0 && this.lastWire !== want) {
      throw new WireError(`field ${this.lastField} has wire type ${this.lastWire} (${WIRE_NAMES[this.lastWire] ?? '?'}), expected ${WIRE_NAMES[want]}`, at);
    }
  }

  /** A varint field's value (after tag()). */
  int(): number {
    this.expectWire(WIRE_VARINT, this.pos);
    return this.varint();
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Varint as a JS number (exact to 2^53; larger magnitudes are approximated, negatives via 64-bit two's complement). */
  varint(): number {
    const start = this.pos;
    const avail = Math.min(10, this.end - start);
    if (avail <= 0) throw new WireError('truncated varint', start);
    const o = this.src.ensure(start, avail);
    const b = this.src.data;
    let lo = 0;
    let shift = 0;
    let i = 0;
    // first 4 bytes into a 28-bit int, fast path for small values
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

  /** The next field's number and wire type. The returned object is reused by the next call on this
   * cursor (callers destructure it at once): one allocation per message instead of one per field. */
  tag(): { field: number; wire: number } {
    const at = this.pos;
    const t = this.varint();
    const field = Math.floor(t / 8);
    const wire = t & 7;
    if (field === 0) throw new WireError('invalid field number 0', at);
    if (wire === 3 || wire === 4 || wire > 5) throw new WireError(`invalid wire type ${wire}`, at);
    this.lastWire = wire;
    this.lastField = field;
    const r = this.lastTag;
    r.field = field;
    r.wire = wire;
    return r;
  }

  /** Length of a length-delimited field, checked against the enclosing message. */
  length(): number {
    const at = this.pos;
    this.expectWire(WIRE_LEN, at);
    const n = this.varint();
    if (n < 0 || this.pos + n > this.end) {
      throw new WireError(`length field ${n} runs past the end of its message (ends at byte ${this.end})`, at);
    }
    return n;
  }

  sub(): Cursor {
    const n = this.length();
    const c = new Cursor(this.src, this.pos, this.pos + n);
    this.pos += n;
    return c;
  }

  /** Start offset and length of a bytes field, skipping its content. */
  span(): { offset: number; length: number } {
    const n = this.length();
    const offset = this.pos;
    this.pos += n;
    return { offset, length: n };
  }

  string(maxBytes = 64 << 20): string {
    const at = this.pos;
    const n = this.length();
    if (n > maxBytes) throw new WireError(`string field of ${n} bytes exceeds the ${maxBytes}-byte limit`, at);
    const o = this.src.ensure(this.pos, n);
    const b = this.src.data;
    this.pos += n;
    // Buffer's native UTF-8 decoding (invalid sequences become U+FFFD, as with a non-fatal TextDecoder).
    return b.toString('utf8', o, o + n);
  }

  float32(): number {
    this.expectWire(WIRE_I32, this.pos);
    if (this.pos + 4 > this.end) throw new WireError('truncated fixed32', this.pos);
    const v = this.src.view(this.pos, 4);
    this.pos += 4;
    return new DataView(v.buffer, v.byteOffset, 4).getFloat32(0, true);
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

  /** Repeated int field that may be packed (LEN) or not (VARINT). */
  ints(wire: number, into: number[], limit = 1 << 24): void {
    if (wire === WIRE_LEN) {
      const c = this.sub();
      while (!c.done) {
        into.push(c.varint());
        if (into.length > limit) throw new WireError(`more than ${limit} packed integers`, c.pos);
      }
    } else if (wire === WIRE_VARINT) {
      into.push(this.varint());
    } else {
      throw new WireError(`wire type ${wire} for an integer field`, this.pos);
    }
  }

  floats(wire: number, into: number[], limit = 1 << 24): void {
    if (wire === WIRE_LEN) {
      const c = this.sub();
      if ((c.end - c.pos) % 4 !== 0) throw new WireError('packed floats length not a multiple of 4', c.pos);
      while (!c.done) {
        into.push(c.float32());
        if (into.length > limit) throw new WireError(`more than ${limit} packed floats`, c.pos);
      }
    } else if (wire === WIRE_I32) {
      into.push(this.float32());
    } else {
      throw new WireError(`wire type ${wire} for a float field`, this.pos);
    }
  }

  double(): number {
    this.expectWire(WIRE_I64, this.pos);
    if (this.pos + 8 > this.end) throw new WireError('truncated fixed64', this.pos);
    const v = this.src.view(this.pos, 8);
    this.pos += 8;
    return new DataView(v.buffer, v.byteOffset, 8).getFloat64(0, true);
  }
}
