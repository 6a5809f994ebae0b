// The transformer graphs of ../shared/fidelity: MatMul FLOPs from our inferred shapes must equal the
// closed-form count of models.json (2 FLOPs per multiply-add), and parameter counts the declared ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { analyseFor } from '../../src/engine/profile';
import { defaultRunOptions } from '../../src/engine/options';

const FIDELITY = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'fidelity');
const present = fs.existsSync(path.join(FIDELITY, 'models.json'));

test(
  'fidelity graphs: MatMul FLOPs equal the closed form',
  { skip: present ? false : `../shared/fidelity not found at ${FIDELITY}: skipped` },
  () => {
    const files = JSON.parse(fs.readFileSync(path.join(FIDELITY, 'models.json'), 'utf8')).files as {
      file: string;
      declared_parameter_count: number;
      flops: { evaluated_at: { B: number; S: number; T: number }; graph_matmul_flops_from_inferred_shapes: number };
    }[];
    for (const f of files) {
      const { B, S, T } = f.flops.evaluated_at;
      const model = readModelFile(path.join(FIDELITY, f.file));
      const opts = { ...defaultRunOptions(), targets: [], dims: { batch: B, seq: S, past: T - S } };
      const a = analyseFor(model, opts);
      let matmul = 0;
      a.model.graph.nodes.forEach((n, k) => {
        if (n.opType === 'MatMul') matmul += a.nodeCosts[k].flops;
      });
      assert.equal(matmul, f.flops.graph_matmul_flops_from_inferred_shapes, `${f.file}: MatMul FLOPs`);
      assert.ok(a.stats.parameterCount >= f.declared_parameter_count, `${f.file}: parameters`);
      assert.deepEqual(a.shapes.unboundSymbols, [], `${f.file}: every dim bound`);
    }
  },
);
