// The prediction an imported onnxruntime profile is compared with: the model mapped on one device of the kind the
// profile was measured on (a CPU profile on a CPU spec, a CUDA profile on one GPU), at the profile's precision and,
// on a CPU, with its thread count. Never a target of another kind. Pure of vscode: the document calls it with its
// engine and knobs.
import type { EngineClient } from './engine';
import type { RunOptions, Precision } from '../engine/options';
import type { DeviceSpecChoice, MeasuredPrediction, TargetChoice } from '../shared/protocol';
import type { MeasuredDevice } from '../measured/ortProfile';
import { profileOptionsFrom } from './options';

/** The device specs of the profile's kind the user can pick: built-ins (generic) first, then their spec files. */
export function deviceSpecChoices(choices: readonly TargetChoice[], device: MeasuredDevice): DeviceSpecChoice[] {
  if (device === 'unknown') return [];
  return choices
    .filter((c) => c.kind === 'device' && c.processor === device && !c.error)
    .map((c) => ({ id: c.id, label: c.label, builtin: c.source === 'builtin' }))
    .sort((a, b) => Number(b.builtin) - Number(a.builtin));
}

export interface PredictionRequest {
  device: MeasuredDevice;
  /** a DeviceSpecChoice id; undefined = the first (generic built-in) choice */
  spec?: string;
  threads?: number;
  precision: Precision;
}

/** Maps the model on the chosen device spec with the document's knobs (dims, batch) and the profile's precision
 * and threads; refuses a spec of another kind (a GPU spec for a CPU profile) with the reason. */
export async function predictMeasured(
  engine: EngineClient,
  file: string,
  knobs: RunOptions,
  choices: readonly DeviceSpecChoice[],
  req: PredictionRequest,
): Promise<MeasuredPrediction> {
  const spec = req.spec ?? choices[0]?.id;
  const base = { precision: req.precision, ...(req.threads !== undefined ? { threads: req.threads } : {}) };
  if (!spec)
    return {
      spec: '',
      generic: true,
      ...base,
      error: `no ${req.device.toUpperCase()} device spec is available (add a spec file of kind "device", processor "${req.device}")`,
    };
  const generic = choices.find((c) => c.id === spec)?.builtin ?? false;
  const options: RunOptions = {
    ...profileOptionsFrom(knobs),
    targets: [spec],
    precision: req.precision,
    threads: req.device === 'cpu' ? req.threads : undefined,
  };
  const result = await engine.profile(file, options).catch((e: Error) => ({ ok: false as const, error: e }));
  if (!result.ok) return { spec, generic, ...base, error: 'message' in result.error ? result.error.message : 'failed' };
  const t = result.profile.report.targets?.[0];
  if (!t) return { spec, generic, ...base, error: 'the spec was not mapped' };
  if ('error' in t) return { spec, generic, ...base, error: `${t.id}: ${t.error}` };
  if (t.kind !== 'device' || t.processor !== req.device)
    return {
      spec,
      generic,
      ...base,
      error: `${t.id} is ${t.kind === 'device' ? `a ${t.processor.toUpperCase()}` : `a ${t.kind}`} target: a ${req.device.toUpperCase()} profile is compared only with a ${req.device.toUpperCase()} device spec`,
    };
  return { spec, generic, ...base, target: t };
}
