// TensorProto (and SparseTensorProto) walk: dims, dtype, name and where the payload lives.
// Payload fields are skipped by position; only small numeric tensors are decoded (shape arguments).
import { Cursor, WIRE_LEN, WireError } from './wire';
import { SMALL_TENSOR_MAX, type SparseTensorInfo, type TensorInfo } from './ir';
import { DT, isKnownDtype } from './dtypes';
import { ExternalDataEscapeError } from './external';

export interface TensorContext {
  /** resolves an external_data location against the model's folder */
  resolveExternal(location: string, offset: number, length: number | null): { resolved: string | null; missing: boolean };
}

type Span = { offset: number; length: number; wire: number };

export function readTensor(c: Cursor, ctx: TensorContext): TensorInfo {
  const dims: number[] = [];
  let dtype = 0;
  let name = '';
  let raw: Span | null = null;
  const typed: { field: number; spans: Span[] } = { field: 0, spans: [] };
  const ext: Record<string, string> = {};
  let dataLocation = 0;
  while (!c.done) {
    const { field, wire } = c.tag();
    switch (field) {
      case 1: c.ints(wire, dims, 64); break; // dims (rank > 64 is refused below)
      case 2: dtype = c.int(); break;
      case 8: name = c.string(); break;
      case 9: raw = { ...c.span(), wire }; break;
      case 4: case 5: case 6: case 7: case 10: case 11: {
        typed.field = field;
        if (wire === WIRE_LEN) typed.spans.push({ ...c.span(), wire });
        else { const at = c.pos; c.skip(wire); typed.spans.push({ offset: at, length: c.pos - at, wire }); }
        break;
      }
      case 13: {
        const kv = c.sub();
        let k = '', v = '';
        while (!kv.done) {
          const t = kv.tag();
          if (t.field === 1) k = kv.string(); else if (t.field === 2) v = kv.string(); else kv.skip(t.wire);
        }
        ext[k] = v;
        break;
      }
      case 14: dataLocation = c.int(); break;
      default: c.skip(wire);
    }
  }
  if (dims.length > 64) throw new WireError(`tensor '${name}' has rank ${dims.length} (over 64)`, c.pos);
  let elements = 1;
  for (const d of dims) {
    if (d < 0) throw new WireError(`tensor '${name}' has negative dimension ${d}`, c.pos);
    elements *= d;
  }
  if (!isKnownDtype(dtype)) throw new WireError(`tensor '${name}' has unknown data_type ${dtype}`, c.pos);
  const t: TensorInfo = { name, dtype, dims, elements, data: { kind: 'none' } };
  if (dataLocation === 1 || ext.location !== undefined) {
    const location = ext.location ?? '';
    const offset = ext.offset !== undefined ? Number(ext.offset) : 0;
    const length = ext.length !== undefined ? Number(ext.length) : null;
    if (!Number.isFinite(offset) || offset < 0 || (length !== null && (!Number.isFinite(length) || length < 0))) {
      throw new WireError(`tensor '${name}' has invalid external_data offset/length`, c.pos);
    }
    let r: { resolved: string | null; missing: boolean };
    try {
      r = ctx.resolveExternal(location, offset, length);
    } catch (e) {
      if (e instanceof ExternalDataEscapeError) e.where = `tensor '${name}', byte ${c.pos}`;
      throw e;
    }
    t.data = { kind: 'external', location, offset, length, resolved: r.resolved, missing: r.missing };
  } else if (raw) {
    t.data = { kind: 'embedded', field: 'raw_data', offset: raw.offset, length: raw.length };
    if (elements <= SMALL_TENSOR_MAX) t.values = decodeRaw(c, raw, dtype, elements);
  } else if (typed.spans.length) {
    const first = typed.spans[0];
    const last = typed.spans[typed.spans.length - 1];
    t.data = { kind: 'embedded', field: 'typed', offset: first.offset, length: last.offset + last.length - first.offset };
    if (elements <= SMALL_TENSOR_MAX) t.values = decodeTyped(c, typed.field, typed.spans, dtype, elements);
  }
  return t;
}

