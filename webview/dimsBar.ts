// The model's symbolic dims, one field each, right under the verdict: they decide what the answer is about (a
// one-token pass or a 2,048-token prompt). The one place a dim is bound in the editor, with the one instruction;
// an unbound dim is named with the value it is taken as (src/engine/shapes/unbound.ts, the same value and
// phrase as the summary, the notes and the CLI), and a sequence dim left unbound says what that does to the figures.
import { isBatchLike, nonNegInt } from '../src/engine/options';
import { isSequenceDim, UNBOUND_DIM_VALUE, unboundPhrase } from '../src/engine/shapes/unbound';
import { symbolicDims, type ControlsHost } from './controls';
import { h } from './dom';

export const BIND_INSTRUCTION = "Type a value in a dim's field to bind it.";

export function dimsBar(host: ControlsHost): HTMLElement | null {
  const knobs = host.knobs();
  const report = host.report();
  const names = symbolicDims(report, knobs);
  if (!names.length) return null;
  const unbound = new Set(report?.model.unboundDims ?? []);
  const fields = h('span', { class: 'dims' }, h('span', { class: 'dims-title' }, 'Dims'));
  for (const name of names) {
    const batch = isBatchLike(name);
    const value = knobs.dims[name] ?? (batch ? knobs.batch : undefined);
    const isUnbound = unbound.has(name);
    const input = h('input', {
      class: isUnbound ? 'unbound' : undefined,
      attrs: {
        type: 'text',
        inputmode: 'numeric',
        size: 6,
        placeholder: isUnbound ? `${UNBOUND_DIM_VALUE}?` : '',
        value: value === undefined ? '' : String(value),
        'data-dim': name,
        'aria-label': `value of symbolic dim ${name}${batch ? ' (the batch)' : ''}`,
        title: isUnbound ? unboundPhrase([name]) : batch ? 'the batch: binds every batch-like dim' : undefined,
      },
      on: {
        // Enter applies at once (a change event would wait for the field to lose focus in some hosts)
        keydown: (e) => {
          if (e.key === 'Enter') apply();
        },
        change: () => apply(),
      },
    });
    let applied = input.value;
    const apply = (): void => {
      // Enter and the change event that follows it: one re-profile
      if (input.value === applied) return;
      applied = input.value;
      const t = input.value.trim();
      const k = host.knobs();
      const dims = { ...k.dims };
      const v = t ? nonNegInt(t).value : undefined;
      if (t && v === undefined) {
        input.setAttribute('aria-invalid', 'true');
        return;
      }
      input.removeAttribute('aria-invalid');
      if (batch) {
        // the Batch knob binds every batch-like dim; an explicit binding of this one would shadow it
        delete dims[name];
        host.reprofile({ ...k, dims, batch: v === undefined || v === 0 ? undefined : v });
        return;
      }
      if (v === undefined) delete dims[name];
      else dims[name] = v;
      host.reprofile({ ...k, dims });
    };
    fields.append(h('label', { class: `field dim${isUnbound ? ' unbound' : ''}` }, h('code', {}, name), input));
  }
  const el = h('section', { class: 'dims-bar', id: 'dims-bar', attrs: { 'aria-label': 'Symbolic dims' } }, fields);
  if (unbound.size) {
    const names = [...unbound].sort();
    const seq = names.filter(isSequenceDim);
    el.append(
      h(
        'p',
        { class: 'warning unbound-warning', role: 'note', id: 'unbound-warning' },
        `⚠ ${unboundPhrase(names)}`,
        seq.length ? `: the figures are for ${UNBOUND_DIM_VALUE} token per pass, not a prompt of many` : '',
        `. ${BIND_INSTRUCTION}`,
      ),
    );
  }
  return el;
}
