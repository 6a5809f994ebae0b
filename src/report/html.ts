// Standalone HTML report. Every model string is escaped: node names are untrusted input.
import type { Report } from '../engine/profile';
import { fmtBytes, fmtFlops, fmtRate, fmtSeconds } from './units';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderHtml(r: Report, images: Record<string, string> = {}): string {
  const e = escapeHtml;
  const m = r.model;
  const rows = r.layers
    .map(
      (l) =>
        `<tr><td>${e(l.name)}</td><td>${e(l.opTypes.join('+'))}</td><td>${e(fmtFlops(l.forwardFlops))}</td><td>${e(fmtBytes(l.parameterBytes))}</td><td>${e(fmtBytes(l.activationBytes))}</td></tr>`,
    )
    .join('\n');
  const targets = (r.targets ?? [])
    .map((t) => {
      if ('error' in t) return `<h2>${e(t.id)}</h2><p class="err">${e(t.error)}</p>`;
      const img =
        images[t.id] && /^data:image\/png;base64,[A-Za-z0-9+/=]+$/.test(images[t.id])
          ? `<img alt="${e(t.id)} heatmap" src="${images[t.id]}">`
          : '';
      const lr = t.layers
        .map(
          (l) =>
            `<tr><td>${e(l.name)}</td><td>${e(fmtSeconds(l.seconds))}</td><td>${e(l.bound)}</td><td>${e(fmtBytes(l.memoryBytes))}</td></tr>`,
        )
        .join('\n');
      return `<h2>${e(t.name)} (${e(t.id)})</h2>
<p>${e(t.execution)} — step ${e(fmtSeconds(t.stepSeconds))}, ${e(fmtRate(t.throughput.value, t.throughput.unit))}, memory ${e(fmtBytes(t.memory.usedBytes))} of ${e(fmtBytes(t.memory.capacityBytes))}${t.fits ? '' : ' <strong>does not fit</strong>'}</p>
${img}
<ul>${t.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>
<table><thead><tr><th>layer</th><th>time</th><th>bound</th><th>memory</th></tr></thead><tbody>${lr}</tbody></table>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>ONNX profile: ${e(m.path)}</title>
<style>body{font:13px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}.err{color:#b00}img{max-width:100%;image-rendering:pixelated}</style>
</head><body>
<h1>${e(m.path)}</h1>
<p>IR ${m.irVersion}; ${m.nodeCount} nodes; ${e(String(m.parameterCount))} parameters (${e(fmtBytes(m.parameterBytes))}); ${e(fmtFlops(m.forwardFlops))} forward</p>
${targets}
<h2>Layers</h2>
<table><thead><tr><th>layer</th><th>ops</th><th>FLOPs</th><th>params</th><th>activations</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
}
