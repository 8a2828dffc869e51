/** Chart.js options shared by the report charts: the palette for screen or paper, m:ss and % ticks. */
import { Chart, type ChartOptions, type LegendItem } from 'chart.js';
import { formatDuration } from '$ui/format.ts';
import { chartInk } from './print.svelte.ts';

export type YAxis = 'count' | 'percent' | 'seconds';

/** Legend entries drawn like their series: a box for bars, a (dashed) line for lines. */
function legendLabels(chart: Chart): LegendItem[] {
  const items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
  const bar = (chart.config as { type?: string }).type === 'bar';
  return items.map((item) => {
    const ds = chart.data.datasets[item.datasetIndex ?? 0] as { type?: string } | undefined;
    const isLine = (ds?.type ?? (bar ? 'bar' : 'line')) === 'line';
    return { ...item, pointStyle: isLine ? 'line' : 'rect' };
  });
}

export function tickText(kind: YAxis, v: number | string): string {
  const n = Number(v);
  if (kind === 'seconds') return formatDuration(n);
  if (kind === 'percent') return `${n}%`;
  return String(v);
}

/** Options for a report chart with category x and a value y of `kind` (horizontal bars swap the axes). */
const SECOND_STEPS = [5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

/** A step for a seconds axis whose ticks read well as m:ss (0:30, 1:00 …), at most ~8 ticks up to `max`. */
export function secondsStep(max: number): number {
  for (const s of SECOND_STEPS) if (max / s <= 8) return s;
  return SECOND_STEPS[SECOND_STEPS.length - 1]!;
}

/** Options for a report chart with category x and a value y of `kind` (horizontal bars swap the axes); `dataMax` sets m:ss steps. */
export function chartOptions(kind: YAxis, print: boolean, yTitle: string, opts: { horizontal?: boolean; max?: number; dataMax?: number; stacked?: boolean; legend?: boolean } = {}): ChartOptions {
  const ink = chartInk(print);
  const font = { size: print ? 10 : 12 };
  const value = {
    beginAtZero: true,
    ...(opts.stacked ? { stacked: true } : {}),
    ...(opts.max !== undefined ? { max: opts.max } : {}),
    title: { display: true, text: yTitle, color: ink.text, font },
    ticks: {
      color: ink.text,
      font,
      ...(kind === 'count' ? { precision: 0 } : {}),
      ...(kind === 'seconds' ? { stepSize: secondsStep(opts.dataMax ?? 60) } : {}),
      callback: (v: number | string) => tickText(kind, v),
    },
    grid: { color: ink.grid },
    border: { color: ink.grid },
  };
  const category = { ...(opts.stacked ? { stacked: true } : {}), ticks: { color: ink.text, font, autoSkip: true, maxRotation: 0, maxTicksLimit: opts.horizontal ? undefined : 14 }, grid: { display: false }, border: { color: ink.grid } };
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    ...(opts.horizontal ? { indexAxis: 'y' as const } : {}),
    interaction: { mode: 'index', intersect: false },
    plugins: {
      legend: { display: opts.legend ?? true, position: 'top', align: 'end', labels: { color: ink.text, font, usePointStyle: true, pointStyleWidth: 26, boxHeight: 8, padding: 12, generateLabels: legendLabels } },
      tooltip: {
        enabled: !print,
        callbacks: {
          label: (ctx) => {
            const raw = opts.horizontal ? ctx.parsed.x : ctx.parsed.y;
            return `${ctx.dataset.label ?? ''}: ${raw === null || raw === undefined ? '—' : tickText(kind, kind === 'percent' ? Math.round(raw * 10) / 10 : raw)}`;
          },
        },
      },
    },
    scales: opts.horizontal ? { x: value, y: category } : { x: category, y: value },
  } as ChartOptions;
}

/** Colours for up to 8 categories and "other" (Okabe-Ito; on paper without the pale yellow and white). */
export function categoryInk(print: boolean): { series: string[]; other: string } {
  return print
    ? { series: ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#8C7A00', '#333333'], other: '#AAAAAA' }
    : { series: ['#56B4E9', '#E69F00', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#F2F5F8'], other: '#7D8896' };
}
