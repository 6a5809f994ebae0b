// GPU-cluster target kind: the gpu-cluster mapper, its spec validator and the built-in GPU specs
// (specs/*.json, numbers with sources from shared/reference/hardware-and-peers.md §2).
import type { TargetKind } from '../types';
import { mapGpuCluster } from './mapper';
import { validateGpuSpec } from './spec';
import a100 from './specs/a100-dgx.json';
import h100 from './specs/h100-dgx.json';
import h200 from './specs/h200-dgx.json';
import b200 from './specs/b200-dgx.json';
import gb200 from './specs/gb200-nvl72.json';

export const GPU_TARGET: TargetKind = {
  kind: 'gpu-cluster',
  map: mapGpuCluster,
  validate: validateGpuSpec,
  builtins: [a100, h100, h200, b200, gb200] as Record<string, unknown>[],
  // the wafer knobs; a new option is read unless listed here
  ignoredOptions: ['systems', 'execution'],
};
