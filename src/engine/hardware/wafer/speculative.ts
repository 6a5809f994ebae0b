// Speculative decoding on the wafer (Leviathan et al., ICML 2023, "Fast Inference from Transformers via
// Speculative Decoding"): a small draft model proposes k tokens one after another, the target model checks all
// k + 1 positions in one pass, and each proposal is accepted with probability a (i.i.d. assumption of the
// paper), so a step yields (1 - a^(k+1)) / (1 - a) tokens. On the wafer the verify pass costs a decode step
// with k + 1 rows (the GEMV tiles are read once, the FMACs run k + 1 times), and the draft runs on its own
// cores: k draft steps of a Llama-shaped model of the given size, timed with the same latency model.
// Cerebras introduced speculative decoding in its 2024-10-24 release (blog quoted on news.ycombinator.com
// item 41942822); it is off unless asked for, and the report says when it is on.
import { decodeOpsCycles, totalCycles, type DecodeOps, type LatencyConsts } from './latency';
import { blockOpsFromStructure } from './kernels';
import type { TransformerDims } from '../../structure';

/** Expected tokens per verify step: 1 + a + a^2 + ... + a^k. */
export function expectedTokens(acceptance: number, k: number): number {
  return acceptance >= 1 ? k + 1 : (1 - Math.pow(acceptance, k + 1)) / (1 - acceptance);
}

/** A decode step's ops with `m` times the rows (the verify pass over k + 1 positions). */
export function scaleRows(ops: DecodeOps, m: number): DecodeOps {
  return {
    ...ops,
    gemvs: ops.gemvs.map((g) => ({ ...g, rows: g.rows * m })),
    attn: ops.attn.map((a) => ({ ...a, outElems: a.outElems * m, macs: a.macs * m })),
    elementwise: ops.elementwise.map((e) => ({ ...e, rows: e.rows * m })),
    lookups: ops.lookups * m,
    gathers: ops.gathers?.map((g) => ({ ...g, rows: g.rows * m })),
    otherFlops: ops.otherFlops * m,
  };
}

/** Llama-shaped dims for a draft of `params` parameters: head dim 128, layers = hidden / 128, FFN 3.5 x
 * hidden, 12 h^2 weights per layer (Llama 3.2 1B is 16 x 2048, Llama 3.1 8B 32 x 4096: this rule gives
 * 17 x 2180 and 34 x 4340), plus the embedding and LM head of the target's vocabulary. */
export function draftDims(params: number, vocab: number, past: number): TransformerDims {
  let h = 128;
  // params = L * 12 h^2 + 2 * vocab * h with L = h / 128: grow h until it holds the parameters
  while ((h / 128) * 12 * h * h + 2 * vocab * h < params && h < 65536) h += 64;
  const heads = Math.max(1, Math.round(h / 128));
  return {
    layers: Math.max(1, Math.round(h / 128)),
    hidden: h,
    heads,
    kvHeads: Math.max(1, Math.round(heads / 4)),
    headDim: 128,
    ffn: Math.round(3.5 * h),
    gated: true,
    vocab,
    weightsPerLayer: 12 * h * h,
    experts: 0,
    expertsPerToken: 0,
    encoderDecoder: false,
    past,
    notes: [],
  };
}

/** Cycles of one draft token: its blocks one after another, each on a square region holding its weights at
 * half the usable SRAM (as full as the target's regions typically are), plus its LM head. */
export function draftTokenCycles(dims: TransformerDims, usableBytesPerCore: number, k: LatencyConsts): number {
  const coresFor = (weights: number) => Math.max(1, (2 * weights * k.elemBytes) / usableBytesPerCore);
  const side = (n: number) => Math.max(1, Math.round(Math.sqrt(n)));
  const block = blockOpsFromStructure(dims, (dims.past ?? 0) + 1);
  const s = side(coresFor(dims.weightsPerLayer));
  const perBlock = totalCycles(decodeOpsCycles(block, s, s, k)) + 2 * k.hopCycles * s;
  const head = dims.vocab > 0 ? side(coresFor(dims.vocab * dims.hidden)) : 0;
  const lm =
    head > 0
      ? totalCycles(
          decodeOpsCycles(
            {
              ...block,
              gemvs: [{ k: dims.hidden, n: dims.vocab, rows: 1 }],
              attn: [],
              elementwise: [],
              scalarReductions: 1,
            },
            head,
            head,
            k,
          ),
        )
      : 0;
  return dims.layers * perBlock + lm;
}
