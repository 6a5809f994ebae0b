// The error a bad or unknown hardware spec raises (caught per target: the report gets {"id", "error"}).
export class SpecError extends Error {}

/** A parallel plan the hardware cannot run as asked (a TP that does not divide the heads, a CP that does not
 * divide the sequence, an EP that does not divide the experts): bad usage, refused with the reason (the CLI
 * exits 2), never replaced by another plan. */
export class PlanRefusal extends Error {}

/** A spec value as a refusal shows it: numbers, booleans and short words (a misspelt "roofline") as they are,
 * anything else by its kind only, so a file that is not a spec (a config holding a token) never has its
 * contents echoed by an error. */
export function shownValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return /^[A-Za-z0-9_.-]{0,16}$/.test(v) ? JSON.stringify(v) : 'a string';
  return `an ${typeof v}`;
}
