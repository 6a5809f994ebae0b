// One escaping rule per output sink. Model strings (node, tensor, graph names, producer, paths) are untrusted:
// each sink shows them as text and never lets them act as markup, control sequences or formulas.
// HTML: escapeHtml in ./html.ts. JSON: JSON.stringify escapes control characters itself.

/** C0 and C1 controls, DEL, and the Unicode bidirectional overrides and isolates ("Trojan Source"). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

function visible(c: string): string {
  const n = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
}

/** Terminal: every control character (ESC, BEL, CR, LF, C1 CSI, bidi overrides) shown as a visible escape,
 * so a string can neither drive the terminal nor forge a line of output. Apply to one line's text. */
export function terminalText(s: string): string {
  return s.replace(CONTROL, visible);
}

/** A multi-line terminal message (usage text, an error): each line escaped, the line breaks kept. */
export function terminalLines(s: string): string {
  return s.split('\n').map(terminalText).join('\n');
}

/**
 * CSV (RFC 4180): a field holding a comma, quote, CR or LF is quoted with quotes doubled. A text field whose
 * first non-blank character is = + - @ (or that starts with a tab or CR) would run as a spreadsheet formula:
 * it gets a leading apostrophe (OWASP CSV injection). Control characters are shown as escapes first, as on
 * the terminal (a CSV is often printed to one). Numbers are written as numbers.
 */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = terminalText(String(v));
  const guarded = /^[\s]*[=+\-@]|^[\t\r\n]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** Markdown inline text: controls shown as escapes (no line break, so no heading, list, quote or table can
 * start inside it), every character that can open a Markdown construct backslash-escaped (emphasis, code,
 * link, image, HTML tag, entity, table cell; ':' '@' and "www." so no bare autolink forms), and a leading
 * character that would start a block (list, quote, setext line) escaped too. */
export function markdownText(s: string): string {
  return terminalText(s)
    .replace(/[\\`*_{}[\]<>|#!&~:@]/g, (c) => '\\' + c)
    .replace(/www\./gi, (w) => w.slice(0, 3) + '\\.')
    .replace(/^(\s*)([-+=])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

/** Markdown inline code: a fence one backtick longer than the longest backtick run inside, so the content
 * cannot close it, and no line break (controls shown as escapes), so it cannot end the paragraph. */
export function markdownCode(s: string): string {
  const t = terminalText(s);
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one space on each side when both are present: pad when the text touches a backtick or space
  const pad = /^[` ]|[` ]$/.test(t) ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}
