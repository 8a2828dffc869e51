import type { IconName } from '$ui/Icon.svelte';
/** A report table's column: header (with unit), alignment, the value it sorts by and the text it shows. */
export interface Column<R> {
  id: string;
  label: string;
  /** numbers: right-aligned, tabular */
  numeric: boolean;
  value: (r: R) => number | string | null;
  text: (r: R) => string;
  /** 'good' | 'bad' | 'neutral' for Δ cells */
  tone?: (r: R) => string | null;
  /** data (queue and site names): not translated; a function decides per row */
  data?: boolean | ((r: R) => boolean);
  /** a narrow Δ column */
  delta?: boolean;
  /** an icon before the text (a second cue beside the words, never instead of them) */
  icon?: (r: R) => IconName | null;
  /** 'ok' | 'warn' | 'alert' | 'muted': the icon's colour */
  iconTone?: (r: R) => string | null;
  /** not on paper (links) */
  screenOnly?: boolean;
  /** the cell links there (null: plain text) */
  href?: (r: R) => string | null;
}

export type SortDir = 'ascending' | 'descending';

/** Sorted copy of `rows` by `col` (nulls last either way). */
export function sortRows<R>(rows: readonly R[], col: Column<R> | undefined, dir: SortDir, locale: string): R[] {
  if (!col) return [...rows];
  const collator = new Intl.Collator(locale, { numeric: true });
  const k = dir === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = col.value(a);
    const y = col.value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * k;
    return collator.compare(String(x), String(y)) * k;
  });
}

/** Whether a cell shows data (marked translate="no"). */
export const isData = <R>(c: Column<R>, r: R): boolean => (typeof c.data === 'function' ? c.data(r) : !!c.data);
