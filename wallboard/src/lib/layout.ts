/** Board layout on the 24-column grid: pure functions (no I/O), unit-tested in Node. */
import type { Widget } from './contract.ts';

export const GRID_COLUMNS = 24;

/** The first free row under every widget of a page. */
export function nextRow(widgets: readonly Widget[]): number {
  return widgets.reduce((m, w) => Math.max(m, w.y + w.h), 0);
}

/** Keeps a widget inside the grid (x + w ≤ 24, sizes ≥ 1). */
export function clampWidget<T extends Widget>(w: T): T {
  const width = Math.max(1, Math.min(GRID_COLUMNS, Math.round(w.w)));
  const height = Math.max(1, Math.min(40, Math.round(w.h)));
  const x = Math.max(0, Math.min(GRID_COLUMNS - width, Math.round(w.x)));
  const y = Math.max(0, Math.min(200, Math.round(w.y)));
  return { ...w, x, y, w: width, h: height };
}


const overlaps = (a: Widget, b: Widget) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * After `movedId` moved or resized, pushes every widget it now overlaps down below it, and so
 * on down the page, so widgets never cover each other (the moved one keeps its place).
 */
export function pushDown(widgets: readonly Widget[], movedId: string): Widget[] {
  const out = widgets.map((w) => ({ ...w }));
  const queue = out.filter((w) => w.id === movedId);
  for (let guard = 0; queue.length && guard < 1000; guard++) {
    const fixed = queue.shift()!;
    for (const other of out) {
      if (other.id === fixed.id || !overlaps(fixed, other)) continue;
      other.y = fixed.y + fixed.h;
      queue.push(other);
    }
  }
  return out;
}
