// Standalone HTML report. Every model string is escaped: node names are untrusted input.
import type { Report } from '../engine/profile';
import { fmtBytes, fmtFlops, fmtRate, fmtSeconds, si } from './units';
import { budgetLines, costScale, figureLine } from './comparison';
import { placeOf } from './plan';
import { computedTargets, type TargetResult } from '../engine/hardware/types';
import { unboundPhrase } from '../engine/shapes/unbound';

/** Every assumption of the run, in words: model, precision, mode, batch, sequence, systems/nodes, plan,
 * calibration, prices. */
function assumptions(r: Report): [string, string][] {
  const a = r.assumptions;
  const m = r.model;
  const rows: [string, string][] = [['model', `${m.path} (${si(m.parameterCount, 'parameters').trim()})`]];
  if (a) {
    rows.push(['mode', a.mode === 'training' ? 'training (forward + backward + optimizer step)' : 'inference']);
    rows.push(['precision', a.precision]);
    rows.push(['wafer execution', a.execution]);
    rows.push(['comparison basis', a.basis]);
  }
  const b = Object.entries(m.bindings);
  rows.push(['batch and sequence (bound dims)', b.length ? b.map(([k, v]) => `${k}=${v}`).join(', ') : 'none bound']);
  if (m.unboundDims.length) rows.push(['unbound dims', unboundPhrase(m.unboundDims)]);
  for (const t of r.targets ?? []) {
    if ('error' in t) continue;
    const where = placeOf(t);
    const plan = Object.entries(t.parallelism)
      .filter(([, v]) => typeof v !== 'object')
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    rows.push([`${t.id}: systems/nodes and plan`, `${where}; ${plan}`]);
    const cal = t.notes.find((n) => /^calibration/i.test(n));
    if (cal) rows.push([`${t.id}: calibration`, cal]);
    const f = t as TargetResult & { energy?: { source: string }; cost?: { source: string } };
    if (f.energy) rows.push([`${t.id}: power`, f.energy.source]);
    if (f.cost) rows.push([`${t.id}: price`, f.cost.source]);
  }
  if (a?.trainTokens !== undefined) rows.push(['training budget', `${si(a.trainTokens, 'tokens')}`]);
  if (a?.serveRate !== undefined) rows.push(['serving rate', `${si(a.serveRate, '/s')}`]);
  for (const n of r.comparison?.notes ?? []) rows.push(['comparison', n]);
  return rows;
}

/** A horizontal bar chart of the slowest layers (inline SVG: no script, allowed by the page's CSP). */
function layerChart(t: TargetResult, e: (s: string) => string): string {
  const top = [...t.layers].sort((a, b) => b.seconds - a.seconds).slice(0, 12);
  const max = Math.max(1e-30, ...top.map((l) => l.seconds));
  const rowH = 16;
  const bars = top
    .map((l, i) => {
      const w = Math.max(1, Math.round((360 * l.seconds) / max));
      const y = i * rowH;
      return `<rect x="300" y="${y + 2}" width="${w}" height="${rowH - 4}" fill="#3794ff"><title>${e(l.name)}: ${e(fmtSeconds(l.seconds))} (${e(l.bound)})</title></rect><text x="296" y="${y + 12}" text-anchor="end">${e(l.name.slice(-44))}</text><text x="${304 + w}" y="${y + 12}">${e(fmtSeconds(l.seconds))} ${e(l.bound)}</text>`;
    })
    .join('');
  return `<figure><svg role="img" aria-label="${e(t.id)}: slowest layers" width="820" height="${top.length * rowH + 4}" font-size="11" font-family="system-ui,sans-serif">${bars}</svg><figcaption>${e(t.id)}: the ${top.length} slowest layers (time per step, bound)</figcaption></figure>`;
}

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
  const scale = costScale(computedTargets(r.targets));
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
<p class="figures">${e(figureLine(t, scale))}</p>${budgetLines(t, scale)
        .map((b) => `<p class="budget">${e(b)}</p>`)
        .join('')}
${layerChart(t, e)}
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
<style>body{font:13px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}.err{color:#b00}img{max-width:100%;image-rendering:pixelated}.verdict{border-left:4px solid #3794ff;padding:2px 12px;font-size:15px}.assumptions th{text-align:left;vertical-align:top;white-space:nowrap}</style>
</head><body>
<h1>${e(m.path)}</h1>
${
  r.comparison
    ? `<section class="verdict"><h2>Verdict (basis ${e(r.comparison.basis)}, baseline ${e(r.comparison.baseline)})</h2>${r.comparison.sentences.map((x) => `<p>${e(x)}</p>`).join('')}</section>`
    : ''
}
<h2>Assumptions</h2>
<table class="assumptions"><tbody>${assumptions(r)
    .map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`)
    .join('')}</tbody></table>
<p>IR ${m.irVersion}; ${m.nodeCount} nodes; ${e(String(m.parameterCount))} parameters (${e(fmtBytes(m.parameterBytes))}); ${e(fmtFlops(m.forwardFlops))} forward</p>
${targets}
<h2>Layers</h2>
<table><thead><tr><th>layer</th><th>ops</th><th>FLOPs</th><th>params</th><th>activations</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
}
