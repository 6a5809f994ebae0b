// A user's hardware spec file, started from a built-in target (pure: the command in specCommands.ts writes it).
import { loadSpec } from '../engine/hardware';

/** A built-in spec as the start of a user's own: a new id and name, a note saying where it came from. */
export function specTemplate(builtinId: string, today = new Date()): Record<string, unknown> {
  const { spec } = loadSpec(builtinId);
  const copy = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
  const notes = Array.isArray(copy.notes) ? (copy.notes as unknown[]) : [];
  return {
    ...copy,
    id: `${builtinId}-custom`,
    name: `${typeof copy.name === 'string' ? copy.name : builtinId} (custom)`,
    notes: [
      `Copied from the built-in target ${builtinId} on ${today.toISOString().slice(0, 10)}: change the numbers you know ` +
        'better and cite each one in "sources".',
      ...notes,
    ],
  };
}
