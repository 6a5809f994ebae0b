// Wafer execution modes: pipelined on one or several systems, weight streaming, and a kernel too big for
// the whole wafer reported with the mode that would run it. Models are generated MLPs whose weights are
// declared as external data (dims and dtype only), so multi-GB layers cost nothing to build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { profileModel } from '../../src/engine/profile';
import { defaultRunOptions, type RunOptions } from '../../src/engine/options';
import { resultOfKind, type WaferTargetResult } from '../../src/engine/hardware/types';
import { loadSpec } from '../../src/engine/hardware';
import type { WaferSpec } from '../../src/engine/hardware/wafer/spec';
import { graph, model, node, tensor, T, vi } from '../fixtures/onnx-writer';

/** x[batch, w0] -> MatMul -> Relu -> ... named like /model/layers.i/..., fp16 weights declared external. */
function mlp(widths: number[]): Uint8Array {
  const nodes = [],
    inits = [];
  let cur = 'x';
  for (let i = 0; i + 1 < widths.length; i++) {
    inits.push(
      tensor(`model.layers.${i}.fc.weight`, T.FLOAT16, [widths[i], widths[i + 1]], {
        external: { location: 'weights.bin', offset: 0, length: widths[i] * widths[i + 1] * 2 },
      }),
    );
    nodes.push(
      node('MatMul', [cur, `model.layers.${i}.fc.weight`], [`h${i}`], {}, { name: `/model/layers.${i}/fc/MatMul` }),
    );
    nodes.push(node('Relu', [`h${i}`], [`a${i}`], {}, { name: `/model/layers.${i}/act/Relu` }));
    cur = `a${i}`;
  }
  nodes.push(node('Identity', [cur], ['y'], {}, { name: '/out/Identity' }));
  return model({
    graph: graph({
      nodes,
      initializers: inits,
      inputs: [vi('x', T.FLOAT16, ['batch', widths[0]])],
      outputs: [vi('y', T.FLOAT16, ['batch', widths[widths.length - 1]])],
    }),
  });
}

function wafer(bytes: Uint8Array, o: Partial<RunOptions>): WaferTargetResult {
  const opts = { ...defaultRunOptions(), targets: ['wse3'], batch: 1, ...o };
  return resultOfKind(profileModel(readModelBytes(bytes, 'mlp.onnx'), opts).report.targets![0], 'wafer');
}

const wse3 = loadSpec('wse3').spec as unknown as WaferSpec;
const usable =
  (wse3.sramPerCore_KiB - wse3.sramReservedPerCore_KiB) * 1024 * wse3.gridWidth_cores * wse3.gridHeight_cores;

test('a kernel larger than the whole wafer is named, and weight streaming runs it', () => {
  // 100000 x 200000 fp16 = 40 GB: more than a WSE-3's SRAM
  const m = mlp([100000, 200000, 16]);
  assert.ok(100000 * 200000 * 2 > usable);
  const r = wafer(m, {});
  assert.equal(r.execution, 'weight-streaming');
  assert.ok(r.fits);
  const note = r.notes.find((n) => n.includes('/model/layers.0/fc/MatMul'));
  assert.ok(
    note && /more than one whole wafer/.test(note) && /weight-streaming runs it/.test(note),
    r.notes.join('\n'),
  );
  // the big layer waits on MemoryX: its time is at least its weights over the streaming bandwidth
  const big = r.layers.find((l) => l.name === '/model/layers.0/fc/MatMul')!;
  assert.equal(big.bound, 'communication');
  assert.ok(big.seconds >= ((100000 * 200000 * 2) / (wse3.memoryXBandwidth_GBps * 1e9)) * 0.999);
  // forcing pipelined execution reports it does not fit, and why
  const p = wafer(m, { execution: 'pipelined' });
  assert.equal(p.fits, false);
  assert.equal(p.execution, 'pipelined');
  assert.ok(
    p.notes.some((n) => /larger than the whole wafer/.test(n)),
    p.notes.join('\n'),
  );
});

test('a small model runs pipelined on one system; energy is system power x step time', () => {
  const r = wafer(mlp([1024, 4096, 4096, 1024]), {});
  assert.equal(r.execution, 'pipelined');
  assert.equal(r.systems, 1);
  assert.equal(r.throughput.unit, 'samples/s');
  assert.ok(r.notes[0].startsWith('execution: pipelined'));
  assert.ok(
    Math.abs(r.energyJoulesPerStep! - wse3.systemPower_kW * 1e3 * r.stepSeconds) < 1e-9 * r.energyJoulesPerStep!,
  );
  assert.ok(Math.abs(r.throughput.value * r.stepSeconds - 1) < 1e-9);
  // pipelined throughput: the step is set by the slowest kernel, every kernel's busy time is at most the step
  for (const l of r.layers)
    assert.ok(l.seconds <= r.stepSeconds * (1 + 1e-9), `${l.name} ${l.seconds} > ${r.stepSeconds}`);
});

