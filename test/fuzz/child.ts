// A child process for what must not take the test runner down with it: a V8 abort (heap out of memory,
// std::bad_alloc) or an endless read is seen by the parent as an exit status or a timeout.
//   node child.js cli '<JSON array of CLI arguments>'  runs the CLI once; prints {code, out, err} as JSON
//   node child.js fuzz SEED FROM TO DIR                 runs fuzz cases FROM..TO-1 (cases.ts) in this process;
//                                                        prints "start I" before each and its result as JSON
import * as fs from 'fs';
import { runCli } from '../../src/cli/run';
import { runCase } from './cases';

function write(s: string): void {
  fs.writeSync(1, s); // synchronous: the last line written survives an abort
}

const [mode, a, b, c, d] = process.argv.slice(2);
if (mode === 'cli') {
  let out = '',
    err = '';
  const code = runCli(
    JSON.parse(a) as string[],
    (s) => (out += s),
    (s) => (err += s),
  );
  write(JSON.stringify({ code, out, err }) + '\n');
} else if (mode === 'fuzz') {
  for (let i = Number(b); i < Number(c); i++) {
    write(`start ${i}\n`);
    write(JSON.stringify(runCase(Number(a), i, d)) + '\n');
  }
} else {
  write('usage: child.js cli JSON | fuzz SEED FROM TO DIR\n');
  process.exitCode = 2;
}
