// Every TensorProto data type 0..26: element sizes (sub-byte types included), names, payload locations,
// and decoding of small tensors from raw_data and from each typed field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { bytesFor, dtypeFromName, dtypeInfo, dtypeName, isKnownDtype, DT } from '../../src/engine/onnx/dtypes';
import { modelStats } from '../../src/engine/onnx/stats';
import { OnnxReadError } from '../../src/engine/onnx/errors';
import { BITS, T, floatToHalf, graph, model, node, rawOf, tensor, vi, type TensorOpts } from '../fixtures/onnx-writer';

const ALL = Object.entries(T) as [keyof typeof T, number][];

function oneInit(dtype: number, dims: number[], opts: TensorOpts) {
  return readModelBytes(
    model({
      irVersion: 11,
      opsets: { '': 23 },
      graph: graph({
        nodes: [node('Identity', ['w'], ['y'])],
        initializers: [tensor('w', dtype, dims, opts)],
        outputs: [vi('y', dtype, dims)],
      }),
    }),
  );
}

test('the dtype table covers 0..26 with onnx.proto names and bit widths', () => {
  assert.equal(ALL.length, 27);
  for (const [name, dt] of ALL) {
    assert.ok(isKnownDtype(dt), name);
    assert.equal(dtypeName(dt), name);
    assert.equal(dtypeFromName(name), dt);
    if (dt !== T.UNDEFINED && dt !== T.STRING) assert.equal(dtypeInfo(dt)!.bits, BITS[dt], `${name} bits`);
  }
  assert.equal(isKnownDtype(27), false);
  assert.equal(dtypeName(27), 'UNKNOWN(27)');
  assert.equal(dtypeInfo(DT.FLOAT8E4M3FN)!.float, true);
  assert.equal(dtypeInfo(DT.INT4)!.float, false);
});

test('bytesFor: whole bytes per element, sub-byte types packed and rounded up', () => {
  assert.equal(bytesFor(T.FLOAT, 10), 40);
  assert.equal(bytesFor(T.COMPLEX128, 3), 48);
  assert.equal(bytesFor(T.BFLOAT16, 7), 14);
  assert.equal(bytesFor(T.FLOAT8E5M2, 9), 9);
  assert.equal(bytesFor(T.INT4, 15), 8); // 60 bits -> 8 bytes
  assert.equal(bytesFor(T.UINT4, 16), 8);
  assert.equal(bytesFor(T.FLOAT4E2M1, 1), 1);
  assert.equal(bytesFor(T.INT2, 15), 4); // 30 bits -> 4 bytes
  assert.equal(bytesFor(T.UINT2, 4), 1);
  assert.equal(bytesFor(T.UINT2, 0), 0);
  assert.equal(bytesFor(99, 10), 0);
});

test('an initializer of every dtype reads with its dims, element count and raw_data span', () => {
  for (const [name, dt] of ALL) {
    if (dt === T.STRING || dt === T.UNDEFINED) continue;
    const n = 15;
    const raw = new Uint8Array(bytesFor(dt, n)).map((_, k) => (k * 37) & 0xff);
    const m = oneInit(dt, [3, 5], { raw });
    const t = m.graph.initializers[0];
    assert.equal(t.dtype, dt, name);
    assert.deepEqual(t.dims, [3, 5]);
    assert.equal(t.elements, 15);
    assert.ok(
      t.data.kind === 'embedded' && t.data.field === 'raw_data' && t.data.length === raw.length,
      `${name}: raw span`,
    );
    const s = modelStats(m);
    assert.equal(s.parameterCount, 15);
    assert.equal(s.parameterBytes, raw.length, `${name}: parameter bytes`);
    assert.deepEqual(s.parameterCountByDtype, { [dt]: 15 });
  }
});

test('STRING and UNDEFINED tensors read; an unknown data_type is one OnnxReadError', () => {
  const s = oneInit(T.STRING, [2], { strings: ['ab', 'c'] }).graph.initializers[0];
  assert.equal(s.elements, 2);
  assert.equal(s.values, undefined);
  assert.equal(oneInit(T.UNDEFINED, [0], {}).graph.initializers[0].elements, 0);
  assert.throws(
    () => oneInit(27, [2], {}),
    (e: unknown) => e instanceof OnnxReadError && /unknown data_type 27/.test(e.problem) && /^byte \d+$/.test(e.where!),
  );
});

