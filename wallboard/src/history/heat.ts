/**
 * The heatmap's single-hue scale (UX.md §1.3: accent #56B4E9 on the tile; on paper #0072B2
 * on white) in up to 5 steps over [1, max], and for each fill the text colour with the
 * better WCAG contrast (text #F2F5F8 or bg #0B0F14 on screen, #FFF or #000 on paper).
 */

type Rgb = [number, number, number];
const hex = (h: string): Rgb => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as Rgb;
const toHex = (c: Rgb) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => a[i]! + (b[i]! - a[i]!) * t) as Rgb;

/** WCAG 2.2 relative luminance. */
export function luminance(color: string): number {
  const [r, g, b] = hex(color).map((v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours (1–21). */
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

/** Of `inks`, the one that contrasts most with `fill`. */
export function bestInk(fill: string, inks: readonly string[]): string {
  return inks.reduce((best, c) => (contrast(c, fill) > contrast(best, fill) ? c : best));
}

export interface HeatStep {
  fill: string;
  ink: string;
  /** "0", "1–4", "5" … */
  label: string;
}

export interface HeatScale {
  steps: HeatStep[];
  of: (calls: number) => { fill: string; ink: string };
}

export function heatScale(max: number, print: boolean, fmt: (n: number) => string = String): HeatScale {
  const [zero, low, high] = print ? ['#FFFFFF', '#E3F0F8', '#0072B2'] : ['#1A212A', '#274A66', '#56B4E9'];
  const inks = print ? ['#000000', '#FFFFFF'] : ['#F2F5F8', '#0B0F14'];
  const n = Math.max(1, Math.min(5, max));
  // step k (1…n) holds the counts in (edge[k-1], edge[k]]
  const edges = Array.from({ length: n + 1 }, (_, k) => Math.round((max * k) / n));
  const fills = Array.from({ length: n }, (_, k) => toHex(mix(hex(low), hex(high), n === 1 ? 1 : k / (n - 1))));
  const step = (fill: string, label: string): HeatStep => ({ fill, ink: bestInk(fill, inks), label });
  const zeroInk = print ? '#555555' : '#8B96A3';
  const steps: HeatStep[] = [{ fill: zero, ink: zeroInk, label: '0' }];
  for (let k = 1; k <= n; k++) {
    const lo = edges[k - 1]! + 1;
    const hi = edges[k]!;
    if (hi >= lo) steps.push(step(fills[k - 1]!, lo === hi ? fmt(lo) : `${fmt(lo)}–${fmt(hi)}`));
  }
  return {
    steps,
    of: (calls) => {
      if (calls <= 0 || max <= 0) return { fill: zero, ink: zeroInk };
      const k = Math.min(n, Math.max(1, edges.findIndex((e, i) => i > 0 && calls <= e)));
      const fill = fills[k - 1]!;
      return { fill, ink: bestInk(fill, inks) };
    },
  };
}
