// Op rules as values: each op-family module lists its rules (RuleList), and one index module per registry
// (shapes/ops/index.ts, cost/ops/index.ts) builds the table from those lists, in a stated order. Nothing is
// registered by importing a module. 'ai.onnx' and '' name the same default domain.

/** One rule: the function for these op types of one domain. */
export interface OpRule<F> {
  readonly ops: readonly string[];
  readonly domain: string;
  readonly fn: F;
}

/** The rules a module declares, in order (a later rule for the same op replaces an earlier one). */
export class RuleList<F> {
  readonly rules: OpRule<F>[] = [];
  /** Declares `fn` as the rule for `ops` in `domain` (default: the ai.onnx domain). */
  add(ops: string | readonly string[], fn: F, domain = ''): void {
    this.rules.push({ ops: typeof ops === 'string' ? [ops] : ops, domain: normDomain(domain), fn });
  }
}

/** A table keyed by (domain, op type), read-only once built. */
export interface OpTable<F> {
  lookup(domain: string, op: string): F | undefined;
  /** 'domain::op' for every op that has a rule ('' for the default domain) */
  keys(): string[];
}

const normDomain = (d: string) => (d === 'ai.onnx' ? '' : d);

/** The table of `rules` (in order: a later rule for the same op replaces an earlier one). Looked up per node, so
 * by domain then op type: no key string is built per lookup. */
export function opTableOf<F>(rules: readonly OpRule<F>[]): OpTable<F> {
  const byDomain = new Map<string, Map<string, F>>();
  for (const r of rules) {
    let ops = byDomain.get(r.domain);
    if (!ops) byDomain.set(r.domain, (ops = new Map()));
    for (const op of r.ops) ops.set(op, r.fn);
  }
  const main = byDomain.get('') ?? new Map<string, F>();
  return {
    lookup: (domain, op) => (domain === '' ? main.get(op) : byDomain.get(normDomain(domain))?.get(op)),
    keys: () => [...byDomain].flatMap(([d, ops]) => [...ops.keys()].map((op) => `${d}::${op}`)),
  };
}