test('small tensors decode from raw_data for every byte-aligned numeric dtype', () => {
  const cases: [number, number[]][] = [
    [T.FLOAT, [1.5, -2, 0]],
    [T.DOUBLE, [1e300, -0.5]],
    [T.INT64, [-1, 2 ** 40, 7]],
    [T.UINT64, [2 ** 50, 3]],
    [T.INT32, [-2147483648, 5]],
    [T.UINT32, [4294967295, 0]],
    [T.INT16, [-32768, 12]],
    [T.UINT16, [65535, 1]],
    [T.INT8, [-128, 127]],
    [T.UINT8, [255, 0]],
    [T.BOOL, [1, 0, 1]],
  ];
  for (const [dt, vals] of cases) {
    const t = oneInit(dt, [vals.length], { raw: rawOf(dt, vals) }).graph.initializers[0];
    assert.deepEqual(t.values, vals, dtypeName(dt));
  }
  // half and bfloat16 from their bit patterns
  const h = oneInit(T.FLOAT16, [3], { raw: rawOf(T.FLOAT16, [floatToHalf(1), floatToHalf(-2.5), floatToHalf(65504)]) })
    .graph.initializers[0];
  assert.deepEqual(h.values, [1, -2.5, 65504]);
  const b = oneInit(T.BFLOAT16, [2], { raw: rawOf(T.BFLOAT16, [0x3f80, 0xc040]) }).graph.initializers[0];
  assert.deepEqual(b.values, [1, -3]);
  // float8 / 4-bit types are not decoded (never shape arguments); their span is still recorded
  const f8 = oneInit(T.FLOAT8E4M3FN, [4], { raw: new Uint8Array(4) }).graph.initializers[0];
  assert.equal(f8.values, undefined);
});

test('small tensors decode from each typed field (float/int32/int64/double/uint64_data)', () => {
  assert.deepEqual(oneInit(T.FLOAT, [2], { values: [0.5, -1] }).graph.initializers[0].values, [0.5, -1]);
  assert.deepEqual(oneInit(T.INT64, [3], { values: [-5, 0, 2 ** 33] }).graph.initializers[0].values, [-5, 0, 2 ** 33]);
  assert.deepEqual(oneInit(T.INT32, [2], { values: [-7, 9] }).graph.initializers[0].values, [-7, 9]);
  assert.deepEqual(oneInit(T.INT8, [2], { values: [-3, 4] }).graph.initializers[0].values, [-3, 4]);
  assert.deepEqual(oneInit(T.DOUBLE, [2], { values: [0.1, 2] }).graph.initializers[0].values, [0.1, 2]);
  assert.deepEqual(oneInit(T.UINT64, [2], { values: [1, 2 ** 40] }).graph.initializers[0].values, [1, 2 ** 40]);
  assert.deepEqual(
    oneInit(T.FLOAT16, [2], { values: [floatToHalf(0.5), floatToHalf(-4)] }).graph.initializers[0].values,
    [0.5, -4],
  );
  const t = oneInit(T.FLOAT, [2], { values: [1, 2] }).graph.initializers[0];
  assert.ok(t.data.kind === 'embedded' && t.data.field === 'typed' && t.data.length === 8);
});

test('big tensors are never decoded; a payload that disagrees with its dims is not decoded either', () => {
  const big = oneInit(T.INT64, [5000], { raw: new Uint8Array(5000 * 8) }).graph.initializers[0];
  assert.equal(big.values, undefined);
  assert.equal(big.elements, 5000);
  // raw_data shorter than the dims need
  assert.equal(oneInit(T.FLOAT, [4], { raw: new Uint8Array(8) }).graph.initializers[0].values, undefined);
  // raw_data far longer than the dims need: only the first elements are read
  assert.deepEqual(
    oneInit(T.INT32, [2], { raw: rawOf(T.INT32, [3, 4, ...new Array(10000).fill(9)]) }).graph.initializers[0].values,
    [3, 4],
  );
  // a typed field with more values than the dims say
  assert.equal(oneInit(T.INT64, [2], { values: [1, 2, 3] }).graph.initializers[0].values, undefined);
});

test('negative dims and rank over 64 are refused with the tensor name', () => {
  assert.throws(
    () => oneInit(T.FLOAT, [2, -1], {}),
    (e: unknown) => e instanceof OnnxReadError && /tensor 'w' has negative dimension -1/.test(e.problem),
  );
  assert.throws(
    () => oneInit(T.FLOAT, new Array(65).fill(1), {}),
    (e: unknown) => e instanceof OnnxReadError && /64/.test(e.problem),
  );
});