test('pipelined inference: a request waits for the pipeline fill, more than the sum of the intervals', () => {
  // one sample passes every region in turn (each region's interval, plus the hops and systolic steps a first sample
  // waits for: the "end to end" of the notes); the step (an interval per sample) is not the request's latency
  for (const batch of [1, 8]) {
    const r = wafer(mlp([1024, 4096, 4096, 1024]), { batch });
    const request = r.latency?.requestSeconds;
    assert.ok(request !== undefined, 'a samples/s graph gets a request latency');
    const intervals = r.layers.reduce((a, l) => a + l.seconds / batch, 0);
    assert.ok(request > intervals, `${request} vs the sum of the intervals ${intervals}`);
    const note = r.notes.find((n) => /one sample takes .* end to end/.test(n));
    assert.ok(note, r.notes.join('\n'));
    if (batch > 1) assert.ok(request > r.stepSeconds / batch, 'the last sample waits for the ones before it');
  }
});

test('inference too big for one wafer splits into contiguous segments over the fewest systems that fit', () => {
  // 10 layers of 30000 x 100000 fp16 = 6 GB each, 60 GB in all: two WSE-3s hold it
  const m = mlp([
    30000,
    ...Array(10)
      .fill(0)
      .map((_, i) => (i % 2 ? 30000 : 100000)),
  ]);
  const r = wafer(m, { systems: 'auto' });
  assert.equal(r.execution, 'pipelined');
  const need = Math.ceil(r.memory.usedBytes / usable);
  assert.ok(r.systems! >= need && r.systems! <= need + 1, `${r.systems} systems for ${need} wafers of weights`);
  // layers stay in order across systems: each system holds one contiguous run of kernels
  const sys = r.layers.map((l) => l.placement.system as number | undefined).filter((s): s is number => s !== undefined);
  for (let i = 1; i < sys.length; i++) assert.ok(sys[i] >= sys[i - 1], 'segments are contiguous');
  assert.equal(new Set(sys).size, r.systems);
  assert.ok(r.notes[0].includes('contiguous segments'));
  // one system is too few for pipelined inference: weight streaming runs it and says why
  const one = wafer(m, { systems: 1 });
  assert.equal(one.execution, 'weight-streaming');
  assert.ok(/do not fit 1 system/.test(one.notes[0]), one.notes[0]);
  // and a forced pipelined run on one system does not fit
  assert.equal(wafer(m, { systems: 1, execution: 'pipelined' }).fits, false);
});

test('training: pipelined when weights, gradients and optimizer state fit one wafer, else weight streaming', () => {
  const small = wafer(mlp([1024, 4096, 1024]), { mode: 'training' });
  assert.equal(small.execution, 'pipelined');
  // 16 bytes per parameter (16-bit weights and gradients, FP32 master, Adam moments)
  assert.ok(small.memory.usedBytes >= 1024 * 4096 * 2 * 16);
  // 3 x 6 GB of weights = 18 GB of weights but ~144 GB of training state
  const big = wafer(mlp([30000, 100000, 30000, 100000]), { mode: 'training', systems: 1 });
  assert.equal(big.execution, 'weight-streaming');
  assert.ok(/training state/.test(big.notes[0]), big.notes[0]);
  // data parallel over systems through SwarmX: more systems, more samples per second at the same batch per system
  const four = wafer(mlp([30000, 100000, 30000, 100000]), { mode: 'training', systems: 4, gpu: { globalBatch: 4 } });
  assert.equal(four.systems, 4);
  assert.ok(four.throughput.value > big.throughput.value * 3, `${four.throughput.value} vs ${big.throughput.value}`);
  assert.ok(
    Math.abs(four.energyJoulesPerStep! - 4 * wse3.systemPower_kW * 1e3 * four.stepSeconds) <
      1e-6 * four.energyJoulesPerStep!,
  );
  // weight streaming puts each layer on the whole wafer
  for (const l of four.layers) assert.equal(l.placement.cores, wse3.gridWidth_cores * wse3.gridHeight_cores);
});

test('weight streaming can be requested for a model that would pipeline', () => {
  const r = wafer(mlp([1024, 4096, 1024]), { execution: 'weight-streaming' });
  assert.equal(r.execution, 'weight-streaming');
  assert.ok(r.notes[0].includes('requested'));
  const p = wafer(mlp([1024, 4096, 1024]), {});
  assert.equal(p.execution, 'pipelined');
  // weights held on the wafer beat streaming them from MemoryX every step
  assert.ok(p.throughput.value > r.throughput.value);
});
