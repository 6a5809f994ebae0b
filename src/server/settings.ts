// The onnxProfiler.* settings as the engine's options: the same rules as the profile editor
// (src/editor/options.ts: invalid values fall back to the defaults, targets capped), so a hover in the
// text view and the editor's numbers agree when neither overrides the settings.
import type { ProfileOptions } from '../engine/profile';
import { knobsFromSettings, profileOptionsFrom } from '../editor/options';

export const SETTINGS_SECTION = 'onnxProfiler';

export function optionsFromSettings(settings: unknown): ProfileOptions {
  const s = settings && typeof settings === 'object' ? (settings as Record<string, unknown>) : {};
  const knobs = knobsFromSettings({ get: <T>(key: string) => s[key] as T | undefined });
  return profileOptionsFrom(knobs);
}
