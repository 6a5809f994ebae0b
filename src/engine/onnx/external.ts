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

type Located = { real: string; size: number; ok: ExternalResolution } | { failed: ExternalResolution };

/** Resolves locations against one model folder; the folder's real path and each file's stat are looked
 * up once per read (a model with thousands of tensors in one .data file stats it once), and the answer
 * for a location is one shared object (its warning one string, which the reader dedupes cheaply). */
export class ExternalResolver {
  private realDir: string | undefined;
  private located = new Map<string, Located>();

  constructor(private readonly modelDir: string) {}

  resolve(location: string, offset: number, length: number | null): ExternalResolution {
    let found = this.located.get(location);
    if (found === undefined) {
      this.check(location);
      found = this.locate(location);
      this.located.set(location, found);
    }
    if ('failed' in found) return found.failed;
    if (length !== null && offset + length > found.size) {
      return {
        resolved: found.real,
        missing: false,
        warning: `external data '${location}' is ${found.size} bytes, shorter than offset ${offset} + length ${length}`,
      };
    }
    return found.ok;
  }

  /** Refuses locations that could leave the model's folder, before touching the file system. */
  private check(location: string): void {
    if (location.includes('\0'))
      throw new ExternalDataEscapeError(`external data location '${location}' contains a NUL byte`);
    if (path.isAbsolute(location) || path.win32.isAbsolute(location) || /^[a-zA-Z]:/.test(location)) {
      throw new ExternalDataEscapeError(
        `external data location '${location}' is an absolute path; only paths inside the model's folder are allowed`,
      );
    }
    const parts = location.split(/[\\/]+/);
    if (parts.includes('..')) {
      throw new ExternalDataEscapeError(`external data location '${location}' leaves the model's folder ('..')`);
    }
  }

  private locate(location: string): Located {
    if (!location)
      return { failed: { resolved: null, missing: true, warning: 'an external tensor has an empty location' } };
    let real: string;
    const full = path.resolve(this.modelDir, location);
    const missing = {
      failed: {
        resolved: null,
        missing: true,
        warning: `external data file '${location}' is missing: parameter counts and shapes still come from the graph`,
      },
    };
    // existsSync first: a missing file (common: a graph shared without its weights) then costs no thrown error
    if (!fs.existsSync(full)) return missing;
    try {
      real = fs.realpathSync.native(full);
    } catch {
      return missing;
    }
    this.realDir ??= fs.realpathSync.native(this.modelDir);
    if (real !== this.realDir && !real.startsWith(this.realDir + path.sep)) {
      throw new ExternalDataEscapeError(
        `external data location '${location}' is a link that leads outside the model's folder`,
      );
    }
    const st = fs.statSync(real);
    if (!st.isFile())
      return {
        failed: {
          resolved: null,
          missing: true,
          warning: `external data location '${location}' is not a regular file`,
        },
      };
    return { real, size: st.size, ok: { resolved: real, missing: false } };
  }
}
