// A real onnxruntime CPU profile (onnxruntime-node, all graph optimisations on) of models built by the
// project's writer, matched back to the models' nodes (src/measured/match.ts). onnxruntime renames what it
// fuses ("<output tensor>_nchwc" for convs with their BatchNorm/activation, ".../MatMulScaleFusion/") and
// inserts layout reorders: matching by name alone found 18 of 220 nodes of a real profile.
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseOrtProfile, type OrtProfile } from '../../src/measured/ortProfile';
import { matchMeasured, type GraphNodeRef } from '../../src/measured/match';
import { readModelFile } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';
import { cnnModel } from '../fixtures/cnn';
import { projectRoot } from '../fixtures/paths';
import { loadOrt, ortProfileFile, type Ort, type OrtTensor } from '../fixtures/ort';

/** Runs `file` twice in onnxruntime with profiling on; returns the parsed profile. */
async function ortProfile(ort: Ort, file: string, feeds: Record<string, OrtTensor>): Promise<OrtProfile> {
  const f = await ortProfileFile(ort, file, feeds);
  return parseOrtProfile(fs.readFileSync(f, 'utf8'), path.basename(f));
}

function graphOf(file: string, bindings: Record<string, number>) {
  const m = readModelFile(file);
  const shapes = inferShapes(m, { bindings });
  const refs: GraphNodeRef[] = m.graph.nodes.map((n) => ({
    name: n.name,
    opType: n.opType,
    inputs: n.inputs,
    outputs: n.outputs,
  }));
  const dimsOf = (t: string) => {
    const ty = shapes.main.values.get(t)?.type;
    return ty?.kind === 'tensor' && ty.dims?.every((d) => typeof d === 'number') ? (ty.dims as number[]) : null;
  };
  return { refs, dimsOf };
}

const ort = loadOrt();
const skip = ort ? false : 'onnxruntime-node is not installed (npm ci installs it): no real profile to match';

describe('measured profile matching on real onnxruntime profiles', { skip }, () => {
  let cnnFile = '';
  before(() => {
    cnnFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cnn-')), 'cnn.onnx');
    fs.writeFileSync(cnnFile, cnnModel());
  });

  it('CNN: NCHWc-fused convs map back to Conv + BatchNorm + activation; reorders are runtime-inserted', async () => {
    const p = await ortProfile(ort!, cnnFile, {
      input: new ort!.Tensor('float32', new Float32Array(3 * 64 * 64).fill(0.5), [1, 3, 64, 64]),
    });
    assert.equal(p.device, 'cpu');
    const { refs, dimsOf } = graphOf(cnnFile, { batch: 1 });
    const r = matchMeasured(p.nodes, refs, dimsOf);
    const renamed = r.nodes.filter((n) => n.name.endsWith('_nchwc'));
    assert.ok(renamed.length >= 5, `onnxruntime renamed ${renamed.length} convs (expected its NCHWc transform)`);
    for (const n of r.nodes) {
      if (n.how === 'runtime') assert.match(n.opType, /^Reorder/);
      else assert.notEqual(n.how, 'unmatched', `${n.name} (${n.opType}) matched`);
    }
    // the depthwise conv kernel carries its BatchNorm and ReLU
    const dw = r.nodes.find((n) => n.name.startsWith('/features.1/dw/'));
    assert.deepEqual(dw?.modelNodes, [
      '/features.1/dw/Conv',
      '/features.1/dw/BatchNormalization',
      '/features.1/dw/Relu',
    ]);
    const c = r.coverage;
    assert.ok(c.matchedSeconds >= 0.95 * (c.measuredSeconds - c.runtimeSeconds), JSON.stringify(c));
    assert.equal(c.matchedNodes + c.runtimeNodes, c.measuredNodes);
  });

  it('GPT sample: fused scaled MatMuls map back by stripping the fusion suffix', async () => {
    const sample = path.join(projectRoot(), 'media', 'sample', 'tiny-gpt.onnx');
    const seq = 16;
    const p = await ortProfile(ort!, sample, {
      input_ids: new ort!.Tensor('int64', new BigInt64Array(seq).fill(1n), [1, seq]),
    });
    const { refs, dimsOf } = graphOf(sample, { batch: 1, seq });
    const r = matchMeasured(p.nodes, refs, dimsOf);
    const fused = r.nodes.filter((n) => /Fusion/.test(n.name));
    assert.ok(fused.length > 0, 'onnxruntime fused some nodes');
    for (const n of fused) {
      assert.equal(n.how, 'renamed');
      assert.equal(n.modelNodes.length >= 1, true);
      assert.ok(n.name.startsWith(n.modelNodes[0]!), `${n.name} -> ${n.modelNodes[0]}`);
    }
    assert.equal(r.coverage.matchedNodes, r.coverage.measuredNodes, 'every kernel matched');
  });
});

describe('matchMeasured on hand-written traces', () => {
  const g: GraphNodeRef[] = [
    { name: 'conv', opType: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
    { name: 'relu', opType: 'Relu', inputs: ['c'], outputs: ['r'] },
    { name: 'ln', opType: 'LayerNormalization', inputs: ['r'], outputs: ['l'] },
  ];
  const m = (name: string, opType: string, outputDims: number[][] = []) => ({
    name,
    opType,
    provider: 'CPUExecutionProvider',
    seconds: 1e-3,
    outputDims,
  });

  it('a FusedConv named after its output covers the Conv and the fused activation', () => {
    const r = matchMeasured([m('r_nchwc', 'FusedConv')], g);
    assert.deepEqual(r.nodes[0]!.modelNodes, ['conv', 'relu']);
    assert.equal(r.nodes[0]!.how, 'output');
  });

  it('an unknown name falls back to output dims near the previous match; else it stays unmatched', () => {
    const dims = (t: string) => (t === 'l' ? [1, 8] : null);
    const r = matchMeasured(
      [m('conv', 'Conv'), m('LayerNormFusion_7', 'LayerNormalization', [[1, 8]]), m('zz', 'Foo')],
      g,
      dims,
    );
    assert.deepEqual(
      r.nodes.map((n) => [n.how, n.modelNodes]),
      [
        ['name', ['conv']],
        ['shape', ['ln']],
        ['unmatched', []],
      ],
    );
    assert.equal(r.coverage.matchedNodes, 2);
  });
});

describe('matchMeasured: kernels that keep their name', () => {
  it('a FusedConv named like its Conv absorbs the activation after it unless that ran alone', () => {
    const g: GraphNodeRef[] = [
      { name: 'conv', opType: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
      { name: 'relu', opType: 'Relu', inputs: ['c'], outputs: ['r'] },
      { name: 'add', opType: 'Add', inputs: ['r', 'y'], outputs: ['a'] },
    ];
    const k = (name: string, opType: string) => ({
      name,
      opType,
      provider: 'CPUExecutionProvider',
      seconds: 1e-3,
      outputDims: [],
    });
    assert.deepEqual(matchMeasured([k('conv', 'FusedConv')], g).nodes[0]!.modelNodes, ['conv', 'relu', 'add']);
    assert.deepEqual(
      matchMeasured([k('conv', 'FusedConv'), k('add', 'Add')], g).nodes.map((n) => n.modelNodes),
      [['conv', 'relu'], ['add']],
    );
  });
});
