/**
 * The list a call was opened from (search results, work queue, my evaluations), kept in
 * sessionStorage so the player's previous/next buttons walk it, even after a reload.
 */
const KEY = 'callboard.qa.list';

export interface CallList {
  /** the calls in the list's order */
  calls: string[];
  /** where "back" goes (a hash route) */
  back: string;
}

export function rememberList(list: CallList): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(list));
  } catch {
    // storage full or blocked: prev/next are simply not offered
  }
}

export function currentList(): CallList | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as CallList | null;
    return v && Array.isArray(v.calls) ? v : null;
  } catch {
    return null;
  }
}

/** The neighbours of `call` in the remembered list. */
export function neighbours(call: string): { prev: string | null; next: string | null; back: string | null } {
  const l = currentList();
  const i = l ? l.calls.indexOf(call) : -1;
  if (!l || i < 0) return { prev: null, next: null, back: l?.back ?? null };
  return { prev: l.calls[i - 1] ?? null, next: l.calls[i + 1] ?? null, back: l.back };
}
