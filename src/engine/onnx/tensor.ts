// TensorProto (and SparseTensorProto) walk: dims, dtype, name and where the payload lives.
// Payload fields are skipped by position; only small numeric tensors are decoded (shape arguments).
import { type Cursor, WIRE_LEN, WireError } from './wire';
import { SMALL_TENSOR_MAX, type SparseTensorInfo, type TensorInfo } from './ir';
import { DT, isKnownDtype } from './dtypes';
import { ExternalDataEscapeError } from './external';
import { LIMITS } from '../limits';

export interface TensorContext {
  /** resolves an external_data location against the model's folder */
  resolveExternal(
    location: string,
    offset: number,
    length: number | null,
  ): { resolved: string | null; missing: boolean };
}

type Span = { offset: number; length: number; wire: number };

/** Reads the TensorProto the cursor is on (entered as a message). */
/** Scratch for a tensor's dims, copied out at exact size (readTensor never nests inside its own field loop). */
const DIMS: number[] = [];

export function readTensor(c: Cursor, ctx: TensorContext): TensorInfo {
  let rank = 0;
  let dtype = 0;
  let name = '';
  let nameId = -1;
  let rawOffset = -1;
  let rawLength = 0;
  let typedField = 0;
  let typed: Span[] | null = null;
  // external_data entries: only these keys matter (last one wins, as protobuf map semantics)
  let location: string | undefined, offset: number | undefined, length: number | undefined;
  let dataLocation = 0;
  while (c.pos < c.end) {
    const field = c.tag();
    const wire = c.wire;
    switch (field) {
      case 1:
        rank = c.ints(wire, DIMS, rank, 64);
        break; // dims (rank > 64 is refused below)
      case 2:
        dtype = c.int();
        break;
      case 8:
        name = c.ref();
        nameId = c.refId;
        break;
      case 9:
        rawOffset = c.span();
        rawLength = c.pos - rawOffset;
        break;
      case 4:
      case 5:
      case 6:
      case 7:
      case 10:
      case 11: {
        typedField = field;
        typed ??= [];
        if (wire === WIRE_LEN) {
          const o = c.span();
          typed.push({ offset: o, length: c.pos - o, wire });
        } else {
          const at = c.pos;
          c.skip(wire);
          typed.push({ offset: at, length: c.pos - at, wire });
        }
        break;
      }
      case 13: {
        // StringStringEntryProto (key = 1, value = 2): only three keys matter, compared as bytes; the value
        // is read once the key is known (it may come first)
        const outer = c.enter();
        let key = 0;
        let valueAt = -1;
        while (c.pos < c.end) {
          const f = c.tag();
          if (f === 1) key = c.externalKey();
          else if (f === 2) {
            valueAt = c.pos;
            const n = c.length();
            if (n > 64 << 20)
              throw new WireError(`string field of ${n} bytes exceeds the ${64 << 20}-byte limit`, valueAt);
            c.pos += n;
          } else c.skip(c.wire);
        }
        if (key) {
          const end = c.pos;
          if (valueAt >= 0) {
            c.pos = valueAt;
            c.wire = WIRE_LEN;
          }
          if (key === 1) location = valueAt >= 0 ? c.name() : '';
          else if (key === 2) offset = valueAt >= 0 ? c.numberString() : 0;
          else length = valueAt >= 0 ? c.numberString() : 0;
          c.pos = end;
        }
        c.leave(outer);
        break;
      }
      case 14:
        dataLocation = c.int();
        break;
      default:
        c.skip(wire);
    }
  }
  const dims = DIMS.slice(0, rank);
  if (dims.length > LIMITS.maxRank)
    throw new WireError(`tensor '${name}' has rank ${dims.length} (over the limit maxRank, ${LIMITS.maxRank})`, c.pos);
  let elements = 1;
  for (let k = 0; k < dims.length; k++) {
    const d = dims[k];
    if (d < 0) throw new WireError(`tensor '${name}' has negative dimension ${d}`, c.pos);
    elements *= d;
  }
  if (elements > LIMITS.maxElements)
    throw new WireError(`tensor '${name}' has ${elements} elements, over the limit maxElements (2^63)`, c.pos);
  if (!isKnownDtype(dtype)) throw new WireError(`tensor '${name}' has unknown data_type ${dtype}`, c.pos);
  const t: TensorInfo = { name, dtype, dims, elements, data: { kind: 'none' } };
  if (dataLocation === 1 || location !== undefined) {
    location ??= '';
    offset ??= 0;
    const len = length ?? null;
    if (!Number.isFinite(offset) || offset < 0 || (len !== null && (!Number.isFinite(len) || len < 0))) {
      throw new WireError(`tensor '${name}' has invalid external_data offset/length`, c.pos);
    }
    let r: { resolved: string | null; missing: boolean };
    try {
      r = ctx.resolveExternal(location, offset, len);
    } catch (e) {
      if (e instanceof ExternalDataEscapeError) e.where = `tensor '${name}', byte ${c.pos}`;
      throw e;
    }
    t.data = { kind: 'external', location, offset, length: len, resolved: r.resolved, missing: r.missing };
  } else if (rawOffset >= 0) {
    t.data = { kind: 'embedded', field: 'raw_data', offset: rawOffset, length: rawLength };
    if (elements <= SMALL_TENSOR_MAX) t.values = decodeRaw(c, rawOffset, rawLength, dtype, elements);
  } else if (typed) {
    const first = typed[0];
    const last = typed[typed.length - 1];
    t.data = {
      kind: 'embedded',
      field: 'typed',
      offset: first.offset,
      length: last.offset + last.length - first.offset,
    };
    if (elements <= SMALL_TENSOR_MAX) t.values = decodeTyped(c, typedField, typed, dtype, elements);
  }
  c.refId = nameId; // the name's id, for the caller (an initializer's name is validated)
  return t;
}

