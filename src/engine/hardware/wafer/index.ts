// Wafer-scale (Cerebras WSE-2/WSE-3) target kind: the wafer mapper, its spec validator and the built-in specs.
import type { TargetKind } from '../types';
import { mapWafer } from './mapper';
import { validateWaferSpec } from './spec';
import wse2 from './specs/wse2.json';
import wse3 from './specs/wse3.json';

export const WAFER_TARGET: TargetKind = {
  kind: 'wafer',
  map: mapWafer,
  validate: validateWaferSpec,
  builtins: [wse2, wse3] as Record<string, unknown>[],
  // the GPU plan knobs (the wafer reads gpu.globalBatch only); a new option is read unless listed here
  ignoredOptions: [
    'nodes',
    'gpu.tp',
    'gpu.pp',
    'gpu.dp',
    'gpu.microbatch',
    'gpu.interleave',
    'gpu.sequenceParallel',
    'gpu.zero',
  ],
};
