// A table keyed by (domain, op type), shared by the shape-inference and cost registries.
// 'ai.onnx' and '' name the same default domain.

export interface OpTable<F> {
  register(ops: string | string[], fn: F, domain?: string): void;
  lookup(domain: string, op: string): F | undefined;
  keys(): string[];
}

export function opTable<F>(): OpTable<F> {
  const table = new Map<string, F>();
  const key = (domain: string, op: string) => `${domain === 'ai.onnx' ? '' : domain}::${op}`;
  return {
    register(ops, fn, domain = '') {
      for (const op of Array.isArray(ops) ? ops : [ops]) table.set(key(domain, op), fn);
    },
    lookup: (domain, op) => table.get(key(domain, op)),
    keys: () => [...table.keys()],
  };
}
