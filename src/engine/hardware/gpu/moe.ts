// The mixture-of-experts facts the GPU mapper needs (experts, experts per token), read from the transformer
// pattern when the structure module provides them (src/engine/structure, exports-structure's MoE detection:
// `experts`, `expertsPerToken`). Until a pattern carries them, no model is MoE here and --ep > 1 is refused.
export interface MoeFacts {
  experts: number;
  expertsPerToken: number;
}

export function moeFacts(pattern: object): MoeFacts | undefined {
  const r = pattern as Partial<Record<'experts' | 'expertsPerToken', unknown>>;
  const e = typeof r.experts === 'number' ? r.experts : 0;
  const k = typeof r.expertsPerToken === 'number' ? r.expertsPerToken : 0;
  return e > 1 && k > 0 ? { experts: e, expertsPerToken: k } : undefined;
}
