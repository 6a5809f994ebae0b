// The control bar: target picker (wafer / GPU cluster / the two side by side) and the knobs of a profile
// run. Every change posts a Reprofile (knobs) or a view change; the host does the work.
import type { Report } from '../src/engine/profile';
import type { HeatmapMode, TargetChoice, ViewState } from '../src/shared/protocol';
import { h } from './dom';
import { MODE_LABEL } from './heatmap/types';
import { isBatchLike, posInt, type RunOptions } from '../src/engine/options';
import { dimSymbols } from '../src/engine/shapes/dims';

export interface ControlsHost {
  knobs(): RunOptions;
  view(): ViewState;
  choices(): TargetChoice[];
  report(): Report | undefined;
  reprofile(k: RunOptions): void;
  setView(v: Partial<ViewState>): void;
}

export type Picker = 'wafer' | 'gpu-cluster' | 'compare';

function kindOf(choices: TargetChoice[], id: string): TargetChoice['kind'] {
  return choices.find((c) => c.id === id)?.kind ?? (/^wse/i.test(id) ? 'wafer' : null);
}

/** The wafer and the GPU cluster currently profiled (first of each kind). */
export function pair(knobs: RunOptions, choices: TargetChoice[]): { wafer?: string; gpu?: string } {
  return {
    wafer: knobs.targets.find((t) => kindOf(choices, t) === 'wafer'),
    gpu: knobs.targets.find((t) => kindOf(choices, t) === 'gpu-cluster'),
  };
}

export function pickerOf(view: ViewState, choices: TargetChoice[]): Picker {
  if (view.shown.length > 1) return 'compare';
  return kindOf(choices, view.shown[0] ?? '') === 'gpu-cluster' ? 'gpu-cluster' : 'wafer';
}

/** A text field's value through the engine's own rule (src/engine/options.ts): empty means the default. */
function posIntOrUndefined(s: string): number | undefined | 'bad' {
  const t = s.trim();
  return t ? (posInt(t).value ?? 'bad') : undefined;
}

/** Symbolic dim names the model uses (inputs and outputs) plus any bound or unbound ones the report names. */
export function symbolicDims(report: Report | undefined, knobs: RunOptions): string[] {
  const names = new Set<string>(Object.keys(knobs.dims));
  if (report) {
    for (const v of [...report.model.inputs, ...report.model.outputs])
      // the symbols of a dim ('past' of 'past + 1'): an expression is bound through its symbols
      for (const d of v.dims ?? []) for (const sym of dimSymbols(d)) names.add(sym);
    for (const d of report.model.unboundDims) names.add(d);
    // bound dims no longer show in the inputs' dims (they are evaluated): the bindings name them
    for (const d of Object.keys(report.model.bindings)) names.add(d);
  }
  return [...names].sort();
}

/** The model's batch-like symbolic dims: the Batch knob binds them (profile.ts bindingsFor), so the dims bar
 * shows them bound to it and the knobs show no second Batch field. */
export function batchDims(report: Report | undefined, knobs: RunOptions): string[] {
  return symbolicDims(report, knobs).filter(isBatchLike);
}

