// The onnxProfiler.* settings as the engine's options: the same rules as the profile editor
// (src/editor/options.ts over src/engine/options.ts: invalid values fall back to the defaults, targets capped),
// so a hover in the text view and the editor's numbers agree when neither overrides the settings.
import type { RunOptions } from '../engine/options';
import { knobsFromSettings } from '../editor/options';

export const SETTINGS_SECTION = 'onnxProfiler';

export function optionsFromSettings(settings: unknown): RunOptions {
  const s = settings && typeof settings === 'object' ? (settings as Record<string, unknown>) : {};
  return knobsFromSettings({ get: <T>(key: string) => s[key] as T | undefined });
}
