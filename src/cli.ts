// onnx-profile entry point (package.json bin -> dist/cli.js). The logic lives in cli/run.ts so tests can call it.
import { runCli } from './cli/run';

const chunks: string[] = [];
const code = runCli(
  process.argv.slice(2),
  (s) => chunks.push(s),
  (s) => process.stderr.write(s),
);
// Write stdout fully before exiting (large JSON Lines output to a pipe).
process.stdout.write(chunks.join(''), () => process.exit(code));
