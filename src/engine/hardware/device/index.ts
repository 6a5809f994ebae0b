// Single-device target kind ("device": one CPU socket or one GPU): the device mapper, its spec validator and the
// built-in device specs (specs/*.json). Not among the default targets: these exist so an imported onnxruntime
// profile is compared with a prediction for the same kind of device (webview/measured.ts), and for `--target`.
import type { TargetKind } from '../types';
import { mapDevice } from './mapper';
import { validateDeviceSpec } from './spec';
import xeon from './specs/cpu-xeon-8480.json';
import h100 from './specs/h100-sxm.json';
import a100 from './specs/a100-sxm.json';

export const DEVICE_TARGET: TargetKind = {
  kind: 'device',
  map: mapDevice,
  validate: validateDeviceSpec,
  builtins: [xeon, h100, a100] as Record<string, unknown>[],
  // the wafer and GPU-cluster knobs; a new option is read unless listed here
  ignoredOptions: [
    'systems',
    'execution',
    'nodes',
    'wafer',
    'kvPrecision',
    'gpu.tp',
    'gpu.pp',
    'gpu.dp',
    'gpu.microbatch',
    'gpu.globalBatch',
    'gpu.interleave',
    'gpu.recompute',
    'gpu.sequenceParallel',
    'gpu.zero',
    'gpu.attention',
    'gpu.cp',
    'gpu.ep',
  ],
};

/** The built-in device specs of one processor kind, the generic one (first) first. */
export function builtinDeviceIds(processor: 'cpu' | 'gpu'): string[] {
  return DEVICE_TARGET.builtins.filter((s) => s.processor === processor).map((s) => String(s.id));
}
