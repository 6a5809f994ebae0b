// onnx-profile's argument parsing and run loop (src/cli.ts is the executable entry).
// The CLI of ARCHITECTURE.md: one report per model; JSON Lines with several models.
// Exit codes: 0 only when everything asked for was computed; 1 when a model could not be read, a target or
// spec was refused or a limit was hit (one line each on stderr); 2 bad usage. Everything written to the
// terminal goes through the terminal sink's escaping (src/report/escape.ts).
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { readModelFile } from '../engine/onnx/reader';
import { OnnxReadError } from '../engine/onnx/errors';
import { profileModel, SCHEMA, type Report } from '../engine/profile';
import { cliOptionConfig, oneOf, optionUsage, runOptionsFromCli, type RunOptions } from '../engine/options';
import { formatReport, type Format } from '../report/format';
import { samplePath } from '../engine/sample';
import { terminalText } from '../report/escape';

const USAGE = `usage: onnx-profile [MODEL.onnx ...] [options]
  (no model: profiles the embedded sample model)
${optionUsage()}
  --format table|json|csv|html           report format (table by default)
  --out FILE                             write the report to FILE instead of stdout`;

const FORMATS = ['table', 'json', 'csv', 'html'] as const;

class UsageError extends Error {}

/** The CLI's flags: the run options (engine/options.ts, the one parser) plus the report's format and file. */
export function parseCli(argv: string[]): { models: string[]; opts: RunOptions; format: Format; out?: string } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...cliOptionConfig(),
      format: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new UsageError('');
  const { options, problems } = runOptionsFromCli(values);
  if (problems.length) throw new UsageError(problems[0]);
  const f = values.format === undefined ? { value: 'table' as const } : oneOf(FORMATS)(values.format);
  if (f.error) throw new UsageError(`--format ${f.error}`);
  return { models: positionals, opts: options, format: f.value ?? 'table', out: values.out as string | undefined };
}

export function runCli(argv: string[], stdout: (s: string) => void, rawStderr: (s: string) => void): number {
  // every message is one line, escaped: paths and model strings may hold control sequences or line breaks
  const stderr = (s: string) => rawStderr(terminalText(s.replace(/\n$/, '')) + '\n');
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (e) {
    const msg = (e as Error).message;
    if (msg) stderr(`onnx-profile: ${msg}`);
    rawStderr(USAGE + '\n');
    return e instanceof UsageError && !msg ? 0 : 2;
  }
  const { opts, format, out } = parsed;
  const models = parsed.models.length ? parsed.models : [samplePath()];
  if (!parsed.models.length) {
    // the embedded sample's documented context (media/sample/README.md): batch 1, seq up to 128
    opts.batch ??= 1;
    opts.dims = { seq: 128, ...opts.dims };
  }
  const chunks: string[] = [];
  let failed = false;
  const reports: Report[] = [];
  for (const file of models) {
    try {
      const model = readModelFile(file);
      const { report } = profileModel(model, opts);
      reports.push(report);
      chunks.push(formatReport(report, format));
      // what was asked for and not computed: a refused target, spec or plan, a limit hit in the model
      for (const t of report.targets ?? [])
        if ('error' in t) {
          failed = true;
          stderr(`onnx-profile: ${file}: target ${t.id}: ${t.error}\n`);
        }
      for (const d of report.diagnostics)
        if (d.limit) {
          failed = true;
          stderr(`onnx-profile: ${file}: ${d.message}\n`);
        }
    } catch (e) {
      failed = true;
      const msg = e instanceof OnnxReadError ? e.message : `${file}: ${(e as Error).message}`;
      stderr(`onnx-profile: ${msg}\n`);
      if (format === 'json') chunks.push(JSON.stringify({ schema: SCHEMA, model: { path: file }, error: msg }));
    }
  }
  const text = format === 'json' ? chunks.join('\n') + '\n' : chunks.join('\n');
  if (out) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
      fs.writeFileSync(out, text);
    } catch (e) {
      stderr(`onnx-profile: cannot write ${out}: ${(e as Error).message}\n`);
      return 2;
    }
  } else stdout(text);
  // a parallel plan the hardware cannot run as asked (tp not dividing the heads, cp the sequence, ...) is bad
  // usage (issue 11): exit 2; its reason is on stderr with the other target errors above
  if (reports.some((r) => (r.targets ?? []).some((t) => 'refused' in t && t.refused))) return 2;
  return failed ? 1 : 0;
}