export function readSparseTensor(c: Cursor, ctx: TensorContext): SparseTensorInfo {
  let values: TensorInfo | null = null;
  let indices: TensorInfo | null = null;
  const dims: number[] = [];
  while (!c.done) {
    const { field, wire } = c.tag();
    if (field === 1) values = readTensor(c.sub(), ctx);
    else if (field === 2) indices = readTensor(c.sub(), ctx);
    else if (field === 3) c.ints(wire, dims, 64);
    else c.skip(wire);
  }
  const empty: TensorInfo = { name: '', dtype: 0, dims: [], elements: 0, data: { kind: 'none' } };
  values ??= empty;
  indices ??= empty;
  let elements = 1;
  for (const d of dims) elements *= d;
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

function decodeRaw(c: Cursor, raw: Span, dtype: number, elements: number): number[] | undefined {
  // View only what `elements` need: a corrupt raw_data far longer than its dims must not be read.
  const width = RAW_WIDTH[dtype];
  if (!width || raw.length < elements * width) return undefined;
  const bytes = c.src.view(raw.offset, elements * width);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  const need = (w: number) => bytes.length >= elements * w;
  switch (dtype) {
    case DT.FLOAT: if (!need(4)) return; for (let i = 0; i < elements; i++) out.push(dv.getFloat32(i * 4, true)); break;
    case DT.DOUBLE: if (!need(8)) return; for (let i = 0; i < elements; i++) out.push(dv.getFloat64(i * 8, true)); break;
    case DT.INT64: if (!need(8)) return; for (let i = 0; i < elements; i++) out.push(Number(dv.getBigInt64(i * 8, true))); break;
    case DT.UINT64: if (!need(8)) return; for (let i = 0; i < elements; i++) out.push(Number(dv.getBigUint64(i * 8, true))); break;
    case DT.INT32: if (!need(4)) return; for (let i = 0; i < elements; i++) out.push(dv.getInt32(i * 4, true)); break;
    case DT.UINT32: if (!need(4)) return; for (let i = 0; i < elements; i++) out.push(dv.getUint32(i * 4, true)); break;
    case DT.INT16: if (!need(2)) return; for (let i = 0; i < elements; i++) out.push(dv.getInt16(i * 2, true)); break;
    case DT.UINT16: if (!need(2)) return; for (let i = 0; i < elements; i++) out.push(dv.getUint16(i * 2, true)); break;
    case DT.FLOAT16: if (!need(2)) return; for (let i = 0; i < elements; i++) out.push(halfToFloat(dv.getUint16(i * 2, true))); break;
    case DT.BFLOAT16: if (!need(2)) return; for (let i = 0; i < elements; i++) out.push(bf16ToFloat(dv.getUint16(i * 2, true))); break;
    case DT.INT8: if (!need(1)) return; for (let i = 0; i < elements; i++) out.push(dv.getInt8(i)); break;
    case DT.UINT8: case DT.BOOL: if (!need(1)) return; for (let i = 0; i < elements; i++) out.push(dv.getUint8(i)); break;
    default: return undefined;
  }
  return out;
}

const RAW_WIDTH: Record<number, number> = {
  [DT.FLOAT]: 4, [DT.DOUBLE]: 8, [DT.INT64]: 8, [DT.UINT64]: 8, [DT.INT32]: 4, [DT.UINT32]: 4, [DT.INT16]: 2,
  [DT.UINT16]: 2, [DT.FLOAT16]: 2, [DT.BFLOAT16]: 2, [DT.INT8]: 1, [DT.UINT8]: 1, [DT.BOOL]: 1,
};

function decodeTyped(c: Cursor, field: number, spans: Span[], dtype: number, elements: number): number[] | undefined {
  const out: number[] = [];
  for (const s of spans) {
    // a typed field holding more values than the dims say is corrupt: do not decode past what is needed
    if (out.length > elements) return undefined;
    const sc = new Cursor(c.src, s.offset, s.offset + s.length);
    if (field === 4) { // float_data
      if (s.wire === WIRE_LEN) { while (!sc.done && out.length <= elements) out.push(sc.float32()); }
      else out.push(sc.float32());
    } else if (field === 10) { // double_data
      if (s.wire === WIRE_LEN) { while (!sc.done && out.length <= elements) out.push(sc.double()); }
      else out.push(sc.double());
    } else if (field === 5 || field === 7 || field === 11) {
      while (!sc.done && out.length <= elements) out.push(sc.varint());
    } else {
      return undefined; // string_data
    }
  }
  if (out.length !== elements) return undefined;
  if (field === 5 && dtype === DT.FLOAT16) return out.map(halfToFloat);
  if (field === 5 && dtype === DT.BFLOAT16) return out.map(bf16ToFloat);
  if (field === 5 && (dtype === DT.INT32 || dtype === DT.INT16 || dtype === DT.INT8)) return out.map((v) => v | 0);
  return out;
}
