// What an unbound symbolic dim is taken as, in one place: the costs (cost.ts evaluates tensors with it), the
// workload (profile.ts: samples and tokens per pass), the mappers (structure/pattern.ts: batch, sequence and
// KV-cache length) and every sentence that says so (summary, notes, diagnostics, CLI, LSP, HTML export).
// One value for all of them, so the summary and the notes can never disagree ("past taken as 1" vs "as 0").

/** The value an unbound (or unknown) symbolic dim takes in every computation. */
export const UNBOUND_DIM_VALUE = 1;

/** "'seq' unbound: taken as 1", "'batch', 'seq' unbound: taken as 1" (no instruction: each view says how to bind). */
export function unboundPhrase(names: readonly string[]): string {
  return `${names.map((n) => `'${n}'`).join(', ')} unbound: taken as ${UNBOUND_DIM_VALUE}`;
}

/** A dim that counts tokens (sequence, context, KV-cache length): left unbound it makes a prompt one token long. */
export function isSequenceDim(name: string): boolean {
  return /seq|sequence|context|ctx|past|cache|total|length|len\b|tokens?\b|^s$|^t$/i.test(name);
}
