// External data locations resolve inside the model's folder only: absolute paths, `..` escapes and
// symlinks leading outside are refused (the class of CVE-2022-25882). The data itself is never read:
// we only stat the file to report a missing file or a range past its end.
import * as fs from 'fs';
import * as path from 'path';

export interface ExternalResolution {
  resolved: string | null;
  missing: boolean;
  warning?: string;
}

export class ExternalDataEscapeError extends Error {
  /** where in the model: the tensor that names the location */
  where?: string;
}

export function resolveExternalLocation(modelDir: string, location: string, offset: number, length: number | null): ExternalResolution {
  if (!location) return { resolved: null, missing: true, warning: 'an external tensor has an empty location' };
  if (location.includes('\0')) throw new ExternalDataEscapeError(`external data location '${location}' contains a NUL byte`);
  if (path.isAbsolute(location) || path.win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location)) {
    throw new ExternalDataEscapeError(`external data location '${location}' is an absolute path; only paths inside the model's folder are allowed`);
  }
  const parts = location.split(/[\\/]+/);
  if (parts.includes('..')) {
    throw new ExternalDataEscapeError(`external data location '${location}' leaves the model's folder ('..')`);
  }
  const target = path.resolve(modelDir, location);
  let real: string;
  try {
    real = fs.realpathSync(target);
  } catch {
    return { resolved: null, missing: true, warning: `external data file '${location}' is missing: parameter counts and shapes still come from the graph` };
  }
  const realDir = fs.realpathSync(modelDir);
  if (real !== realDir && !real.startsWith(realDir + path.sep)) {
    throw new ExternalDataEscapeError(`external data location '${location}' is a link that leads outside the model's folder`);
  }
  const st = fs.statSync(real);
  if (!st.isFile()) return { resolved: null, missing: true, warning: `external data location '${location}' is not a regular file` };
  if (length !== null && offset + length > st.size) {
    return { resolved: real, missing: false, warning: `external data '${location}' is ${st.size} bytes, shorter than offset ${offset} + length ${length}` };
  }
  return { resolved: real, missing: false };
}
