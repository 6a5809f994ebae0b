// The properties panel of the focused node: op and domain, attributes, inputs and outputs with dtype and
// shape (symbolic dims as their names), and for each initializer its dtype, dims, size and where its bytes
// are (embedded at a byte offset, or an external data file with offset and length). Never the values,
// unless the user presses "Show values" on a small tensor (the host reads them then). Every model string
// enters the page as text (h() builds text nodes), never as HTML.
import type { GraphPayload, GraphTensor, TensorValuesResult } from '../../src/shared/graph';
import { fmtBytes, fmtFlops, fmtValue, groupThousands } from '../../src/report/units';
import type { Report } from '../../src/engine/profile';
import { clear, h } from '../dom';
import { dimsText } from './describe';
import { blockPath, type Group } from './hierarchy';

export interface PropertiesHost {
  tensorValues(name: string): Promise<TensorValuesResult>;
  /** focus a node by index (clicking a producer or consumer) */
  focusNode(i: number): void;
}

const VALUES_SHOWN = 256;

function locationText(t: GraphTensor): string {
  const loc = t.init?.location;
  if (!loc || loc.kind === 'none') return 'no data stored';
  if (loc.kind === 'embedded')
    return `embedded in the model (${loc.field === 'raw_data' ? 'raw_data' : 'typed field'} at byte ${groupThousands(loc.offset)}, ${fmtBytes(loc.length)})`;
  return `external file ${JSON.stringify(loc.file)} at offset ${groupThousands(loc.offset)}${loc.length !== null ? `, ${fmtBytes(loc.length)}` : ''}${loc.missing ? ' (the file is missing)' : ''}`;
}

function valuesText(r: TensorValuesResult & { ok: true }): string {
  const int64 = r.dtype === 'INT64';
  const shown = r.values.slice(0, VALUES_SHOWN).map((v) => fmtValue(v, { int64 }));
  const more = r.values.length > VALUES_SHOWN || r.truncated;
  return `[${shown.join(', ')}${more ? `, … ${r.values.length}${r.truncated ? '+' : ''} values` : ''}]`;
}

export class PropertiesPanel {
  readonly element = h('aside', {
    class: 'graph-props',
    id: 'graph-props',
    attrs: { 'aria-label': 'Node properties', 'aria-live': 'polite' },
  });

  constructor(
    private readonly graph: GraphPayload,
    private readonly report: Report,
    private readonly host: PropertiesHost,
  ) {
    this.empty();
  }

  empty(): void {
    clear(this.element);
    this.element.append(
      h('h3', {}, 'Properties'),
      h(
        'p',
        { class: 'muted' },
        'Select a node (click, or Tab to the graph and use the arrow keys) to see its properties.',
      ),
    );
  }

  private tensorRow(t: number, dir: 'in' | 'out'): HTMLElement {
    const x = this.graph.tensors[t];
    const li = h(
      'li',
      { attrs: { 'data-tensor': x.name } },
      h('code', { class: 'tensor-name' }, x.name),
      ' ',
      h('span', { class: 'tensor-type' }, `${x.dtype || '?'} ${dimsText(x.dims)}`),
    );
    if (dir === 'in' && x.producer >= 0) {
      const p = x.producer;
      li.append(
        ' ',
        h(
          'button',
          {
            class: 'link',
            title: 'Go to the node that produces it',
            on: { click: () => this.host.focusNode(p) },
          },
          '← ' + this.graph.nodes[p].opType,
        ),
      );
    }
    const init = x.init;
    if (init) {
      const facts = h(
        'div',
        { class: 'init' },
        `${init.fromConstant ? 'Constant' : 'initializer'}: ${x.dtype}${dimsText(x.dims)}, ${groupThousands(init.elements)} elements, ${fmtBytes(init.bytes)}; ${locationText(x)}`,
      );
      li.append(facts);
      if (init.valuesAvailable) {
        const out = h('pre', { class: 'values', attrs: { hidden: true } });
        const btn = h(
          'button',
          {
            class: 'show-values',
            attrs: { 'data-tensor-values': x.name },
            on: {
              click: async () => {
                btn.disabled = true;
                const r = await this.host.tensorValues(x.name);
                out.textContent = r.ok ? valuesText(r) : `values not shown: ${r.reason}`;
                out.hidden = false;
                btn.remove();
              },
            },
          },
          'Show values',
        );
        facts.append(' ', btn);
        li.append(out);
      }
    }
    return li;
  }

