// Every number in a report is finite, or absent with a diagnostic that says which and why (ARCHITECTURE.md:
// "an unknown one is absent (never null)"). JSON.stringify would silently write NaN and Infinity as null, and
// a table would print "NaN samples/s": a cost that overflows the double range (a tensor of 40 dims of 2^31),
// a ratio of two zeros (an empty graph's step time) or a degenerate spec number ends here instead.
import type { Diagnostic } from './onnx/errors';

const NON_FINITE_TEXT = /-?\bInfinity\b|\bNaN\b/;
const NON_FINITE_TEXT_G = /-?\bInfinity\b|\bNaN\b/g;
/** The arrays of text the engine writes from numbers (targets' and the comparison's notes, verdict sentences): a
 * string in them written from a non-finite number reads "unknown". Every other string is the model's own (node
 * names, op types, dim symbols): a node or a dim named "NaN" or "Infinity" keeps its name. */
const TEXT_ARRAYS = new Set(['notes', 'sentences']);

/** Removes non-finite numbers from `report` in place: a property is deleted, an unknown dim becomes null (the
 * contract's "unknown dim"), an array of numbers with a non-finite entry is deleted whole; one diagnostic each. */
export function finiteReport<R extends { diagnostics: Diagnostic[] }>(report: R): R {
  // nearly every report is clean: check without building a path per field (a 1M-node report has millions)
  let clean = true;
  for (const k in report) if (k !== 'diagnostics' && !allFinite(report[k])) clean = false;
  if (clean) return report;
  const found: Diagnostic[] = [];
  const note = (path: string, v: number) =>
    found.push({
      severity: 'warning',
      message: `report field ${path} was not finite (${Number.isNaN(v) ? 'undefined, as 0/0' : 'past the double range'}): left out as unknown`,
    });
  let textNoted = false;
  const walk = (v: unknown, path: string, text = false): boolean => {
    if (typeof v === 'number') return Number.isFinite(v);
    if (typeof v === 'string') return true;
    if (Array.isArray(v)) {
      let ok = true;
      v.forEach((x, i) => {
        // a note written from a non-finite number: the number becomes "unknown" in the text
        if (typeof x === 'string') {
          if (!text || !NON_FINITE_TEXT.test(x)) return;
          v[i] = x.replace(NON_FINITE_TEXT_G, 'unknown');
          if (!textNoted)
            found.push({
              severity: 'warning',
              message: `${path}[${i}] was written from a number that is not finite: shown as unknown`,
            });
          textNoted = true;
        } else if (typeof x === 'number' && !Number.isFinite(x)) {
          if (/\.dims$/.test(path)) {
            note(`${path}[${i}]`, x);
            v[i] = null;
          } else ok = false;
        } else walk(x, `${path}[${i}]`);
      });
      return ok;
    }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const p = `${path}.${k}`;
        if (!walk(x, p, TEXT_ARRAYS.has(k))) {
          note(
            p,
            Array.isArray(x)
              ? (x as number[]).find((n) => typeof n === 'number' && !Number.isFinite(n))!
              : (x as number),
          );
          delete (v as Record<string, unknown>)[k];
        }
      }
    }
    return true;
  };
  const { diagnostics, ...rest } = report;
  for (const [k, x] of Object.entries(rest)) {
    if (!walk(x, k)) {
      note(k, x as unknown as number);
      delete (report as unknown as Record<string, unknown>)[k];
    }
  }
  diagnostics.push(...found);
  return report;
}

/** True when `v` holds no non-finite number and no note written from one (what finiteReport fixes); `text`: `v`
 * is one of the engine's text arrays (TEXT_ARRAYS). */
export function allFinite(v: unknown, text = false): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (!v || typeof v !== 'object') return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'string') {
        // (a substring search first: most notes have neither word)
        if (text && (x.includes('NaN') || x.includes('Infinity')) && NON_FINITE_TEXT.test(x)) return false;
      } else if (!allFinite(x)) return false;
    }
    return true;
  }
  for (const k in v)
    if (Object.prototype.hasOwnProperty.call(v, k) && !allFinite((v as Record<string, unknown>)[k], TEXT_ARRAYS.has(k)))
      return false;
  return true;
}
