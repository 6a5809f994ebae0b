// The verdict panel: the first thing on screen. One sentence per target pair (report.comparison), then the
// figures people compare, one row per computed target (throughput, latency, power, energy and cost per
// token, MFU, budgets). Text only: model strings go through textContent (h()), never HTML.
import type { Report } from '../src/engine/profile';
import { computedTargets } from '../src/engine/hardware/types';
import { budgetLines, costScale, figureLine } from '../src/report/comparison';
import { h } from './dom';

export function verdictPanel(report: Report): HTMLElement | null {
  const c = report.comparison;
  const targets = computedTargets(report.targets);
  if (!c && !targets.length) return null;
  const el = h('section', { class: 'verdict', id: 'verdict', attrs: { 'aria-label': 'Verdict' } });
  el.append(
    h('h2', {}, 'Verdict', c ? h('span', { class: 'muted' }, ` — basis ${c.basis}, baseline ${c.baseline}`) : null),
  );
  if (c) for (const s of c.sentences) el.append(h('p', { class: 'verdict-sentence' }, s));
  else el.append(h('p', { class: 'muted' }, 'Pick a second target to compare.'));
  const ul = h('ul', { class: 'figures' });
  const scale = costScale(targets);
  for (const t of targets) {
    ul.append(
      h(
        'li',
        { attrs: { 'data-target': t.id } },
        h('strong', {}, t.id),
        ` ${figureLine(t, scale)}`,
        ...budgetLines(t, scale).map((b) => h('div', { class: 'budget' }, b)),
      ),
    );
  }
  el.append(ul);
  if (c?.notes.length)
    el.append(h('details', {}, h('summary', {}, 'assumptions'), h('ul', {}, ...c.notes.map((n) => h('li', {}, n)))));
  return el;
}