  showNode(i: number): void {
    const n = this.graph.nodes[i];
    clear(this.element);
    const layer = n.layer >= 0 ? this.report.layers[n.layer] : undefined;
    const attrs = h('dl', { class: 'facts attrs' });
    for (const [k, v] of n.attrs) attrs.append(h('dt', {}, k), h('dd', {}, h('code', {}, v)));
    const parts: (HTMLElement | null)[] = [
      h('h3', { class: 'props-title' }, n.name),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'op'),
        h('dd', {}, `${n.domain || 'ai.onnx'} · ${n.opType}`),
        h('dt', {}, 'FLOPs'),
        h('dd', {}, fmtFlops(n.flops)),
        h('dt', {}, 'parameters'),
        h('dd', {}, `${groupThousands(n.paramCount)} (${fmtBytes(n.paramBytes)})`),
        h('dt', {}, 'bytes'),
        h('dd', {}, `read ${fmtBytes(n.bytesRead)}, written ${fmtBytes(n.bytesWritten)}`),
        h('dt', {}, 'layer'),
        h('dd', {}, layer ? layer.name : '—'),
        n.unnamed ? h('dt', {}, 'name') : null,
        n.unnamed ? h('dd', {}, 'the model leaves this node unnamed (shown by op and index)') : null,
      ),
      h('h4', {}, `Attributes (${n.attrs.length})`),
      n.attrs.length ? attrs : h('p', { class: 'muted' }, 'none'),
      n.subgraphs ? h('h4', {}, 'Subgraphs') : null,
      n.subgraphs ? h('ul', {}, ...n.subgraphs.map((s) => h('li', {}, s))) : null,
      h('h4', {}, 'Inputs'),
      h(
        'ul',
        { class: 'tensors' },
        ...n.inputs.map((t) => (t >= 0 ? this.tensorRow(t, 'in') : h('li', { class: 'muted' }, '(omitted)'))),
      ),
      h('h4', {}, 'Outputs'),
      h('ul', { class: 'tensors' }, ...n.outputs.filter((t) => t >= 0).map((t) => this.tensorRow(t, 'out'))),
    ];
    for (const p of parts) if (p) this.element.append(p);
  }

  showBlock(g: Group): void {
    clear(this.element);
    const ops = new Map<string, number>();
    let flops = 0,
      params = 0;
    for (const i of g.nodes) {
      const n = this.graph.nodes[i];
      ops.set(n.opType, (ops.get(n.opType) ?? 0) + 1);
      flops += n.flops;
      params += n.paramBytes;
    }
    this.element.append(
      h('h3', { class: 'props-title' }, blockPath(g) || 'graph'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'block'),
        h('dd', {}, g.run ? `a run of consecutive children: ${g.label}` : 'module path from the node names'),
        h('dt', {}, 'nodes'),
        h('dd', {}, groupThousands(g.nodes.length)),
        h('dt', {}, 'FLOPs'),
        h('dd', {}, fmtFlops(flops)),
        h('dt', {}, 'parameters'),
        h('dd', {}, fmtBytes(params)),
      ),
      h('h4', {}, 'Ops'),
      h('ul', {}, ...[...ops.entries()].sort((a, b) => b[1] - a[1]).map(([op, c]) => h('li', {}, `${op} × ${c}`))),
    );
  }
}
