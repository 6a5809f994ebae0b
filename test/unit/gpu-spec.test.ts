// GPU-cluster specs: the built-ins validate, every number has a source, and a user spec with a missing,
// non-numeric or negative number is refused with the field named (through loadSpec, as the CLI does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { numericFields, validateGpuSpec } from '../../src/engine/hardware/gpu/spec';
import { GPU_TARGET } from '../../src/engine/hardware/gpu';

const BUILTIN_GPU_SPECS = GPU_TARGET.builtins;
import { builtinTargetIds, loadSpec, SpecError } from '../../src/engine/hardware';

const ids = ['a100-dgx', 'h100-dgx', 'h200-dgx', 'b200-dgx', 'gb200-nvl72'];

test('the five built-in GPU clusters are registered and valid', () => {
  for (const id of ids) {
    assert.ok(builtinTargetIds().includes(id), id);
    const s = loadSpec(id);
    assert.equal(s.kind, 'gpu-cluster');
    validateGpuSpec(s.spec, id);
  }
  assert.equal(BUILTIN_GPU_SPECS.length, ids.length);
});

test('every number of every built-in spec has a source', () => {
  for (const s of BUILTIN_GPU_SPECS) {
    const sources = (s.sources ?? {}) as Record<string, string>;
    const missing = numericFields(s).filter((f) => !sources[f] && !sources[f.replace(/\.[^.]+$/, '')]);
    // a dtype map may share one source when its entries are stated equal ("same as fp16")
    assert.deepEqual(missing, [], `${String(s.id)}: numbers without a source`);
  }
});

test('units are in the key names', () => {
  const s = loadSpec('a100-dgx').spec as Record<string, Record<string, unknown>>;
  for (const k of ['matrix_TFLOPS', 'vector_TFLOPS', 'hbm_GiB', 'hbmBandwidth_GBps', 'tdp_W']) assert.ok(k in s.gpu, k);
  for (const k of ['bandwidthPerGpu_GBps', 'latency_us', 'efficiency'])
    assert.ok(k in s.nvlink && k in s.infiniband, k);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a spec mutated freely in tests
type LooseSpec = Record<string, any>;

function userSpec(mutate: (s: LooseSpec) => void): string {
  const s = JSON.parse(JSON.stringify(loadSpec('h100-dgx').spec));
  s.id = 'my-cluster';
  mutate(s);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-spec-'));
  const f = path.join(dir, 'my-cluster.json');
  fs.writeFileSync(f, JSON.stringify(s));
  return f;
}

test('a user spec file loads and validates', () => {
  const f = userSpec((s) => {
    s.gpu.hbm_GiB = 96;
  });
  const l = loadSpec(f);
  assert.equal(l.id, 'my-cluster');
  assert.equal((l.spec.gpu as Record<string, number>).hbm_GiB, 96);
});

test('a missing number is refused, naming the field', () => {
  const f = userSpec((s) => {
    delete s.gpu.hbmBandwidth_GBps;
  });
  assert.throws(
    () => loadSpec(f),
    (e: Error) => e instanceof SpecError && /'gpu\.hbmBandwidth_GBps' is missing/.test(e.message),
  );
});

test('the cross-node collective steps are optional, but each of them is a required number when the block is given', () => {
  assert.ok(loadSpec(userSpec((s) => delete s.collectiveSteps)));
  assert.throws(
    () => loadSpec(userSpec((s) => delete s.collectiveSteps.networkStep_us)),
    (e: Error) => e instanceof SpecError && /'collectiveSteps\.networkStep_us' is missing/.test(e.message),
  );
  assert.throws(
    () => loadSpec(userSpec((s) => (s.collectiveSteps.nvlinkStep_us = -0.6))),
    (e: Error) => e instanceof SpecError && /'collectiveSteps\.nvlinkStep_us' must not be negative/.test(e.message),
  );
  assert.throws(
    () => loadSpec(userSpec((s) => (s.collectiveSteps.treeBase_us = '6.8'))),
    (e: Error) => e instanceof SpecError && /'collectiveSteps\.treeBase_us' must be a number/.test(e.message),
  );
});

test('the per-kernel launch and minimum times are required numbers', () => {
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          delete s.kernel.matrixMinimum_us;
        }),
      ),
    /'kernel\.matrixMinimum_us' is missing/,
  );
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          delete s.kernel.gemmMinimum_us;
        }),
      ),
    /'kernel\.gemmMinimum_us' is missing/,
  );
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          s.efficiency.unalignedGemmEfficiency = 1.5;
        }),
      ),
    /'efficiency\.unalignedGemmEfficiency' must be at most 1/,
  );
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          s.efficiency.gemmAlignment_bytes = 0;
        }),
      ),
    /'efficiency\.gemmAlignment_bytes' must be greater than 0/,
  );
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          s.kernel.launch_us = -1;
        }),
      ),
    /'kernel\.launch_us' must not be negative/,
  );
});

test('a negative number is refused, naming the field', () => {
  const f = userSpec((s) => {
    s.nvlink.bandwidthPerGpu_GBps = -450;
  });
  assert.throws(() => loadSpec(f), /'nvlink\.bandwidthPerGpu_GBps' must not be negative, got -450/);
});

test('a non-numeric number, an efficiency above 1 and a table without a zero row are refused', () => {
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          s.gpu.matrix_TFLOPS.bf16 = '989';
        }),
      ),
    /'gpu\.matrix_TFLOPS\.bf16' must be a number/,
  );
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          s.infiniband.efficiency = 1.5;
        }),
      ),
    /'infiniband\.efficiency' must be at most 1/,
  );
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          s.efficiency.memoryByTraffic_MB = [[100, 0.9]];
        }),
      ),
    /'efficiency\.memoryByTraffic_MB' needs a row with threshold 0/,
  );
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          s.gpusPerNode_count = 0;
        }),
      ),
    /'gpusPerNode_count' must be greater than 0/,
  );
});

test('the stack fields: a sustained matrix scale above 1, a grad-sync width above 4 and a non-boolean ppOverlap are refused', () => {
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          s.stack.trainingMatrixScale = 1.2;
        }),
      ),
    /'stack\.trainingMatrixScale' must be at most 1/,
  );
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          s.stack.gradientSync_bytes = 8;
        }),
      ),
    /'stack\.gradientSync_bytes' must be at most 4/,
  );
  assert.throws(
    () =>
      loadSpec(
        userSpec((s) => {
          s.stack.ppOverlap = 'yes';
        }),
      ),
    /'stack\.ppOverlap' must be true or false/,
  );
});
