// The graph view's data and layout, without a browser: the payload the engine worker builds (shapes with
// symbolic dims, initializer locations, no tensor values unless asked for one small tensor), the module
// hierarchy from node names (blocks, runs of a long level, hidden constants), and the nested dagre layout.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildGraphPayload, tensorValues, TENSOR_VALUES_MAX } from '../../src/editor/graphPayload';
import { readModelBytes, readModelFile } from '../../src/engine/onnx/reader';
import { analyseFor, profileModel } from '../../src/engine/profile';
import { computedTargets } from '../../src/engine/hardware/types';
import { aggregate, targetFacts } from '../../webview/graph/overlay';
import { defaultRunOptions } from '../../src/engine/options';
import type { GraphPayload } from '../../src/shared/graph';
import { buildHierarchy, initialExpansion, MAX_CHILDREN, type Group } from '../../webview/graph/hierarchy';
import { GraphLayout, type Item } from '../../webview/graph/layout';
import { T, attr, graph, model, node, rawOf, tensor, vi } from '../fixtures/onnx-writer';
import { projectRoot } from '../fixtures/paths';
import { cnnModel } from '../fixtures/cnn';

const sample = path.join(projectRoot(), 'media', 'sample', 'tiny-gpt.onnx');

function payloadOf(bytes: Uint8Array, dir: string | null = null): GraphPayload {
  const m = readModelBytes(bytes, 'test.onnx', dir);
  return buildGraphPayload(m, analyseFor(m, { ...defaultRunOptions(), targets: [] }));
}

function samplePayload(): GraphPayload {
  const m = readModelFile(sample);
  return buildGraphPayload(m, analyseFor(m, { ...defaultRunOptions(), targets: [] }));
}

/** A chain of `n` Relu nodes with flat names (no module path). */
function flatChain(n: number): Uint8Array {
  const nodes = Array.from({ length: n }, (_, i) => node('Relu', [`t${i}`], [`t${i + 1}`], {}, { name: `Relu_${i}` }));
  return model({
    graph: graph({ nodes, inputs: [vi('t0', T.FLOAT, [1, 8])], outputs: [vi(`t${n}`, T.FLOAT, [1, 8])] }),
  });
}

