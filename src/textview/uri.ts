// The text view's virtual documents: `onnx-text:/dir/model.onnx.onnxtxt?<model URI>`. The path gives the tab
// title and the `.onnxtxt` extension (ONNX's own file extension for this syntax, onnx.serialization
// "onnxtxt") that maps to the `onnx-text` language; the query carries the model's URI unchanged, so the
// server finds the file without guessing. Pure string handling: used by the client and the server.
import { fileURLToPath } from 'url';

export const TEXT_SCHEME = 'onnx-text';
export const TEXT_LANGUAGE = 'onnx-text';
export const TEXT_EXTENSION = '.onnxtxt';

/** The parts of the text view URI of a model URI (for vscode.Uri.from). */
export function textUriParts(model: { path: string; toString(): string }): {
  scheme: string;
  path: string;
  query: string;
} {
  return { scheme: TEXT_SCHEME, path: model.path + TEXT_EXTENSION, query: model.toString() };
}

/** The model URI a text view URI (as a string) stands for, or null when it is not one. */
export function modelUriOf(textUri: string): string | null {
  const m = /^onnx-text:([^?#]*)\?([^#]*)/.exec(textUri);
  if (!m) return null;
  try {
    return decodeURIComponent(m[2]);
  } catch {
    return null;
  }
}

/** The local file of a text view URI; throws with a readable message when the model is not a local file. */
export function modelFileOf(textUri: string): string {
  const model = modelUriOf(textUri);
  if (!model) throw new Error(`not a text view URI: ${textUri}`);
  if (!model.startsWith('file:'))
    throw new Error(`only models on the local file system can be shown as text (got ${model})`);
  return fileURLToPath(model);
}
