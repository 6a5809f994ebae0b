/** One typed error for everything the reader refuses: names the file, what is wrong and where. */
export class OnnxReadError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    /** byte offset or graph path, e.g. "byte 1234" or "graph main / node 'conv1'" */
    readonly where?: string,
  ) {
    super(`${file}: ${problem}${where ? ` (at ${where})` : ''}`);
    this.name = 'OnnxReadError';
  }
}

/** A problem that does not stop profiling (missing external data, dangling names, ...). */
export interface Diagnostic {
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** node name or tensor name the diagnostic is about, when there is one */
  node?: string;
  tensor?: string;
  /** graph path, e.g. "main/If_0.then_branch" */
  graph?: string;
  /** the LIMITS entry (src/engine/limits.ts) this problem hit: what was asked for was not computed */
  limit?: string;
}
