/**
 * One agent's state log for the current local day: the current state, reason and since,
 * and the time spent in each state today (clipped to the day), for occupancy and
 * utilization. Late `agent.state` events are inserted in order and the day's times are
 * recomputed; in-order events cost O(1).
 */
import type { AgentStateName } from '../../schemas/events.ts';
import { compareIds } from '../contact-metrics/call-facts.ts';
import { emptyStateTimes, type StateTimes } from '../contact-metrics/figures.ts';
import type { LocalDay } from '../contact-metrics/zoned-time.ts';

export interface StateEntry {
  ts: number;
  id: string;
  state: AgentStateName;
  reason: string | null;
}

/** Order of an agent's state changes: ts, then id (shorter first, then code units), like call events. */
export function compareStateEntries(a: { ts: number; id: string }, b: { ts: number; id: string }): number {
  return a.ts - b.ts || compareIds(a.id, b.id);
}

export class AgentStateLog {
  /** sorted by `compareStateEntries`; entries before `day.start` except the last one are pruned */
  private readonly log: StateEntry[] = [];
  private day: LocalDay | null = null;
  /** times of the closed intervals between consecutive log entries, clipped to the day */
  private acc: StateTimes = emptyStateTimes();

  /** The latest state change, or null when none was seen. */
  get current(): StateEntry | null {
    return this.log[this.log.length - 1] ?? null;
  }

  /** Inserts a state change; returns false for a duplicate (same ts and id). */
  insert(e: StateEntry): boolean {
    const log = this.log;
    const last = log[log.length - 1];
    if (last === undefined || compareStateEntries(e, last) > 0) {
      log.push(e);
      if (last !== undefined) this.addInterval(this.acc, last, e.ts);
      return true;
    }
    let i = log.length - 1;
    while (i >= 0 && compareStateEntries(log[i] as StateEntry, e) > 0) i--;
    const at = log[i];
    if (at !== undefined && at.ts === e.ts && at.id === e.id) return false;
    log.splice(i + 1, 0, e);
    this.recompute();
    return true;
  }

  /** Time in each state over the day, up to `now` (ms). Moves to `day` first when it changed. */
  times(day: LocalDay, now: number): StateTimes {
    if (this.day === null || this.day.start !== day.start) this.setDay(day);
    const out = { ...this.acc };
    const last = this.current;
    if (last !== undefined && last !== null) this.addInterval(out, last, now);
    return out;
  }

  /** Starts counting a new day: drops what lies before it (but the state in force at its start). */
  setDay(day: LocalDay): void {
    this.day = day;
    const log = this.log;
    let firstKept = 0;
    while (firstKept + 1 < log.length && (log[firstKept + 1] as StateEntry).ts <= day.start) firstKept++;
    if (firstKept > 0) log.splice(0, firstKept);
    this.recompute();
  }

  /** Number of entries kept (for memory checks). */
  get size(): number {
    return this.log.length;
  }

  private recompute(): void {
    this.acc = emptyStateTimes();
    const log = this.log;
    for (let i = 0; i + 1 < log.length; i++) this.addInterval(this.acc, log[i] as StateEntry, (log[i + 1] as StateEntry).ts);
  }

  private addInterval(into: StateTimes, from: StateEntry, to: number): void {
    const day = this.day;
    if (day === null) return;
    const a = Math.max(from.ts, day.start);
    const b = Math.min(to, day.end);
    if (b > a) into[from.state] += b - a;
  }
}
