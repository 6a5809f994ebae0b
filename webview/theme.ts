// Colours from the VS Code theme (CSS variables the workbench sets on the webview body), so heatmaps and
// charts follow light, dark and high-contrast themes. Canvas needs concrete RGB: resolved here.
export type RGB = [number, number, number];

let probe: CanvasRenderingContext2D | null = null;

/** Any CSS colour -> [r, g, b] (the canvas normalises it). */
export function parseColor(css: string, fallback: RGB): RGB {
  if (!css) return fallback;
  probe ??= document.createElement('canvas').getContext('2d');
  if (!probe) return fallback;
  probe.fillStyle = '#010203';
  probe.fillStyle = css.trim();
  const v = String(probe.fillStyle);
  if (v === '#010203' && css.trim() !== '#010203') return fallback;
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(v);
  if (hex) return [parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)];
  const rgba = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(v);
  return rgba ? [Number(rgba[1]), Number(rgba[2]), Number(rgba[3])] : fallback;
}

export interface Theme {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  fg: RGB;
  bg: RGB;
  border: RGB;
  accent: RGB;
  error: RGB;
  warning: RGB;
  /** the workbench's chart palette (charts.* colours) */
  charts: { red: RGB; blue: RGB; yellow: RGB; orange: RGB; green: RGB; purple: RGB; lines: RGB };
  font: string;
}

function v(style: CSSStyleDeclaration, name: string): string {
  return style.getPropertyValue(name);
}

export function readTheme(): Theme {
  const s = getComputedStyle(document.body);
  const cls = document.body.classList;
  const kind: Theme['kind'] = cls.contains('vscode-high-contrast-light')
    ? 'high-contrast-light'
    : cls.contains('vscode-high-contrast')
      ? 'high-contrast'
      : cls.contains('vscode-light')
        ? 'light'
        : 'dark';
  const dark = kind === 'dark' || kind === 'high-contrast';
  const fg = parseColor(
    v(s, '--vscode-editor-foreground') || v(s, '--vscode-foreground'),
    dark ? [204, 204, 204] : [51, 51, 51],
  );
  const bg = parseColor(v(s, '--vscode-editor-background'), dark ? [30, 30, 30] : [255, 255, 255]);
  return {
    kind,
    fg,
    bg,
    border: parseColor(
      v(s, '--vscode-contrastBorder') || v(s, '--vscode-editorWidget-border') || v(s, '--vscode-panel-border'),
      dark ? [69, 69, 69] : [200, 200, 200],
    ),
    accent: parseColor(v(s, '--vscode-focusBorder'), [0, 127, 212]),
    error: parseColor(v(s, '--vscode-errorForeground') || v(s, '--vscode-charts-red'), [241, 76, 76]),
    warning: parseColor(v(s, '--vscode-editorWarning-foreground'), [205, 151, 49]),
    charts: {
      red: parseColor(v(s, '--vscode-charts-red'), [241, 76, 76]),
      blue: parseColor(v(s, '--vscode-charts-blue'), [55, 148, 255]),
      yellow: parseColor(v(s, '--vscode-charts-yellow'), [204, 167, 0]),
      orange: parseColor(v(s, '--vscode-charts-orange'), [209, 134, 22]),
      green: parseColor(v(s, '--vscode-charts-green'), [137, 209, 133]),
      purple: parseColor(v(s, '--vscode-charts-purple'), [183, 128, 255]),
      lines: parseColor(v(s, '--vscode-charts-lines'), dark ? [128, 128, 128] : [100, 100, 100]),
    },
    font: v(s, '--vscode-font-family') || 'sans-serif',
  };
}

export const css = (c: RGB, a = 1): string =>
  a >= 1 ? `rgb(${c[0]},${c[1]},${c[2]})` : `rgba(${c[0]},${c[1]},${c[2]},${a})`;

export function mix(a: RGB, b: RGB, t: number): RGB {
  return [
    Math.round(a[0] + (b[0] - a[0]) * t),
    Math.round(a[1] + (b[1] - a[1]) * t),
    Math.round(a[2] + (b[2] - a[2]) * t),
  ];
}

/** HSL (h in degrees, s and l in 0..1) to RGB. */
export function hsl(h: number, s: number, l: number): RGB {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

/** A distinct colour per layer index (golden-angle hue steps), lighter on dark themes. */
export function categorical(i: number, theme: Theme): RGB {
  const dark = theme.kind === 'dark' || theme.kind === 'high-contrast';
  return hsl((i * 137.508) % 360, dark ? 0.55 : 0.6, dark ? 0.58 : 0.48 + 0.08 * ((i >> 3) % 2));
}

/** Sequential ramp for 0..1 (memory use, busy): from near-background to the theme's blue. */
export function ramp(t: number, theme: Theme): RGB {
  const low = mix(theme.bg, theme.fg, 0.12);
  const x = Math.max(0, Math.min(1, t));
  return x < 0.6 ? mix(low, theme.charts.blue, x / 0.6) : mix(theme.charts.blue, theme.charts.green, (x - 0.6) / 0.4);
}
