// The typed message protocol between the extension host (src/editor/preview.ts) and the webview
// (webview/main.ts). Compiled into both sides. Shape follows vscode-hexeditor's shared/protocol.ts:
// one const enum of message types, one interface per message, a union per direction, and request/reply
// pairing through messageId/inReplyTo (see messaging.ts, which also rejects pending requests on close).
import type { MatchCoverage, MatchHow } from '../measured/match';
import type { MeasuredDevice } from '../measured/ortProfile';
import type { Report } from '../engine/profile';
import type { Precision, RunOptions } from '../engine/options';
import type { DeviceTargetResult } from '../engine/hardware/types';
import type { GraphPayload, TensorValuesResult } from './graph';

export const enum MessageType {
  // #region to webview
  /** reply to Ready: what the webview needs before the first profile arrives */
  ReadyResponse = 'readyResponse',
  /** a new profile result (or the reason there is none) for the document */
  Profile = 'profile',
  /** profiling started or ended (shows a busy bar with a Cancel button) */
  Busy = 'busy',
  /** the host asks the webview to show a target, a pair side by side, or a heatmap mode (commands, tests) */
  SetView = 'setView',
  /** select (highlight) a layer by name in every view */
  SelectLayer = 'selectLayer',
  /** a measured profile (onnxruntime) to overlay on the predictions */
  Measured = 'measured',
  /** request: PNG data URLs of the heatmaps, one image per target (Export Report) */
  CaptureRequest = 'captureRequest',
  /** request: describe what is on screen (tests and the status bar read it) */
  InspectRequest = 'inspectRequest',
  /** reply to GraphRequest: the graph view's data for the profile of that seq */
  GraphResponse = 'graphResponse',
  /** reply to TensorValuesRequest */
  TensorValuesResponse = 'tensorValuesResponse',
  // #endregion

  // #region from webview
  /** request: the webview loaded and wants its boot data */
  Ready = 'ready',
  /** the user changed a knob: profile again with these options */
  Reprofile = 'reprofile',
  /** cancel the running profile */
  Cancel = 'cancel',
  /** the webview finished drawing a profile (or its error) */
  Rendered = 'rendered',
  /** the user selected a layer (or cleared the selection) */
  LayerSelected = 'layerSelected',
  /** the view (shown targets, heatmap mode) changed: the status bar follows it */
  ViewChanged = 'viewChanged',
  /** reply to CaptureRequest */
  CaptureResponse = 'captureResponse',
  /** reply to InspectRequest */
  InspectResponse = 'inspectResponse',
  /** request: the graph view was opened and needs the graph (nodes, tensors, shapes, per-node costs) */
  GraphRequest = 'graphRequest',
  /** request: the user asked to see one small initializer's values */
  TensorValuesRequest = 'tensorValuesRequest',
  /** the user picked another device spec to predict the imported profile with */
  MeasuredSpec = 'measuredSpec',
  // #endregion
}

/** Every message may carry a messageId (requests) or inReplyTo (replies). */
export interface BaseMessage {
  type: MessageType;
  messageId?: number;
  inReplyTo?: number;
}

/** A target the pickers offer. kind is null for a spec file that could not be read (error says why). */
export interface TargetChoice {
  id: string;
  label: string;
  kind: 'wafer' | 'gpu-cluster' | 'device' | null;
  /** a device spec's processor (the measured view offers the specs of the profile's kind) */
  processor?: 'cpu' | 'gpu';
  source: 'builtin' | 'file';
  /** the id the report's target carries: a spec file's own `id` (the choice's id is the file's path) */
  reportId?: string;
  error?: string;
}

export type HeatmapMode = 'placement' | 'memory' | 'time';

/** Which page of the editor is in front: the heatmaps (and charts) or the graph view. */
export type EditorPage = 'heatmaps' | 'graph';

/** Which targets are shown: one, or two side by side. */
export interface ViewState {
  shown: string[];
  heatmap: HeatmapMode;
  /** the page in front; undefined = heatmaps */
  page?: EditorPage;
}

/** Why there is no profile: the file is not a readable ONNX model (or profiling failed). */
export interface ProfileError {
  /** one line: file, what, where */
  message: string;
  file: string;
  problem: string;
  where?: string;
  /** true when the bytes are not an ONNX model at all (as opposed to an engine failure) */
  notOnnx: boolean;
}

/** Per-node facts the measured-profile overlay needs (the report has layers, not nodes). */
export interface NodeFacts {
  name: string;
  opType: string;
  flops: number;
  bytes: number;
  /** index into report.layers */
  layer: number;
  /** input and output tensor names, and the first output's dims when known: what a measured profile's renamed
   * nodes are matched by (src/measured/match.ts) */
  inputs: string[];
  outputs: string[];
  outputDims?: number[];
}

