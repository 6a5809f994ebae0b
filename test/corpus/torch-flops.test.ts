// Conv and matmul FLOPs of the torch exports (../shared/corpus/torch/*) against torch.profiler's counts in
// their *.torch.json. The profiler counts aten::conv2d as 2*N*Cout*Hout*Wout*(Cin/groups)*kh*kw and
// mm/addmm/bmm as 2*M*N*K, with no bias terms; our Conv and Gemm also count 1 FLOP per output element
// for the bias / C add (docs/COSTS.md "## nn"), so those adds are taken out before comparing (within 1%).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';
import { computeCosts } from '../../src/engine/cost/cost';
import { sharedDir, SKIP_NO_SHARED } from '../fixtures/paths';

const shared = sharedDir();
const TORCH_OPS = ['aten::conv2d', 'aten::mm', 'aten::addmm', 'aten::bmm', 'aten::matmul'];

interface TorchJson {
  inputs: { name: string; dims: number[] }[];
  torch_profiler_flops_by_op: Record<string, number>;
}

function torchModels(): string[] {
  if (!shared) return [];
  const dir = path.join(shared, 'corpus', 'torch');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((d) => fs.existsSync(path.join(dir, d, `${d}.torch.json`)))
        .sort()
    : [];
}

test(
  'torch exports: conv/matmul FLOPs match torch.profiler within 1%',
  { skip: shared ? false : SKIP_NO_SHARED },
  () => {
    const names = torchModels();
    assert.ok(names.length >= 5, `found torch exports: ${names.join(', ')}`);
    for (const name of names) {
      const dir = path.join(shared!, 'corpus', 'torch', name);
      const tj = JSON.parse(fs.readFileSync(path.join(dir, `${name}.torch.json`), 'utf8')) as TorchJson;
      const model = readModelFile(path.join(dir, `${name}.onnx`));
      // bind symbolic input dims to the shapes torch ran with
      const bindings: Record<string, number> = {};
      for (const inp of model.graph.inputs) {
        const ran = tj.inputs.find((i) => i.name === inp.name);
        const dims = inp.type?.kind === 'tensor' ? inp.type.dims : null;
        dims?.forEach((d, i) => {
          if (typeof d === 'string' && ran) bindings[d] = ran.dims[i];
        });
      }
      const shapes = inferShapes(model, { bindings });
      const costs = computeCosts(model, shapes, { bindings });
      let ours = 0,
        biasAdds = 0;
      model.graph.nodes.forEach((n, i) => {
        if (!['Conv', 'MatMul', 'Gemm'].includes(n.opType)) return;
        const c = costs[i];
        assert.equal(c.approximate, false, `${name}: ${n.name || n.opType} has every dim known`);
        ours += c.flops;
        if ((n.opType === 'Conv' || n.opType === 'Gemm') && n.inputs[2]) {
          const out = shapes.main.values.get(n.outputs[0])?.type;
          const elems =
            out?.kind === 'tensor' && out.dims ? out.dims.reduce<number>((a, d) => a * (d as number), 1) : 0;
          biasAdds += elems;
        }
      });
      const theirs = TORCH_OPS.reduce((s, op) => s + (tj.torch_profiler_flops_by_op[op] ?? 0), 0);
      const macFlops = ours - biasAdds;
      const rel = Math.abs(macFlops - theirs) / theirs;
      assert.ok(theirs > 0, `${name}: torch counted conv/matmul FLOPs`);
      assert.ok(
        rel < 0.01,
        `${name}: ours ${ours} (${biasAdds} of them bias adds) vs torch ${theirs}: ${(100 * rel).toFixed(3)}% apart`,
      );
    }
  },
);
