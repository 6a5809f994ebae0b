// Writes decode graphs the wafer fidelity rows need and ../shared/fidelity/models lacks: Llama 3.1 405B and
// gpt-oss-120B (mixture of experts), from their published configs (test/fixtures/llama.ts), with the
// project's own ONNX writer; weights declared external, never written (dims only, a few hundred KB each).
// Run: npm run make-wafer-graphs [-- OUT_DIR]   (default ../shared/fidelity/models)
import * as fs from 'fs';
import * as path from 'path';
import { CONFIGS, llamaDecode } from '../test/fixtures/llama';

const root = path.resolve(process.argv[2] ?? path.join('..', 'shared', 'fidelity', 'models'));
for (const name of ['llama-3.1-405B', 'gpt-oss-120B']) {
  const file = path.join(root, name, `${name}-decode.onnx`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const bytes = llamaDecode(CONFIGS[name]);
  fs.writeFileSync(file, bytes);
  console.log(`wrote ${file}: ${(bytes.length / 1024).toFixed(0)} KiB`);
}