export interface ProfilePayload {
  report: Report;
  nodes: NodeFacts[];
  /** seconds the engine took (read + infer + cost + map) */
  engineSeconds: number;
}

/** A profile run's outcome: the payload, or why there is none (the worker's reply, the document's state). */
export type ProfileResult = { ok: true; profile: ProfilePayload } | { ok: false; error: ProfileError };

// #region to webview
export interface ReadyResponseMessage extends BaseMessage {
  type: MessageType.ReadyResponse;
  fileName: string;
  /** the run options in force (the control bar's knobs): the engine's one options type */
  knobs: RunOptions;
  choices: TargetChoice[];
  view: ViewState;
}

export interface ProfileMessage extends BaseMessage {
  type: MessageType.Profile;
  /** increases with every profile of this document: tests wait for a given one */
  seq: number;
  /** the run options in force (the control bar's knobs): the engine's one options type */
  knobs: RunOptions;
  result: ProfileResult;
  /** the targets the pickers offer (the custom spec files setting may have changed) */
  choices: TargetChoice[];
}

export interface BusyMessage extends BaseMessage {
  type: MessageType.Busy;
  busy: boolean;
  label?: string;
}

export interface SetViewMessage extends BaseMessage {
  type: MessageType.SetView;
  view: Partial<ViewState>;
}

export interface SelectLayerMessage extends BaseMessage {
  type: MessageType.SelectLayer;
  layer: string | null;
}

export interface MeasuredNode {
  /** the node's name in onnxruntime's optimised graph */
  name: string;
  opType: string;
  /** measured seconds (sum over runs divided by runs) */
  seconds: number;
  /** the model's nodes it executes (a fused node executes several; runtime-inserted nodes none) */
  modelNodes: string[];
  how: MatchHow;
}

/** A device spec the measured view offers for its prediction (built-in or a spec file of the profile's kind). */
export interface DeviceSpecChoice {
  /** a built-in id or a spec file path */
  id: string;
  label: string;
  /** a built-in spec (generic hardware), not the user's own */
  builtin: boolean;
}

/** The prediction an imported profile is compared with: the model mapped on one device of the profile's kind. */
export interface MeasuredPrediction {
  /** the spec it was mapped with: a built-in id or a spec file path */
  spec: string;
  /** a built-in spec: a generic device of that kind, not necessarily the one measured */
  generic: boolean;
  /** the profile's intra-op threads, given to a CPU target as its cores (undefined: every core of the spec) */
  threads?: number;
  /** the precision the profile ran in (its kernels' element type), mapped at the same */
  precision: Precision;
  target?: DeviceTargetResult;
  /** why there is no prediction (no device spec of this kind, the mapping failed) */
  error?: string;
}

export interface MeasuredMessage extends BaseMessage {
  type: MessageType.Measured;
  source: string;
  nodes: MeasuredNode[];
  runs: number;
  /** the profile's first (cold) run was left out of the times (parseOrtProfile) */
  coldRunExcluded?: boolean;
  /** what the profile was measured on: predictions are compared only with a target of that kind */
  device: MeasuredDevice;
  coverage: MatchCoverage;
  /** the prediction for a device of the same kind (absent for a profile of an unknown device) */
  prediction?: MeasuredPrediction;
  /** device specs of the profile's kind the user can pick for the prediction */
  specChoices?: DeviceSpecChoice[];
}

export interface CaptureRequestMessage extends BaseMessage {
  type: MessageType.CaptureRequest;
}

export interface InspectRequestMessage extends BaseMessage {
  type: MessageType.InspectRequest;
}

export interface GraphResponseMessage extends BaseMessage {
  type: MessageType.GraphResponse;
  result: { ok: true; graph: GraphPayload } | { ok: false; error: ProfileError };
}

export interface TensorValuesResponseMessage extends BaseMessage {
  type: MessageType.TensorValuesResponse;
  result: TensorValuesResult;
}
// #endregion

// #region from webview
export interface ReadyMessage extends BaseMessage {
  type: MessageType.Ready;
}

export interface ReprofileMessage extends BaseMessage {
  type: MessageType.Reprofile;
  /** the run options in force (the control bar's knobs): the engine's one options type */
  knobs: RunOptions;
}

export interface CancelMessage extends BaseMessage {
  type: MessageType.Cancel;
}

