// Lexical pieces of ONNX's textual syntax (the format of onnx.printer / onnx.parser, onnx/defs/printer.cc
// and parser.cc): identifiers are quoted when they are not [A-Za-z_][A-Za-z0-9_]*, strings escape only
// backslash and double quote, `float` is a scalar and `float[]` a tensor of unknown rank, an unknown
// dim prints as `?`. Pure: no vscode, no engine state.
import type { Dim, ValueType } from '../engine/onnx/ir';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** onnx's PrimitiveTypeNameMap spellings, by TensorProto.DataType number. */
const PRIMITIVE: Record<number, string> = {
  1: 'float',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'double',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
  24: 'float8e8m0',
  25: 'uint2',
  26: 'int2',
};

export function primitiveName(dtype: number): string {
  return PRIMITIVE[dtype] ?? `undefined${dtype === 0 ? '' : dtype}`;
}

export function isIdentifier(s: string): boolean {
  return IDENT.test(s);
}

/**
 * A quoted string as the printer writes it: backslash and quote escaped. Newlines and other control
 * characters are escaped too (the printer leaves them raw), so one printed line stays one source line.
 */
export function quote(s: string): string {
  return (
    '"' +
    s
      .replace(/[\\"]/g, (c) => '\\' + c)
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
      .replace(/[\u0000-\u001f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : ' ')) +
    '"'
  );
}

/** An identifier, quoted when it is not a plain one ("" for an omitted optional input). */
export function id(s: string): string {
  return IDENT.test(s) ? s : quote(s);
}

export function dim(d: Dim): string {
  if (d === null) return '?';
  if (typeof d === 'number') return String(d);
  return IDENT.test(d) ? d : quote(d);
}

export function dims(ds: Dim[]): string {
  return '[' + ds.map(dim).join(',') + ']';
}

/** A tensor type: `float[batch,3]`; rank 0 is `float`; unknown rank is `float[]`. */
export function tensorType(dtype: number, ds: Dim[] | null): string {
  const p = primitiveName(dtype);
  if (ds === null) return p + '[]';
  return ds.length ? p + dims(ds) : p;
}

export function valueType(t: ValueType | null | undefined): string {
  if (!t) return '?';
  switch (t.kind) {
    case 'tensor':
      return tensorType(t.dtype, t.dims);
    case 'sparse_tensor':
      return `sparse_tensor(${tensorType(t.dtype, t.dims)})`;
    case 'sequence':
      return `seq(${valueType(t.elem)})`;
    case 'optional':
      return `optional(${valueType(t.elem)})`;
    case 'map':
      return `map(${primitiveName(t.keyDtype)}, ${valueType(t.value)})`;
    case 'opaque':
      return 'opaque()';
  }
}

/**
 * A number as the printer writes it (std::to_chars: the shortest form that round-trips). Floats stored as
 * float32 (attribute floats, FLOAT tensors) are written with the fewest digits that give the same float32,
 * so 0.1f prints as 0.1 rather than 0.10000000149011612.
 */
export function num(v: number, float32 = false): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (Number.isInteger(v) && !float32) {
    // int64 limits (Slice's "to the end") arrive as doubles rounded to +-2^63, which overflow int64: print the limits
    if (v >= 2 ** 63) return '9223372036854775807';
    if (v <= -(2 ** 63)) return '-9223372036854775808';
    return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
  }
  if (float32) {
    const f = Math.fround(v);
    for (let p = 1; p <= 9; p++) {
      const s = Number(f.toPrecision(p));
      if (Math.fround(s) === f) return String(s);
    }
  }
  return String(v);
}
