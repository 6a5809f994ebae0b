// The benchmark models, generated (never committed) into bench-models/ (gitignored):
//  (a) GPT-2 medium, one 1.63 GB .onnx with raw_data weights (24 layers, d=1024, vocab 50257, seq 1024);
//  (b) GPT-2 XL, a small .onnx plus 6.55 GB of external data in one .data file (48 layers, d=1600);
//  (c) small graph files (generateGraphOnly): the .onnx of a GPT-2 XL-sized and a 96-layer GPT-3-shaped
//      model whose weights are external, with a sparse data file (right size, no blocks written).
// Real GPT-2-style graphs (test/fixtures/gpt2.ts); the weights are written streaming from one reused
// pseudo-random chunk, so memory stays flat whatever the file size.
import * as fs from 'fs';
import * as path from 'path';
import { T, model, prng, tensor, writeModelStreaming } from '../fixtures/onnx-writer';
import { gpt2Graph, OPSET, type Gpt2Config } from '../fixtures/gpt2';

export interface BenchModel {
  id: string;
  title: string;
  /** the .onnx file */
  file: string;
  /** external data file, if any */
  dataFile?: string;
  config: Gpt2Config;
  external: boolean;
}

const GPT2 = {
  heads: 16,
  vocab: 50257,
  maxPositions: 1024,
  batch: 1,
  seq: 1024,
  lmHead: 'copy',
  dtype: T.FLOAT,
} as const;

export function benchModels(root: string): BenchModel[] {
  const dir = path.join(root, 'bench-models');
  return [
    {
      id: 'gpt2-medium',
      title: 'GPT-2 medium, 1.63 GB single file',
      file: path.join(dir, 'gpt2-medium.onnx'),
      external: false,
      config: { ...GPT2, layers: 24, d: 1024 },
    },
    {
      id: 'gpt2-xl',
      title: 'GPT-2 XL, 6.55 GB external data',
      file: path.join(dir, 'gpt2-xl', 'gpt2-xl.onnx'),
      dataFile: path.join(dir, 'gpt2-xl', 'gpt2-xl.onnx.data'),
      external: true,
      config: { ...GPT2, layers: 48, d: 1600, heads: 25 },
    },
  ];
}

/** A stamp beside each model records what it was generated from, so a changed generator regenerates. */
function stampOf(m: BenchModel): string {
  return JSON.stringify({ v: 1, config: m.config, external: m.external });
}

export function isGenerated(m: BenchModel): boolean {
  const stamp = m.file + '.stamp';
  return (
    fs.existsSync(m.file) &&
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, 'utf8') === stampOf(m) &&
    (!m.dataFile || fs.existsSync(m.dataFile))
  );
}

/** Writes one model; returns its sizes. Existing up-to-date files are kept unless `force`. */
export function generate(
  m: BenchModel,
  force = false,
): { bytes: number; externalBytes: number; parameters: number; seconds: number } {
  const g = gpt2Graph(m.config);
  if (!force && isGenerated(m)) {
    return {
      bytes: fs.statSync(m.file).size,
      externalBytes: m.dataFile ? fs.statSync(m.dataFile).size : 0,
      parameters: g.parameterCount,
      seconds: 0,
    };
  }
  fs.mkdirSync(path.dirname(m.file), { recursive: true });
  const t0 = Date.now();
  const rnd = prng(1);
  // small normally-spread fp32 values (std ~0.02): meaningless but not all zeros, so no file system compresses them away
  const fill = (chunk: Buffer) => {
    for (let i = 0; i + 4 <= chunk.length; i += 4) chunk.writeFloatLE((rnd() + rnd() + rnd() - 1.5) * 0.04, i);
  };
  const r = writeModelStreaming(
    m.file,
    { irVersion: 8, opsets: { '': OPSET }, producer: 'onnx-hardware-profiler bench', graph: g.graph },
    g.weights.map((w) => ({ name: w.name, dtype: w.dtype, dims: w.dims, external: m.external })),
    fill,
    m.dataFile ? { path: m.dataFile, location: path.basename(m.dataFile) } : undefined,
  );
  fs.writeFileSync(m.file + '.stamp', stampOf(m));
  return {
    bytes: r.bytes,
    externalBytes: r.externalBytes,
    parameters: g.parameterCount,
    seconds: (Date.now() - t0) / 1000,
  };
}

export function remove(m: BenchModel): void {
  for (const f of [m.file, m.file + '.stamp', m.dataFile]) if (f && fs.existsSync(f)) fs.rmSync(f);
}

/** A graph-only model: every weight is an external tensor in one data file that is created sparse
 * (its size is right for the offsets, nothing is written), so generating it takes a second. */
export interface GraphOnlyModel {
  id: string;
  title: string;
  file: string;
  config: Gpt2Config;
}

export function graphOnlyModels(root: string): GraphOnlyModel[] {
  const dir = path.join(root, 'bench-models', 'graph-only');
  return [
    {
      id: 'gpt2-xl-graph',
      title: 'GPT-2 XL graph, external weights',
      file: path.join(dir, 'gpt2-xl-graph.onnx'),
      config: { ...GPT2, layers: 48, d: 1600, heads: 25 },
    },
    {
      id: 'gpt3-96l-graph',
      title: 'GPT-3-shaped 96-layer graph (d=12288), external weights',
      file: path.join(dir, 'gpt3-96l-graph.onnx'),
      config: { ...GPT2, layers: 96, d: 12288, heads: 96, maxPositions: 2048, seq: 2048 },
    },
  ];
}

export function generateGraphOnly(m: GraphOnlyModel): void {
  const stamp = m.file + '.stamp';
  const want = JSON.stringify({ v: 1, config: m.config });
  if (fs.existsSync(m.file) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return;
  fs.mkdirSync(path.dirname(m.file), { recursive: true });
  const g = gpt2Graph(m.config);
  const location = path.basename(m.file) + '.data';
  let offset = 0;
  const initializers = [...(g.graph.initializer ?? [])];
  for (const w of g.weights) {
    const length = w.dims.reduce((a, b) => a * b, 1) * (w.dtype === T.FLOAT16 ? 2 : 4);
    initializers.push(tensor(w.name, w.dtype, w.dims, { external: { location, offset, length } }));
    offset += length + ((4096 - (length % 4096)) % 4096); // page-aligned, as onnx's save_model writes them
  }
  fs.writeFileSync(
    m.file,
    model({
      irVersion: 8,
      opsets: { '': OPSET },
      producer: 'onnx-hardware-profiler bench',
      graph: { ...g.graph, initializer: initializers },
    }),
  );
  const data = path.join(path.dirname(m.file), location);
  fs.closeSync(fs.openSync(data, 'w'));
  fs.truncateSync(data, offset); // sparse: no blocks written
  fs.writeFileSync(stamp, want);
}
