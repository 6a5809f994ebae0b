// ONNX TensorProto.DataType: numbers from onnx/onnx.proto (data_type up to 26 as of ONNX 1.19 / IR 13).
// Sizes are in bits so the sub-byte types (int4/uint4/float4: 4 bits, int2/uint2: 2 bits) count exactly.

export interface DTypeInfo {
  name: string;
  bits: number;
  /** float-like types take part in FLOP counting; integer/bool ops are counted too but flagged */
  float: boolean;
}

const TABLE: Record<number, DTypeInfo> = {
  0: { name: 'UNDEFINED', bits: 0, float: false },
  1: { name: 'FLOAT', bits: 32, float: true },
  2: { name: 'UINT8', bits: 8, float: false },
  3: { name: 'INT8', bits: 8, float: false },
  4: { name: 'UINT16', bits: 16, float: false },
  5: { name: 'INT16', bits: 16, float: false },
  6: { name: 'INT32', bits: 32, float: false },
  7: { name: 'INT64', bits: 64, float: false },
  8: { name: 'STRING', bits: 0, float: false },
  9: { name: 'BOOL', bits: 8, float: false },
  10: { name: 'FLOAT16', bits: 16, float: true },
  11: { name: 'DOUBLE', bits: 64, float: true },
  12: { name: 'UINT32', bits: 32, float: false },
  13: { name: 'UINT64', bits: 64, float: false },
  14: { name: 'COMPLEX64', bits: 64, float: true },
  15: { name: 'COMPLEX128', bits: 128, float: true },
  16: { name: 'BFLOAT16', bits: 16, float: true },
  17: { name: 'FLOAT8E4M3FN', bits: 8, float: true },
  18: { name: 'FLOAT8E4M3FNUZ', bits: 8, float: true },
  19: { name: 'FLOAT8E5M2', bits: 8, float: true },
  20: { name: 'FLOAT8E5M2FNUZ', bits: 8, float: true },
  21: { name: 'UINT4', bits: 4, float: false },
  22: { name: 'INT4', bits: 4, float: false },
  23: { name: 'FLOAT4E2M1', bits: 4, float: true },
  24: { name: 'FLOAT8E8M0', bits: 8, float: true },
  25: { name: 'UINT2', bits: 2, float: false },
  26: { name: 'INT2', bits: 2, float: false },
};

export const DT = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
  FLOAT4E2M1: 23,
  FLOAT8E8M0: 24,
  UINT2: 25,
  INT2: 26,
} as const;

export function dtypeInfo(dt: number): DTypeInfo | undefined {
  return TABLE[dt];
}

export function dtypeName(dt: number): string {
  return TABLE[dt]?.name ?? `UNKNOWN(${dt})`;
}

export function dtypeFromName(name: string): number | undefined {
  for (const [k, v] of Object.entries(TABLE)) if (v.name === name) return Number(k);
  return undefined;
}

/** Bytes for `elements` of dtype, rounding sub-byte packing up to whole bytes (as ONNX raw_data stores them). */
export function bytesFor(dt: number, elements: number): number {
  const bits = TABLE[dt]?.bits ?? 0;
  return Math.ceil((elements * bits) / 8);
}

export function isKnownDtype(dt: number): boolean {
  return dt in TABLE;
}
