// Messages between the extension host (engine.ts) and the engine worker (worker.ts, bundled as dist/worker.js).
import type { RunOptions } from '../engine/options';
import type { ProfileError, ProfilePayload, TargetChoice } from '../shared/protocol';
import type { GraphPayload, TensorValuesResult } from '../shared/graph';

export type WorkerRequest =
  | { id: number; kind: 'profile'; file: string; options: RunOptions }
  /** the built-in targets and the user's spec files, with their kinds (spec files are validated) */
  | { id: number; kind: 'targets'; specFiles: string[] }
  /** the graph view's data (graphPayload.ts): nodes, tensors with inferred shapes, per-node costs */
  | { id: number; kind: 'graph'; file: string; options: RunOptions }
  /** the values of one small initializer, on the user's request */
  | { id: number; kind: 'tensor'; file: string; name: string };

export type WorkerReply =
  | { id: number; ok: true; kind: 'profile'; profile: ProfilePayload }
  | { id: number; ok: true; kind: 'targets'; targets: TargetChoice[] }
  | { id: number; ok: true; kind: 'graph'; graph: GraphPayload }
  | { id: number; ok: true; kind: 'tensor'; tensor: TensorValuesResult }
  | { id: number; ok: false; error: ProfileError };
