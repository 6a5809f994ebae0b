// The device mapper: the whole model on one CPU socket or one GPU, layer after layer (model.ts), as onnxruntime's
// sequential executor runs it. No parallelism to search; the result is the per-layer times an imported profile of
// the same kind of device is compared with.
import type { Analysis, DeviceGrid, DeviceTargetResult, MapOptions, TargetLayer, DevicePlacement } from '../types';
import { PRECISION_BYTES } from '../../options';
import { weightBytesAt } from '../../cost/layers';
import { genericModel } from '../gpu/generic';
import { devicePeaks, type DeviceSpec } from './spec';
import { kernelsOf, layerTime, type ShapeAtLoad } from './model';

const GiB = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

export function mapDevice(analysis: Analysis, rawSpec: unknown, opts: MapOptions): DeviceTargetResult {
  const spec = rawSpec as DeviceSpec;
  const training = opts.mode === 'training';
  const peaks = devicePeaks(spec, opts.precision, spec.processor === 'cpu' ? opts.threads : undefined);
  const notes = [...peaks.notes];
  const gm = genericModel(analysis, opts.bindings);
  // activations at the compute precision (fp32 stays 4 bytes, the 16-bit and narrower ones run 16-bit activations),
  // weights at the precision: the same accounting as the GPU targets (gpu/generic.ts)
  const actBytes = opts.precision === 'fp32' ? 4 : 2;
  const actScale = actBytes / gm.graphActBytes;
  const weightBytes = PRECISION_BYTES[opts.precision];
  const passes = training ? 3 : 1;
  if (training)
    notes.push(
      'training: forward + backward as 3x the forward FLOPs and bytes per layer (input and weight gradients; the usual estimate), no optimizer step',
    );
  const g = analysis.model.graph;
  // a tensor's dims as onnxruntime knows them when it optimises the graph: the shapes here are inferred under the
  // bindings, so an activation of a graph with a symbolic input dim (batch, seq) counts as symbolic (ORT leaves it
  // unknown until a run); an initializer's dims are fixed
  const symbolicInputs = g.inputs.some(
    (i) => i.type?.kind === 'tensor' && (i.type.dims === null || i.type.dims.some((d) => typeof d !== 'number')),
  );
  const initializers = new Set(g.initializers.map((t) => t.name));
  const shapeOf: ShapeAtLoad = (t) => {
    const v = analysis.shapes.main.values.get(t)?.type;
    if (!v || v.kind !== 'tensor' || !v.dims) return undefined;
    return { rank: v.dims.length, fixed: initializers.has(t) || !symbolicInputs };
  };
  let busy = 0;
  let dispatchTotal = 0;
  const levelsUsed = new Map<string, number>();
  const times = gm.layers.map((gl, i) => {
    const l = analysis.layers[i]!;
    const out = gl.outBytesPerSample * gm.graphBatch * actScale;
    const bytes = gl.lookup
      ? 2 * out
      : gl.inBytesPerSample * gm.graphBatch * actScale + out + weightBytesAt(gl, weightBytes);
    const kernels = kernelsOf(
      l.nodeIndices.map((k) => g.nodes[k]!),
      shapeOf,
    );
    const t = layerTime(spec, peaks, {
      flops: gl.flopsPerSample * gm.graphBatch * passes,
      bytes: bytes * passes,
      matrix: gl.matrix,
      kernels: kernels * passes,
      workingSetBytes: bytes,
      passFlops: gl.flopsPerSample * gm.graphBatch,
    });
    levelsUsed.set(t.level, (levelsUsed.get(t.level) ?? 0) + 1);
    busy += t.seconds;
    dispatchTotal += t.dispatch;
    return { t, kernels, flops: gl.flopsPerSample * gm.graphBatch * passes, bytes: bytes * passes };
  });
  const weights = gm.layers.reduce((s, gl) => s + weightBytesAt(gl, weightBytes), 0);
  const activations = gm.livePeakPerSample * gm.graphBatch * actScale * (training ? 2 : 1);
  const used = weights + activations;
  const capacity = spec.memory_GiB * 2 ** 30;
  const fits = used <= capacity;
  notes.push(
    fits
      ? `fits: ${GiB(used)} of ${GiB(capacity)} (weights ${GiB(weights)}, activations at their live peak ${GiB(activations)})`
      : `does not fit: ${GiB(used)} needed, ${GiB(capacity)} in the spec`,
  );
  if (busy > 0 && dispatchTotal / busy >= 0.1)
    notes.push(
      `${((100 * dispatchTotal) / busy).toFixed(0)}% of the step is the per-kernel dispatch cost (${spec.kernel.dispatch_us} us per kernel): the kernels are too small to keep the ${spec.processor === 'cpu' ? 'cores' : 'GPU'} busy`,
    );
  if (peaks.levels.length > 1)
    notes.push(
      `layers by the memory level their working set fits: ${peaks.levels
        .filter((l) => levelsUsed.has(l.name))
        .map((l) => `${l.name} ${levelsUsed.get(l.name)}`)
        .join(', ')}`,
    );
  const table = spec.efficiency.matrixByWork_GFLOP;
  const rows = table?.length ? [...table].sort((a, b) => a[0] - b[0]) : [];
  const matrixEff = rows.length
    ? `the matrix efficiency by GFLOP per core (${rows
        .map(([g, e], i) =>
          i + 1 < rows.length ? `${g > 0 ? `${g}-` : 'below '}${rows[i + 1]![0]}: ${e}` : `from ${g}: ${e}`,
        )
        .join(', ')})`
    : `${spec.efficiency.matrix} matrix`;
  notes.push(
    `per-layer roofline: kernels x ${spec.kernel.dispatch_us} us + max(FLOPs / (peak x ${matrixEff} | ${spec.efficiency.vector} vector), bytes / bandwidth of the memory level the layer's working set fits); constants from the spec (${spec.id}), see docs/DEVICE-MODEL.md`,
  );
  const placement = (kernels: number): DevicePlacement =>
    peaks.cores !== undefined
      ? { processor: spec.processor, kernels, cores: peaks.cores }
      : { processor: spec.processor, kernels };
  const layers: TargetLayer<DevicePlacement>[] = analysis.layers.map((l, i) => {
    const { t, kernels, flops, bytes } = times[i]!;
    const lw = weightBytesAt(gm.layers[i]!, weightBytes);
    return {
      name: l.name,
      seconds: t.seconds,
      bound: t.bound,
      memoryBytes: lw,
      placement: placement(kernels),
      detail: {
        flops,
        bytes,
        kernels,
        computeSeconds: t.compute,
        memorySeconds: t.memory,
        dispatchSeconds: t.dispatch,
        achievedTflops: t.seconds > 0 ? flops / t.seconds / 1e12 : 0,
      },
    };
  });
  const step = busy;
  const tokens = analysis.throughputUnit === 'tokens/s';
  const per = tokens ? analysis.tokensPerStep : analysis.samplesPerStep;
  const grid: DeviceGrid = {
    kind: 'device',
    processor: spec.processor,
    share: layers.map((l) => (step > 0 ? l.seconds / step : 0)),
    memUtil: capacity > 0 ? used / capacity : 0,
  };
  const flopsTotal = times.reduce((s, x) => s + x.flops, 0);
  const peak = Math.max(peaks.matrixFlops, peaks.vectorFlops);
  return {
    id: spec.id,
    name: spec.name,
    kind: 'device',
    processor: spec.processor,
    ...(peaks.cores !== undefined ? { cores: peaks.cores } : {}),
    computePrecision: peaks.computePrecision,
    parallelism: {
      processor: spec.processor,
      ...(peaks.cores !== undefined ? { cores: peaks.cores, coresInSpec: spec.cores_count } : {}),
    },
    execution: training ? 'training' : 'inference',
    fits,
    stepSeconds: step,
    throughput: { value: step > 0 ? Math.max(1, per) / step : 0, unit: tokens ? 'tokens/s' : 'samples/s' },
    memory: { usedBytes: used, capacityBytes: capacity },
    energyJoulesPerStep: spec.tdp_W * step,
    utilization: {
      placedFraction: 1,
      busyFraction: 1,
      mfu: step > 0 && peak > 0 ? flopsTotal / step / peak : 0,
    },
    layers,
    grid,
    notes,
  };
}