/** Reads the SparseTensorProto the cursor is on (entered as a message). */
export function readSparseTensor(c: Cursor, ctx: TensorContext): SparseTensorInfo {
  let values: TensorInfo | null = null;
  let indices: TensorInfo | null = null;
  let valuesId = -1;
  const dims: number[] = [];
  while (c.pos < c.end) {
    const field = c.tag();
    if (field === 1 || field === 2) {
      const outer = c.enter();
      const t = readTensor(c, ctx);
      c.leave(outer);
      if (field === 1) {
        values = t;
        valuesId = c.refId;
      } else indices = t;
    } else if (field === 3) c.ints(c.wire, dims, dims.length, 64);
    else c.skip(c.wire);
  }
  const empty = (): TensorInfo => ({ name: '', dtype: 0, dims: [], elements: 0, data: { kind: 'none' } });
  values ??= empty();
  indices ??= empty();
  let elements = 1;
  for (let k = 0; k < dims.length; k++) elements *= dims[k];
  c.refId = valuesId; // the values tensor's name id, for the caller (a sparse initializer's name is validated)
  return { dims, values, indices, elements };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function bf16ToFloat(h: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, h << 16);
  return dv.getFloat32(0);
}

function decodeRaw(
  c: Cursor,
  rawOffset: number,
  rawLength: number,
  dtype: number,
  elements: number,
): number[] | undefined {
  // View only what `elements` need: a corrupt raw_data far longer than its dims must not be read.
  const width = RAW_WIDTH[dtype];
  if (!width || rawLength < elements * width) return undefined;
  const bytes = c.view(rawOffset, elements * width);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  const need = (w: number) => bytes.length >= elements * w;
  switch (dtype) {
    case DT.FLOAT:
      if (!need(4)) return;
      for (let i = 0; i < elements; i++) out.push(dv.getFloat32(i * 4, true));
      break;
    case DT.DOUBLE:
      if (!need(8)) return;
      for (let i = 0; i < elements; i++) out.push(dv.getFloat64(i * 8, true));
      break;
    case DT.INT64:
      if (!need(8)) return;
      for (let i = 0; i < elements; i++) out.push(Number(dv.getBigInt64(i * 8, true)));
      break;
    case DT.UINT64:
      if (!need(8)) return;
      for (let i = 0; i < elements; i++) out.push(Number(dv.getBigUint64(i * 8, true)));
      break;
    case DT.INT32:
      if (!need(4)) return;
      for (let i = 0; i < elements; i++) out.push(dv.getInt32(i * 4, true));
      break;
    case DT.UINT32:
      if (!need(4)) return;
      for (let i = 0; i < elements; i++) out.push(dv.getUint32(i * 4, true));
      break;
    case DT.INT16:
      if (!need(2)) return;
      for (let i = 0; i < elements; i++) out.push(dv.getInt16(i * 2, true));
      break;
    case DT.UINT16:
      if (!need(2)) return;
      for (let i = 0; i < elements; i++) out.push(dv.getUint16(i * 2, true));
      break;
    case DT.FLOAT16:
      if (!need(2)) return;
      for (let i = 0; i < elements; i++) out.push(halfToFloat(dv.getUint16(i * 2, true)));
      break;
    case DT.BFLOAT16:
      if (!need(2)) return;
      for (let i = 0; i < elements; i++) out.push(bf16ToFloat(dv.getUint16(i * 2, true)));
      break;
    case DT.INT8:
      if (!need(1)) return;
      for (let i = 0; i < elements; i++) out.push(dv.getInt8(i));
      break;
    case DT.UINT8:
    case DT.BOOL:
      if (!need(1)) return;
      for (let i = 0; i < elements; i++) out.push(dv.getUint8(i));
      break;
    default:
      return undefined;
  }
  return out;
}

