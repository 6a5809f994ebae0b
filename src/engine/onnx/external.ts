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
  return new ExternalResolver(modelDir).resolve(location, offset, length);
}

type Located = { real: string; size: number; isFile: boolean } | null;

/** Resolves locations against one model folder; the folder's real path and each file's stat are looked
 * up once per read (a model with thousands of tensors in one .data file stats it once). */
export class ExternalResolver {
  private realDir: string | undefined;
  private located = new Map<string, Located>();

  constructor(private readonly modelDir: string) {}

  resolve(location: string, offset: number, length: number | null): ExternalResolution {
    let found = this.located.get(location);
    if (found === undefined) {
      this.check(location);
      if (!location) return { resolved: null, missing: true, warning: 'an external tensor has an empty location' };
      found = this.locate(location);
      this.located.set(location, found);
    }
    if (!found) return { resolved: null, missing: true, warning: `external data file '${location}' is missing: parameter counts and shapes still come from the graph` };
    if (!found.isFile) return { resolved: null, missing: true, warning: `external data location '${location}' is not a regular file` };
    if (length !== null && offset + length > found.size) {
      return { resolved: found.real, missing: false, warning: `external data '${location}' is ${found.size} bytes, shorter than offset ${offset} + length ${length}` };
    }
    return { resolved: found.real, missing: false };
  }

  /** Refuses locations that could leave the model's folder, before touching the file system. */
  private check(location: string): void {
    if (location.includes('\0')) throw new ExternalDataEscapeError(`external data location '${location}' contains a NUL byte`);
    if (path.isAbsolute(location) || path.win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location)) {
      throw new ExternalDataEscapeError(`external data location '${location}' is an absolute path; only paths inside the model's folder are allowed`);
    }
    const parts = location.split(/[\\/]+/);
    if (parts.includes('..')) {
      throw new ExternalDataEscapeError(`external data location '${location}' leaves the model's folder ('..')`);
    }
  }

  private locate(location: string): Located {
    let real: string;
    try {
      real = fs.realpathSync(path.resolve(this.modelDir, location));
    } catch {
      return null;
    }
    this.realDir ??= fs.realpathSync(this.modelDir);
    if (real !== this.realDir && !real.startsWith(this.realDir + path.sep)) {
      throw new ExternalDataEscapeError(`external data location '${location}' is a link that leads outside the model's folder`);
    }
    const st = fs.statSync(real);
    return { real, size: st.size, isFile: st.isFile() };
  }
}
