// What one bar of the per-target charts stands for. An LLM has thousands of fused layers: one bar each is an
// unreadable comb, so the charts start with one bar per repeated block (layers.0, layers.1, ...) and the
// layers between blocks, and a click on a block drills down to its layers. A layer's label is its main op and
// module path ("attn/c_attn MatMul"), not the name of whichever node the fused layer happened to start with.
import type { Bound, TargetLayer } from '../src/engine/hardware/types';
import type { Report } from '../src/engine/profile';

export interface ChartGroup {
  label: string;
  /** full name for tooltips */
  title: string;
  /** indices into target.layers */
  layers: number[];
  /** seconds per bound, summed over the group */
  seconds: Record<Bound, number>;
  memoryBytes: number;
  /** the block path when the group is a repeated block (drill-down target) */
  block: string | null;
}

/** Below this many layers every layer gets its own bar. */
export const GROUP_ABOVE = 48;

const ANCHORS = new Set([
  'MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'Attention', 'MultiHeadAttention', 'GroupQueryAttention',
  'MatMulNBits', 'MoE', 'QMoE', 'LSTM', 'GRU', 'RNN', 'Einsum', 'Gather', 'GatherBlockQuantized',
  'MaxPool', 'AveragePool', 'GlobalAveragePool', 'LayerNormalization', 'SimplifiedLayerNormalization',
  'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization', 'Softmax',
]); // prettier-ignore

/** "attn/c_attn MatMul" for "/model/layers.0/attn/c_attn/MatMul" in a fused MatMul + Add layer. */
export function layerLabel(name: string, opTypes: readonly string[], block: string | null): string {
  const main = opTypes.find((o) => ANCHORS.has(o)) ?? opTypes[0] ?? '';
  let path = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '';
  if (block && path.startsWith(block)) path = path.slice(block.length);
  path = path.replace(/^\/+/, '');
  const segs = path.split('/').filter(Boolean).slice(-2).join('/');
  return segs ? `${segs} ${main}` : main || name;
}

function blockLabel(block: string): string {
  const segs = block.split('/').filter(Boolean);
  return segs.slice(-1)[0] ?? block;
}

function empty(): Record<Bound, number> {
  return { compute: 0, memory: 0, communication: 0, latency: 0 };
}

function add(g: ChartGroup, l: TargetLayer, i: number): void {
  g.layers.push(i);
  g.seconds[l.bound] += l.seconds;
  g.memoryBytes += l.memoryBytes;
}

/** One group per target layer (small models, or inside a drilled-down block). */
export function perLayer(layers: readonly TargetLayer[], report: Report, only?: readonly number[]): ChartGroup[] {
  const info = new Map(report.layers.map((l) => [l.name, l]));
  return (only ?? layers.map((_, i) => i)).map((i) => {
    const l = layers[i]!;
    const r = info.get(l.name);
    const g: ChartGroup = {
      label: r ? layerLabel(l.name, r.opTypes, r.block) : l.name,
      title: l.name,
      layers: [],
      seconds: empty(),
      memoryBytes: 0,
      block: null,
    };
    add(g, l, i);
    return g;
  });
}

/** Consecutive layers of one repeated block form a group; runs of layers outside blocks form one group each. */
export function perBlock(layers: readonly TargetLayer[], report: Report): ChartGroup[] {
  const blockOf = new Map(report.layers.map((l) => [l.name, l.block]));
  const groups: ChartGroup[] = [];
  let cur: ChartGroup | undefined;
  layers.forEach((l, i) => {
    const b = blockOf.get(l.name) ?? null;
    if (!cur || cur.block !== b) {
      cur = {
        label: b ? blockLabel(b) : '',
        title: b ?? '',
        layers: [],
        seconds: empty(),
        memoryBytes: 0,
        block: b,
      };
      groups.push(cur);
    }
    add(cur, l, i);
  });
  // runs outside blocks: named by their one layer, or by what lies around them
  groups.forEach((g, k) => {
    if (g.block) return;
    if (g.layers.length === 1) {
      const one = perLayer(layers, report, g.layers)[0]!;
      g.label = one.label;
      g.title = one.title;
    } else {
      g.label = k === 0 ? 'before blocks' : k === groups.length - 1 ? 'after blocks' : 'between blocks';
      g.title = `${g.label} (${g.layers.length} layers)`;
    }
  });
  return groups;
}

/** The default bars: per layer for small models or models without repeated blocks, else per block. */
export function defaultGroups(layers: readonly TargetLayer[], report: Report): ChartGroup[] {
  if (layers.length <= GROUP_ABOVE) return perLayer(layers, report);
  const blocks = perBlock(layers, report);
  return blocks.some((g) => g.block) && blocks.length < layers.length ? blocks : perLayer(layers, report);
}
