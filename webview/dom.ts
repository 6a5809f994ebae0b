// DOM helpers. Model strings (node names, op types, producers) are untrusted: they only ever enter the
// page as text nodes or attribute values set through the DOM API, never as HTML.
type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  id?: string;
  title?: string;
  role?: string;
  tabIndex?: number;
  /** attributes set with setAttribute (aria-*, data-*, type, ...) */
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (e: HTMLElementEventMap[K]) => void }>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.id) el.id = props.id;
  if (props.title !== undefined) el.title = props.title;
  if (props.role) el.setAttribute('role', props.role);
  if (props.tabIndex !== undefined) el.tabIndex = props.tabIndex;
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const [k, fn] of Object.entries(props.on ?? {})) el.addEventListener(k, fn as EventListener);
  append(el, ...children);
  return el;
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/**
 * A short label for a layer name: its last two path segments, prefixed with the repeated block's number
 * when the name has one ("/model/layers.3/attn/c_proj/MatMul" -> "3·c_proj/MatMul"). Full names are in tooltips.
 */
export function shortName(name: string, max = 28): string {
  const seg = name.split('/').filter(Boolean);
  let s = seg.length > 1 ? seg.slice(-2).join('/') : name;
  const block = seg
    .slice(0, -2)
    .reverse()
    .find((p) => /[._](\d+)$/.test(p));
  if (block) s = `${/(\d+)$/.exec(block)![1]}·${s}`;
  return s.length > max ? '…' + s.slice(-(max - 1)) : s;
}

/**
 * An integer with thousands separators ("745,500"), as toLocaleString('en-US') writes it, without building
 * an ICU number formatter: the first one a webview builds costs tens of milliseconds on its first paint.
 */
export function groupDigits(n: number): string {
  const s = String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 && s !== '0' ? `-${s}` : s;
}
