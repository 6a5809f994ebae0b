// A child process for what must not take the test runner down with it: a V8 abort (heap out of memory,
// std::bad_alloc) or an endless read is seen by the parent as an exit status or a timeout.
//   node child.js cli '<JSON array of CLI arguments>'    runs the CLI once; prints {code, out, err} as JSON
import * as fs from 'fs';
import { runCli } from '../../src/cli/run';

function write(s: string): void {
  fs.writeSync(1, s); // synchronous: the last line written survives an abort
}

const [mode, a] = process.argv.slice(2);
if (mode === 'cli') {
  let out = '',
    err = '';
  const code = runCli(
    JSON.parse(a) as string[],
    (s) => (out += s),
    (s) => (err += s),
  );
  write(JSON.stringify({ code, out, err }) + '\n');
} else {
  write(`usage: child.js cli JSON\n`);
  process.exitCode = 2;
}