/** What a target's panel shows: computed (with what was drawn) or not computed (with why). */
export interface TargetSummary {
  id: string;
  status: 'computed' | 'not-computed';
  reason?: string;
  kind?: 'wafer' | 'gpu-cluster' | 'device';
  /** cores (wafer) or GPUs drawn in each heatmap, 0 when the mapper gave no grid */
  cellsDrawn: number;
  /** the heatmap canvases drawn for this target */
  heatmaps: HeatmapMode[];
  stepSeconds?: number;
  fits?: boolean;
}

export interface RenderSummary {
  seq: number;
  status: 'profile' | 'error';
  /** error status: the one message shown */
  error?: string;
  shown: string[];
  heatmap: HeatmapMode;
  targets: TargetSummary[];
  /** layers listed in the layer table */
  layerRows: number;
  /** Chart.js charts drawn */
  charts: number;
  selectedLayer: string | null;
  measuredRows: number;
  /** the measured view as drawn: its text, the rows with a prediction, the spec it was predicted with */
  measured?: { text: string; predictedRows: number; spec: string | null; totalRatio: string | null };
  /** <script> elements added to the document after the webview booted: must stay 0 (model strings are never parsed as HTML) */
  scriptsAdded: number;
  /** elements that no code of ours creates (img, iframe, object, style ...) added after boot: must stay 0 */
  foreignAdded: number;
  /** the first layer names as read back from the layer table's text (tests compare them with the model's) */
  layerNamesShown: string[];
  /** the visible text of the summary panel (tests look for model names in it) */
  summaryText: string;
  /** the visible text of the verdict panel (report.comparison's sentences and the comparable figures) */
  verdictText?: string;
  /** where the first verdict sentence is on screen (px from the webview's top) and the viewport's height */
  verdictRect?: { top: number; bottom: number; viewportHeight: number };
  /** the text of the error panel, when status is 'error' */
  errorText?: string;
  /** what the graph view shows, once it has been opened */
  graph?: GraphSummary;
}

/** The graph view as drawn (tests read it through InspectRequest). */
export interface GraphSummary {
  state: 'loading' | 'shown' | 'error';
  error?: string;
  /** nodes in the model's main graph */
  nodes: number;
  /** boxes drawn: collapsed blocks plus expanded nodes (and the graph's input/output markers) */
  items: number;
  /** collapsed blocks among them */
  blocks: number;
  edges: number;
  /** ids of the expanded blocks (module paths) */
  expanded: string[];
  overlay: string;
  /** the target the overlay colours for */
  target: string | null;
  /** the focused item's id (a node name or a block path) */
  focused: string | null;
  /** the search query and how many items match */
  search: string;
  matches: number;
  /** milliseconds of the last layout and of the last draw */
  layoutMs: number;
  drawMs: number;
}

export interface RenderedMessage extends BaseMessage {
  type: MessageType.Rendered;
  summary: RenderSummary;
}

export interface LayerSelectedMessage extends BaseMessage {
  type: MessageType.LayerSelected;
  layer: string | null;
}

export interface ViewChangedMessage extends BaseMessage {
  type: MessageType.ViewChanged;
  view: ViewState;
}

export interface CaptureResponseMessage extends BaseMessage {
  type: MessageType.CaptureResponse;
  /** target id -> PNG data URL of its three heatmaps side by side */
  images: Record<string, string>;
}

export interface InspectResponseMessage extends BaseMessage {
  type: MessageType.InspectResponse;
  summary: RenderSummary | null;
}

export interface GraphRequestMessage extends BaseMessage {
  type: MessageType.GraphRequest;
}

export interface TensorValuesRequestMessage extends BaseMessage {
  type: MessageType.TensorValuesRequest;
  /** the initializer's (or Constant output's) name */
  name: string;
}

export interface MeasuredSpecMessage extends BaseMessage {
  type: MessageType.MeasuredSpec;
  /** a DeviceSpecChoice id */
  spec: string;
}
// #endregion

export type ToWebviewMessage =
  | ReadyResponseMessage
  | ProfileMessage
  | BusyMessage
  | SetViewMessage
  | SelectLayerMessage
  | MeasuredMessage
  | CaptureRequestMessage
  | InspectRequestMessage
  | GraphResponseMessage
  | TensorValuesResponseMessage;

export type FromWebviewMessage =
  | ReadyMessage
  | ReprofileMessage
  | CancelMessage
  | RenderedMessage
  | LayerSelectedMessage
  | ViewChangedMessage
  | CaptureResponseMessage
  | InspectResponseMessage
  | GraphRequestMessage
  | TensorValuesRequestMessage
  | MeasuredSpecMessage;
