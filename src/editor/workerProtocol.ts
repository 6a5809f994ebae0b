// Messages between the extension host (engine.ts) and the engine worker (worker.ts, bundled as dist/worker.js).
import type { RunOptions } from '../engine/options';
import type { ProfileError, ProfilePayload, TargetChoice } from '../shared/protocol';

export type WorkerRequest =
  | { id: number; kind: 'profile'; file: string; options: RunOptions }
  /** the built-in targets and the user's spec files, with their kinds (spec files are validated) */
  | { id: number; kind: 'targets'; specFiles: string[] };

export type WorkerReply =
  | { id: number; ok: true; kind: 'profile'; profile: ProfilePayload }
  | { id: number; ok: true; kind: 'targets'; targets: TargetChoice[] }
  | { id: number; ok: false; error: ProfileError };