describe('graph payload (engine worker)', () => {
  it('has every node of the sample with its op, layer and costs, and tensors with symbolic dims', () => {
    const g = samplePayload();
    const m = readModelFile(sample);
    assert.equal(g.nodes.length, m.graph.nodes.length);
    assert.deepEqual(
      g.nodes.map((n) => n.opType),
      m.graph.nodes.map((n) => n.opType),
    );
    const ids = g.tensors[g.inputs[0]];
    assert.equal(ids.name, 'input_ids');
    assert.deepEqual(ids.dims, ['batch', 'seq'], 'symbolic dims are kept as their names');
    const mm = g.nodes.find((n) => n.opType === 'MatMul')!;
    assert.ok(mm.flops > 0 && mm.layer >= 0 && mm.paramBytes > 0, JSON.stringify(mm));
    // every edge's producer produces it
    for (const t of g.tensors)
      if (t.producer >= 0) assert.ok(g.nodes[t.producer].outputs.includes(g.tensors.indexOf(t)));
  });

  it('describes initializers by dtype, dims, size and location, and never carries their values', () => {
    const g = samplePayload();
    const w = g.tensors.find((t) => t.init && t.init.elements > 1000)!;
    assert.ok(w, 'the sample has a weight');
    assert.equal(w.init!.location.kind, 'embedded');
    assert.equal(w.init!.bytes, w.init!.elements * 4);
    assert.equal(w.init!.valuesAvailable, false, 'a tensor over the limit offers no values');
    const json = JSON.stringify(g);
    assert.ok(json.length < 64 << 10, `payload of ${json.length} bytes for an 81-node model`);
    assert.ok(!('values' in w.init!));
  });

  it('formats attributes short: a tensor attribute by dtype and dims, long lists cut', () => {
    const big = Array.from({ length: 100 }, (_, i) => i);
    const bytes = model({
      graph: graph({
        nodes: [
          node('Constant', [], ['c'], {
            value: tensor('v', T.FLOAT, [2, 3], { raw: rawOf(T.FLOAT, [1, 2, 3, 4, 5, 6]) }),
          }),
          node('Transpose', ['x'], ['y'], { perm: big }, { name: 'tr' }),
          node('Add', ['y', 'c'], ['z'], {}, { name: '<img src=x onerror=alert(1)>' }),
        ],
        inputs: [vi('x', T.FLOAT, [2, 3])],
        outputs: [vi('z', T.FLOAT, null)],
      }),
    });
    const g = payloadOf(bytes);
    assert.deepEqual(g.nodes[0].attrs, [['value', 'tensor FLOAT[2,3]']]);
    const perm = g.nodes[1].attrs.find(([k]) => k === 'perm')![1];
    assert.ok(perm.includes('… 100 in all') && perm.length <= 160, perm);
    assert.equal(g.nodes[2].name, '<img src=x onerror=alert(1)>', 'names are data, passed through as text');
    assert.equal(g.nodes[0].name, 'Constant_0');
    assert.equal(g.nodes[0].unnamed, true);
    const c = g.tensors.find((t) => t.name === 'c')!;
    assert.equal(c.init?.fromConstant, true);
    assert.equal(c.init?.valuesAvailable, true);
  });

  it('writes attribute values with the project formatter: no e-notation, int64 limits by name', () => {
    // 9223372036854775807 as protobuf's 64-bit halves (a JS number cannot hold it; 2 ** 63 would wrap to INT64_MIN)
    const INT64_MAX = { low: -1, high: 0x7fffffff, unsigned: false } as unknown as number;
    const bytes = model({
      graph: graph({
        nodes: [
          node('LayerNormalization', ['x', 's', 'b'], ['y'], { epsilon: 1e-12, axis: -1 }, { name: 'ln' }),
          node(
            'Identity',
            ['y'],
            ['z'],
            { ends: attr.i('ends', INT64_MAX), scales: [1e-7, 0.5, -3.4028234663852886e38], alpha: 0.123456789 },
            { name: 'id' },
          ),
        ],
        inputs: [vi('x', T.FLOAT, [1, 4])],
        outputs: [vi('z', T.FLOAT, [1, 4])],
        initializers: [
          tensor('s', T.FLOAT, [4], { raw: rawOf(T.FLOAT, [1, 1, 1, 1]) }),
          tensor('b', T.FLOAT, [4], { raw: rawOf(T.FLOAT, [0, 0, 0, 0]) }),
        ],
      }),
    });
    const g = payloadOf(bytes);
    const attrs = (n: string) => Object.fromEntries(g.nodes.find((x) => x.name === n)!.attrs);
    assert.deepEqual(attrs('ln'), { epsilon: '1×10⁻¹²', axis: '-1' });
    assert.deepEqual(attrs('id'), { ends: 'INT64_MAX', scales: '[1×10⁻⁷, 0.5, -3.40282×10³⁸]', alpha: '0.123457' });
    for (const n of g.nodes) for (const [, v] of n.attrs) assert.doesNotMatch(v, /\de[+-]?\d/, v);
  });

  it('gives the values of a small tensor on request, and refuses large or external ones with a reason', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-view-'));
    try {
      const bytes = model({
        graph: graph({
          nodes: [
            node('Add', ['x', 'small'], ['y'], {}, { name: 'a' }),
            node('Add', ['y', 'ext'], ['z'], {}, { name: 'b' }),
          ],
          inputs: [vi('x', T.FLOAT, [4])],
          outputs: [vi('z', T.FLOAT, [4])],
          initializers: [
            tensor('small', T.FLOAT, [4], { raw: rawOf(T.FLOAT, [1, 2, 3, 4]) }),
            tensor('ext', T.FLOAT, [4], { external: { location: 'w.bin', offset: 64, length: 16 } }),
            tensor('big', T.FLOAT, [TENSOR_VALUES_MAX + 1], {
              raw: rawOf(T.FLOAT, new Array(TENSOR_VALUES_MAX + 1).fill(0)),
            }),
          ],
        }),
      });
      const file = path.join(dir, 'm.onnx');
      fs.writeFileSync(file, bytes);
      const m = readModelFile(file);
      const r = tensorValues(m, 'small');
      assert.ok(r.ok);
      assert.deepEqual(r.ok && r.values, [1, 2, 3, 4]);
      const ext = tensorValues(m, 'ext');
      assert.ok(!ext.ok && /external data file/.test(ext.reason), JSON.stringify(ext));
      const big = tensorValues(m, 'big');
      assert.ok(!big.ok && /at most/.test(big.reason));
      assert.ok(!tensorValues(m, 'nope').ok);
      const g = buildGraphPayload(m, analyseFor(m, { ...defaultRunOptions(), targets: [] }));
      const e = g.tensors.find((t) => t.name === 'ext')!;
      assert.deepEqual(e.init!.location, { kind: 'external', file: 'w.bin', offset: 64, length: 16, missing: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

function walk(g: Group, fn: (g: Group) => void): void {
  fn(g);
  for (const c of g.children) if ('group' in c) walk(c.group, fn);
}

describe('graph hierarchy', () => {
  it('builds blocks from module paths and opens the sample down to its layers', () => {
    const g = samplePayload();
    const h = buildHierarchy(g);
    assert.ok(h.groups.has('model'), [...h.groups.keys()].join(', '));
    assert.ok(h.groups.has('model/layers.0') && h.groups.has('model/layers.1'));
    const open = initialExpansion(h);
    assert.ok(open.has('') && open.has('model'), [...open].join(', '));
    // every drawn node is in exactly one block; hidden constants in none
    const seen = new Int32Array(g.nodes.length);
    walk(h.root, (b) => b.children.forEach((c) => 'node' in c && seen[c.node]++));
    g.nodes.forEach((_, i) => assert.equal(seen[i], h.hidden.has(i) ? 0 : 1, g.nodes[i].name));
    assert.equal(h.root.nodes.length, g.nodes.length - h.hidden.size);
  });

  it('splits a long flat level into runs so no block shows more than MAX_CHILDREN boxes', () => {
    const g = payloadOf(flatChain(2000));
    const h = buildHierarchy(g);
    walk(h.root, (b) => assert.ok(b.children.length <= MAX_CHILDREN, `${b.id}: ${b.children.length}`));
    const open = initialExpansion(h);
    const L = new GraphLayout(g, h);
    const sc = L.scene(open);
    const boxes = sc.items.filter((i) => i.kind !== 'frame');
    assert.ok(boxes.length <= 48, `first view of 2000 nodes: ${boxes.length} boxes`);
    // runs keep the node order: each run's nodes are one consecutive range
    for (const b of h.groups.values())
      if (b.run) {
        const xs = [...b.nodes].sort((x, y) => x - y);
        assert.equal(xs[xs.length - 1] - xs[0] + 1, xs.length, b.id);
      }
  });
});

function overlaps(a: Item, b: Item): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('graph layout', () => {
  it('shows each node once (itself or its collapsed block), with no two boxes overlapping', () => {
    const g = samplePayload();
    const h = buildHierarchy(g);
    const L = new GraphLayout(g, h);
    for (const open of [initialExpansion(h), new Set(h.groups.keys())]) {
      const sc = L.scene(open);
      g.nodes.forEach((_, i) => assert.equal(sc.repOf[i] >= 0, !h.hidden.has(i), g.nodes[i].name));
      const boxes = sc.items.filter((i) => i.kind !== 'frame');
      for (let a = 0; a < boxes.length; a++)
        for (let b = a + 1; b < boxes.length; b++)
          assert.ok(!overlaps(boxes[a], boxes[b]), `${boxes[a].key} overlaps ${boxes[b].key}`);
      // every box sits inside the frame of each expanded block that holds it
      for (const f of sc.items.filter((i) => i.kind === 'frame'))
        for (const n of f.group!.nodes) {
          const it = sc.items[sc.repOf[n]];
          assert.ok(
            it.x >= f.x && it.y >= f.y && it.x + it.w <= f.x + f.w && it.y + it.h <= f.y + f.h,
            `${it.key} in ${f.key}`,
          );
        }
      assert.ok(sc.edges.length > 0);
    }
  });

  it('expanding everything shows every drawn node and lays repeated blocks out once', () => {
    const g = samplePayload();
    const h = buildHierarchy(g);
    const L = new GraphLayout(g, h);
    const sc = L.scene(new Set(h.groups.keys()));
    assert.equal(sc.items.filter((i) => i.kind === 'node').length, g.nodes.length - h.hidden.size);
    const a = sc.byKey.get('gmodel/layers.0')!,
      b = sc.byKey.get('gmodel/layers.1')!;
    assert.deepEqual([a.w, a.h], [b.w, b.h], 'the two identical layers have the same layout');
    const groups = [...h.groups.values()].filter((x) => x.parent).length;
    assert.ok(L.dagreRuns < groups, `${L.dagreRuns} dagre runs for ${groups} blocks`);
  });
});

describe('graph view of a CNN (writer-built, torch-style names)', () => {
  it('groups the blocks and keeps the squeeze-excite edges', () => {
    const g = payloadOf(cnnModel());
    const h = buildHierarchy(g);
    for (const id of ['features.1', 'features.1/se', 'features.2/dw']) assert.ok(h.groups.has(id), id);
    const sc = new GraphLayout(g, h).scene(new Set(h.groups.keys()));
    const mul = g.nodes.findIndex((n) => n.name === '/features.1/se/Mul');
    assert.equal(
      sc.edges.filter(([, b]) => b === sc.repOf[mul]).length,
      2,
      'the SE Mul takes the features and the gate',
    );
    assert.ok(g.nodes.every((n) => n.opType !== 'Conv' || n.flops > 0));
    // collapsed, the SE block is one box with the edges of its nodes lifted onto it
    const open = new Set([...h.groups.keys()].filter((id) => id !== 'features.1/se'));
    const c = new GraphLayout(g, h).scene(open);
    const se = c.byKey.get('gfeatures.1/se')!;
    assert.equal(se.kind, 'block');
    assert.equal(c.repOf[mul], c.items.indexOf(se));
  });
});

describe('graph overlays', () => {
  const m = readModelFile(sample);
  const { report } = profileModel(m, { ...defaultRunOptions(), targets: ['wse3', 'h100-dgx'] });
  const g = buildGraphPayload(m, analyseFor(m, { ...defaultRunOptions(), targets: [] }));
  const targets = computedTargets(report.targets);

  it("splits each layer's time over its nodes: the nodes of a layer add up to the layer", () => {
    assert.equal(targets.length, 2);
    for (const t of targets) {
      const f = targetFacts(g, report, t);
      const sums = new Map<number, number>();
      g.nodes.forEach((_, i) => {
        if (f.layerIndex[i] >= 0) sums.set(f.layerIndex[i], (sums.get(f.layerIndex[i]) ?? 0) + f.seconds[i]);
      });
      assert.ok(sums.size > 0);
      for (const [li, s] of sums) {
        const want = t.layers[li].seconds;
        assert.ok(Math.abs(s - want) <= 1e-9 * Math.max(1, want), `${t.id} ${t.layers[li].name}: ${s} vs ${want}`);
      }
      // the whole graph's aggregate is the step's per-layer sum, its slowest layer the overlay's main layer
      const all = aggregate(Int32Array.from(g.nodes.map((_, i) => i)), g, f, undefined);
      const total = [...sums.values()].reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(all.seconds - total) < 1e-12 + 1e-9 * total);
      assert.ok(all.mainLayer && all.bound, `${t.id}: main layer and bound`);
      assert.ok(!Number.isNaN(all.memUtil) && all.memUtil > 0, `${t.id}: memory fit ${all.memUtil}`);
      assert.ok(all.placeKey >= 0);
    }
  });

  it('measured vs predicted sums the measured nodes against their predictions', () => {
    const f = targetFacts(g, report, targets[0]);
    const mm = g.nodes.map((n, i) => [n.name, i] as const).filter(([, i]) => g.nodes[i].opType === 'MatMul');
    const measured = new Map(mm.map(([name, i]) => [name, 2 * f.seconds[i]]));
    const a = aggregate(Int32Array.from(mm.map(([, i]) => i)), g, f, measured);
    assert.ok(a.predictedMeasured > 0);
    assert.ok(Math.abs(a.measured / a.predictedMeasured - 2) < 1e-9);
  });
});
