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

/** Options of a numeric spec field: > 0, an upper bound, an integer, may be absent. Negative is always refused. */
export interface NumberRule {
  positive?: boolean;
  max?: number;
  integer?: boolean;
  optional?: boolean;
}

/** The field readers every spec validator uses: a dotted path's value, a refusal naming the field, a number check. */
export function specFields(
  spec: Record<string, unknown>,
  where: string,
): {
  get(path: string): unknown;
  fail(path: string, why: string): never;
  num(path: string, rule?: NumberRule): void;
} {
  const get = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), spec);
  const fail = (path: string, why: string): never => {
    throw new SpecError(`${where}: field '${path}' ${why}`);
  };
  const num = (path: string, rule: NumberRule = {}): void => {
    const v = get(path);
    if (v === undefined || v === null) {
      if (rule.optional) return;
      fail(path, 'is missing (a number is required)');
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `must be a number, got ${shownValue(v)}`);
    const n = v as number;
    if (n < 0) fail(path, `must not be negative, got ${n}`);
    if (rule.positive && n === 0) fail(path, 'must be greater than 0');
    if (rule.integer && !Number.isInteger(n)) fail(path, `must be an integer, got ${n}`);
    if (rule.max !== undefined && n > rule.max) fail(path, `must be at most ${rule.max}, got ${n}`);
  };
  return { get, fail, num };
}
