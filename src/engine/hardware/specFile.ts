// Reading a hardware spec file a user or a workspace names: regular files only (a FIFO would block the read
// forever, /dev/zero never ends, a directory is no spec), at most LIMITS.maxSpecFileBytes, opened non-blocking
// so not even the open can wait on a FIFO's writer. Errors name the file and the problem, never its contents
// (a path like /etc/passwd must not leak its first line through a JSON parse error).
import * as fs from 'fs';
import { LIMITS } from '../limits';

export class SpecFileError extends Error {}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, at: number): string {
  const before = text.slice(0, Math.max(0, Math.min(at, text.length)));
  const line = before.split('\n').length;
  return `line ${line}, column ${at - before.lastIndexOf('\n')}`;
}

/** Where JSON.parse stopped, without the text: V8 names a position in some messages; else it is the start
 * of the first token that is not JSON (a file that is not JSON at all fails at its first character). */
function parsePosition(text: string, e: Error): string {
  const m = /position (\d+)/.exec(e.message);
  if (m) return lineColumn(text, Number(m[1]));
  if (/Unexpected end of JSON/.test(e.message)) return 'its end';
  const first = text.search(/\S/);
  return lineColumn(text, first < 0 ? 0 : first);
}

/** The parsed JSON of a spec file, or a SpecFileError naming the file and the problem. */
export function readSpecFile(file: string): unknown {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecFileError(`${file}: cannot open the spec file (${code ?? 'error'})`);
  }
  let text: string;
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new SpecFileError(`${file}: not a regular file (${kindOf(st)}); a spec is a JSON file`);
    if (st.size > LIMITS.maxSpecFileBytes)
      throw new SpecFileError(
        `${file}: ${st.size} bytes exceeds the limit maxSpecFileBytes (${LIMITS.maxSpecFileBytes}) for a spec file`,
      );
    // read at most one byte past the limit: a file that grows while it is read is refused too
    const buf = Buffer.alloc(Math.min(st.size, LIMITS.maxSpecFileBytes) + 1);
    let n = 0;
    for (;;) {
      const k = fs.readSync(fd, buf, n, buf.length - n, n);
      if (k === 0) break;
      n += k;
      if (n === buf.length) break;
    }
    if (n > LIMITS.maxSpecFileBytes)
      throw new SpecFileError(
        `${file}: exceeds the limit maxSpecFileBytes (${LIMITS.maxSpecFileBytes}) for a spec file`,
      );
    text = buf.subarray(0, n).toString('utf8');
  } catch (e) {
    if (e instanceof SpecFileError) throw e;
    throw new SpecFileError(`${file}: cannot read the spec file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    fs.closeSync(fd);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SpecFileError(`${file}: not valid JSON (${parsePosition(text, e as Error)})`);
  }
}
