// The embedded sample model shipped with the package (media/sample/), so the main job runs with no arguments.
import * as fs from 'fs';
import * as path from 'path';

export const SAMPLE_FILE = 'tiny-gpt.onnx';

/** Finds media/sample/<file> next to the bundle (dist/) or the sources (src/engine/). */
export function samplePath(): string {
  const candidates = [
    path.join(__dirname, '..', 'media', 'sample', SAMPLE_FILE),
    path.join(__dirname, '..', '..', 'media', 'sample', SAMPLE_FILE),
    path.join(__dirname, '..', '..', '..', 'media', 'sample', SAMPLE_FILE),
  ];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
}
