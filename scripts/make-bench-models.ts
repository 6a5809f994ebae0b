// Generates the benchmark models into bench-models/ (gitignored, never committed): GPT-2 medium as one
// 1.63 GB .onnx and GPT-2 XL with 6.55 GB of external data. Up-to-date files are kept.
// Run: npm run bench:models [-- --force] [-- --only gpt2-medium|gpt2-xl] [-- --remove]
import * as fs from 'fs';
import { benchModels, generate, remove } from '../test/bench/bench-models';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const models = benchModels(process.cwd()).filter((m) => !only || m.id === only);
for (const m of models) {
  if (args.includes('--remove')) {
    remove(m);
    console.log(`removed ${m.id}`);
    continue;
  }
  const r = generate(m, args.includes('--force'));
  const gb = (b: number) => (b / 1e9).toFixed(2);
  console.log(
    `${m.id}: ${m.file} ${gb(r.bytes)} GB${m.dataFile ? ` + ${m.dataFile} ${gb(fs.statSync(m.dataFile).size)} GB` : ''}, ` +
      `${(r.parameters / 1e6).toFixed(1)}M parameters${r.seconds ? `, written in ${r.seconds.toFixed(0)} s` : ' (up to date, kept)'}`,
  );
}