const RAW_WIDTH: Record<number, number> = {
  [DT.FLOAT]: 4,
  [DT.DOUBLE]: 8,
  [DT.INT64]: 8,
  [DT.UINT64]: 8,
  [DT.INT32]: 4,
  [DT.UINT32]: 4,
  [DT.INT16]: 2,
  [DT.UINT16]: 2,
  [DT.FLOAT16]: 2,
  [DT.BFLOAT16]: 2,
  [DT.INT8]: 1,
  [DT.UINT8]: 1,
  [DT.BOOL]: 1,
};

function decodeTyped(c: Cursor, field: number, spans: Span[], dtype: number, elements: number): number[] | undefined {
  const out: number[] = [];
  const pos = c.pos,
    end = c.end;
  for (const s of spans) {
    // a typed field holding more values than the dims say is corrupt: do not decode past what is needed
    if (out.length > elements) break;
    c.seek(s.offset, s.offset + s.length);
    if (field === 4) {
      // float_data
      if (s.wire === WIRE_LEN) {
        while (c.pos < c.end && out.length <= elements) out.push(c.rawFloat32());
      } else out.push(c.rawFloat32());
    } else if (field === 10) {
      // double_data
      if (s.wire === WIRE_LEN) {
        while (c.pos < c.end && out.length <= elements) out.push(c.rawDouble());
      } else out.push(c.rawDouble());
    } else if (field === 5 || field === 7 || field === 11) {
      while (c.pos < c.end && out.length <= elements) out.push(c.varint());
    } else {
      c.seek(pos, end);
      return undefined; // string_data
    }
  }
  c.seek(pos, end);
  if (out.length !== elements) return undefined;
  if (field === 5 && dtype === DT.FLOAT16) return out.map(halfToFloat);
  if (field === 5 && dtype === DT.BFLOAT16) return out.map(bf16ToFloat);
  if (field === 5 && (dtype === DT.INT32 || dtype === DT.INT16 || dtype === DT.INT8)) return out.map((v) => v | 0);
  return out;
}