/** The target picker and heatmap switch (above the heatmap), and the knobs (with the details below it). */
export function controlsBar(host: ControlsHost): { picker: HTMLElement; knobs: HTMLElement } {
  const knobs = host.knobs();
  const view = host.view();
  const choices = host.choices();
  const report = host.report();
  const { wafer, gpu } = pair(knobs, choices);
  const picker = pickerOf(view, choices);

  const post = (patch: Partial<RunOptions>) => host.reprofile({ ...host.knobs(), ...patch });

  // target picker: a radio group of three buttons
  const radios = h('div', { class: 'segmented', role: 'radiogroup', attrs: { 'aria-label': 'Target' } });
  const pickers: [Picker, string][] = [
    ['wafer', 'Wafer'],
    ['gpu-cluster', 'GPU cluster'],
    ['compare', 'Side by side'],
  ];
  for (const [p, label] of pickers) {
    const b = h(
      'button',
      {
        class: 'seg',
        role: 'radio',
        attrs: { 'aria-checked': p === picker ? 'true' : 'false', 'data-picker': p },
        tabIndex: p === picker ? 0 : -1,
        on: {
          click: () => {
            const cur = pair(host.knobs(), host.choices());
            if (p === 'compare')
              host.setView({
                shown:
                  host.view().shown.length > 1
                    ? host.view().shown
                    : [cur.wafer, cur.gpu].filter((x): x is string => !!x),
              });
            else
              host.setView({
                shown: [(p === 'wafer' ? cur.wafer : cur.gpu) ?? host.knobs().targets[0]].filter(Boolean),
              });
          },
          keydown: (e) => {
            if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
            const all = [...radios.querySelectorAll<HTMLButtonElement>('button')];
            const i = all.indexOf(e.currentTarget as HTMLButtonElement);
            const next = all[(i + (e.key === 'ArrowRight' ? 1 : all.length - 1)) % all.length];
            next.focus();
            next.click();
          },
        },
      },
      label,
    );
    radios.append(b);
  }

  const targetSelect = (kind: 'wafer' | 'gpu-cluster', current: string | undefined, label: string) => {
    const sel = h('select', {
      attrs: { 'aria-label': label, 'data-knob': kind === 'wafer' ? 'wafer-target' : 'gpu-target' },
      on: {
        change: () => {
          const k = host.knobs();
          const others = k.targets.filter((t) => kindOf(host.choices(), t) !== kind);
          const targets =
            kind === 'wafer'
              ? [sel.value, ...others]
              : [
                  ...others.filter((t) => kindOf(host.choices(), t) === 'wafer'),
                  sel.value,
                  ...others.filter((t) => kindOf(host.choices(), t) !== 'wafer'),
                ];
          const shown = host.view().shown.map((s) => (kindOf(host.choices(), s) === kind ? sel.value : s));
          host.setView({ shown });
          host.reprofile({ ...k, targets });
        },
      },
    });
    const opts = choices.filter((c) => c.kind === kind || (c.kind === null && c.source === 'file'));
    if (current && !opts.some((c) => c.id === current)) sel.append(h('option', { attrs: { value: current } }, current));
    for (const c of opts) {
      const o = h(
        'option',
        { attrs: { value: c.id, disabled: c.kind === null } },
        c.label + (c.error ? ' (invalid spec)' : ''),
      );
      if (c.id === current) o.selected = true;
      sel.append(o);
    }
    return sel;
  };

  const field = (label: string, control: HTMLElement, hint?: string) =>
    h('label', { class: 'field', title: hint }, h('span', {}, label), control);

  const numberInput = (
    knob: string,
    value: number | undefined,
    placeholder: string,
    apply: (v: number | undefined) => void,
  ) => {
    const input = h('input', {
      attrs: {
        type: 'text',
        inputmode: 'numeric',
        size: 6,
        placeholder,
        value: value === undefined ? '' : String(value),
        'data-knob': knob,
      },
      on: {
        change: () => {
          const v = posIntOrUndefined(input.value);
          if (v === 'bad') {
            input.setAttribute('aria-invalid', 'true');
            input.title = 'a positive integer, or empty for the default';
            return;
          }
          input.removeAttribute('aria-invalid');
          apply(v);
        },
      },
    });
    return input;
  };

  const select = <T extends string>(knob: string, value: T, options: [T, string][], apply: (v: T) => void) => {
    const sel = h('select', { attrs: { 'data-knob': knob }, on: { change: () => apply(sel.value as T) } });
    for (const [v, label] of options) {
      const o = h('option', { attrs: { value: v } }, label);
      if (v === value) o.selected = true;
      sel.append(o);
    }
    return sel;
  };

  const systems = h('input', {
    attrs: {
      type: 'text',
      size: 5,
      placeholder: 'default',
      value: knobs.systems === undefined ? '' : String(knobs.systems),
      'data-knob': 'systems',
    },
    on: {
      change: () => {
        const t = systems.value.trim().toLowerCase();
        const v = t === 'auto' ? 'auto' : posIntOrUndefined(t);
        if (v === 'bad') {
          systems.setAttribute('aria-invalid', 'true');
          return;
        }
        systems.removeAttribute('aria-invalid');
        post({ systems: v });
      },
    },
  });

  const par = knobs.gpu;
  const postGpu = (patch: Partial<RunOptions['gpu']>) => post({ gpu: { ...host.knobs().gpu, ...patch } });
  const auto = par.tp === undefined && par.pp === undefined && par.dp === undefined;
  const manual = h(
    'span',
    { class: 'manual', attrs: { hidden: auto } },
    field(
      'TP',
      numberInput('tp', par.tp, 'auto', (v) => postGpu({ tp: v })),
    ),
    field(
      'PP',
      numberInput('pp', par.pp, 'auto', (v) => postGpu({ pp: v })),
    ),
    field(
      'DP',
      numberInput('dp', par.dp, 'auto', (v) => postGpu({ dp: v })),
    ),
  );
  const parallel = select(
    'parallelism',
    auto ? 'auto' : 'manual',
    [
      ['auto', 'auto (search)'],
      ['manual', 'manual'],
    ],
    (v) => {
      manual.hidden = v === 'auto';
      if (v === 'auto') postGpu({ tp: undefined, pp: undefined, dp: undefined });
    },
  );

  const heat = h('div', { class: 'segmented', role: 'radiogroup', attrs: { 'aria-label': 'Heatmap' } });
  for (const m of ['placement', 'memory', 'time'] as HeatmapMode[]) {
    heat.append(
      h(
        'button',
        {
          class: 'seg',
          role: 'radio',
          tabIndex: m === view.heatmap ? 0 : -1,
          attrs: { 'aria-checked': m === view.heatmap ? 'true' : 'false', 'data-heatmap': m },
          on: {
            click: () => host.setView({ heatmap: m }),
            keydown: (e) => {
              if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
              const all = [...heat.querySelectorAll<HTMLButtonElement>('button')];
              const i = all.indexOf(e.currentTarget as HTMLButtonElement);
              const next = all[(i + (e.key === 'ArrowRight' ? 1 : all.length - 1)) % all.length];
              next.focus();
              next.click();
            },
          },
        },
        MODE_LABEL[m],
      ),
    );
  }

  const pickerRow = h(
    'section',
    { class: 'controls picker', id: 'target-picker', attrs: { 'aria-label': 'Target and heatmap' } },
    h(
      'div',
      { class: 'row' },
      radios,
      field('Wafer', targetSelect('wafer', wafer, 'wafer target')),
      field('GPU cluster', targetSelect('gpu-cluster', gpu, 'GPU cluster target')),
      h('span', { class: 'spacer' }),
      heat,
    ),
  );
  const knobsRow = h(
    'section',
    { class: 'knobs-panel', id: 'controls', attrs: { 'aria-label': 'Knobs' } },
    h('h2', {}, 'Knobs'),
    h(
      'div',
      { class: 'row knobs' },
      field(
        'Mode',
        select(
          'mode',
          knobs.mode,
          [
            ['inference', 'inference'],
            ['training', 'training'],
          ],
          (v) => post({ mode: v }),
        ),
      ),
      field(
        'Precision',
        select(
          'precision',
          knobs.precision,
          [
            ['fp32', 'FP32'],
            ['fp16', 'FP16'],
            ['bf16', 'BF16'],
            ['fp8', 'FP8'],
            ['int8', 'INT8'],
            ['int4', 'INT4'],
            ['fp4', 'FP4'],
          ],
          (v) => post({ precision: v }),
        ),
      ),
      // a model with batch-like dims binds them in the dims bar (one field per dim); without, Batch is here
      batchDims(report, knobs).length
        ? null
        : field(
            'Batch',
            numberInput('batch', knobs.batch, 'model', (v) => post({ batch: v })),
            'the batch the mappers use (the model has no symbolic batch dim)',
          ),
      field('Systems', systems, 'wafer systems (CS-2/CS-3 count), a number or auto'),
      field(
        'Nodes',
        numberInput('nodes', knobs.nodes, 'default', (v) => post({ nodes: v })),
        'GPU nodes',
      ),
      field('Parallelism', parallel),
      manual,
      field(
        'Execution',
        select(
          'execution',
          knobs.execution,
          [
            ['auto', 'auto'],
            ['pipelined', 'pipelined'],
            ['weight-streaming', 'weight streaming'],
          ],
          (v) => post({ execution: v }),
        ),
        'wafer execution mode',
      ),
    ),
  );
  return { picker: pickerRow, knobs: knobsRow };
}
