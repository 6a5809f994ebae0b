// Writes media/sample/tiny-gpt.onnx, the sample model shipped in the package: a small, runnable
// GPT-2-style decoder (2 layers, d=64, 4 heads, vocab 512, up to 128 positions, symbolic 'batch' and
// 'seq', fp32 weights from a seeded PRNG) built with the project's own ONNX writer.
// Run: npm run make-sample   (deterministic: the same bytes every time)
import * as fs from 'fs';
import * as path from 'path';
import { gpt2Graph } from '../test/fixtures/gpt2';
import { SAMPLE_CONFIG, sampleModelBytes } from '../test/fixtures/sample-model';

const file = path.join(process.cwd(), 'media', 'sample', 'tiny-gpt.onnx');
fs.mkdirSync(path.dirname(file), { recursive: true });
const bytes = sampleModelBytes();
fs.writeFileSync(file, bytes);
console.log(
  `wrote ${path.relative(process.cwd(), file)}: ${bytes.length} bytes (${(bytes.length / 1024).toFixed(0)} KiB), ${gpt2Graph(SAMPLE_CONFIG).parameterCount} parameters`,
);
