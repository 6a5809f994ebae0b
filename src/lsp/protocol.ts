// Custom requests between the extension (src/lsp/client.ts) and the language server (src/server/server.ts).
// One file compiled into both sides, like rust-analyzer's lsp_ext.ts. It imports only the protocol
// package (no `vscode`), so the server bundle can include it.
import { RequestType } from 'vscode-languageserver-protocol';

/** The text of a model's text view; the server reads the model, prints it and keeps it for the document. */
export interface ModelTextParams {
  /** the text view's URI (onnx-text:...?<model URI>) */
  uri: string;
  /** read the model again (it changed on disk) */
  reload?: boolean;
}
export interface ModelTextResult {
  text: string;
  /** set when the model could not be read; `text` then explains it */
  error?: string;
}
export const ModelTextRequest = new RequestType<ModelTextParams, ModelTextResult, void>('onnxProfiler/modelText');

/** The layer a text line belongs to (selection sync: text view -> profile editor). */
export interface LineToLayerParams {
  uri: string;
  line: number;
}
export interface LineToLayerResult {
  /** layer name as in the report, null when the line is not part of a layer (header, initializers) */
  layer: string | null;
  /** the main-graph node on (or owning) the line */
  node: string | null;
}
export const LineToLayerRequest = new RequestType<LineToLayerParams, LineToLayerResult, void>(
  'onnxProfiler/lineToLayer',
);

/** The line of a layer's first node statement (selection sync: profile editor -> text view). */
export interface LayerToLineParams {
  uri: string;
  layer: string;
}
export interface LayerToLineResult {
  /** 0-based line, null when the layer is unknown */
  line: number | null;
}
export const LayerToLineRequest = new RequestType<LayerToLineParams, LayerToLineResult, void>(
  'onnxProfiler/layerToLine',
);
