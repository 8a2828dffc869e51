/**
 * Print mode (UX.md §5): while the browser prints (or emulates print media) the charts take
 * the light palette and are resized to the paper, `chart.resize()` on `beforeprint` and on
 * `matchMedia('print')`, after the options changed.
 */
import { Chart } from 'chart.js';
import { flushSync } from 'svelte';

export class PrintMode {
  on = $state(false);
  #stop: (() => void) | null = null;

  #set(on: boolean): void {
    if (this.on !== on) {
      this.on = on;
      flushSync();
    }
    for (const c of Object.values(Chart.instances)) c.resize();
  }

  /** Listens while the History view is open; returns the stop function. */
  start(): () => void {
    if (this.#stop) return this.#stop;
    const mq = matchMedia('print');
    const before = () => this.#set(true);
    const after = () => this.#set(false);
    const change = (e: MediaQueryListEvent) => this.#set(e.matches);
    addEventListener('beforeprint', before);
    addEventListener('afterprint', after);
    mq.addEventListener('change', change);
    if (mq.matches) this.on = true;
    this.#stop = () => {
      removeEventListener('beforeprint', before);
      removeEventListener('afterprint', after);
      mq.removeEventListener('change', change);
      this.#stop = null;
    };
    return this.#stop;
  }
}

export const printMode = new PrintMode();

/** Chart colours for the screen (dark) or paper (light, UX.md §5: #000 on #FFF, #CCC grid lines). */
export function chartInk(print: boolean) {
  return print
    ? { text: '#000000', grid: '#CCCCCC', offered: '#0072B2', answered: '#009E73', abandoned: '#D55E00', line1: '#0072B2', line2: '#D55E00', target: '#000000', compare: '#7D8896' }
    : { text: '#A9B4C0', grid: '#1F2731', offered: '#56B4E9', answered: '#009E73', abandoned: '#D55E00', line1: '#56B4E9', line2: '#E69F00', target: '#F0E442', compare: '#A9B4C0' };
}
