/**
 * Counters of one entity (a queue, a site's caller view, an agent) in time buckets: one
 * per local day (its site's zone) and, optionally, one per rolling slot (UTC-aligned,
 * default one minute). Only today and the last rolling window are kept: older buckets
 * are pruned by the engine's `tick`, and a contribution for a pruned bucket is ignored,
 * both when added and when subtracted, so add/subtract stay symmetric.
 */

/** The algebra of a counters type. */
export interface CounterOps<C> {
  empty(): C;
  add(into: C, c: Readonly<C>): C;
  subtract(from: C, c: Readonly<C>): C;
  same(a: Readonly<C>, b: Readonly<C>): boolean;
}

export class Buckets<C> {
  /** local day key (`YYYY-MM-DD`) → counters */
  readonly days = new Map<string, C>();
  /** rolling slot (floor(ms / slotMs)) → counters */
  readonly slots = new Map<number, C>();

  constructor(
    readonly ops: CounterOps<C>,
    /** IANA zone of the days (the entity's site zone) */
    public zone: string,
    readonly rolling: boolean,
  ) {}

  /**
   * Adds `c` to the buckets of `day` and `slot`. A bucket older than `minDay` / `minSlot`
   * (null: no limit yet) is not created.
   */
  add(day: string, slot: number, c: Readonly<C>, minDay: string | null, minSlot: number | null): void {
    let d = this.days.get(day);
    if (d === undefined && (minDay === null || day >= minDay)) {
      d = this.ops.empty();
      this.days.set(day, d);
    }
    if (d !== undefined) this.ops.add(d, c);
    if (!this.rolling) return;
    let s = this.slots.get(slot);
    if (s === undefined && (minSlot === null || slot >= minSlot)) {
      s = this.ops.empty();
      this.slots.set(slot, s);
    }
    if (s !== undefined) this.ops.add(s, c);
  }

  /** Takes `c` out of the buckets of `day` and `slot`, where they still exist. */
  subtract(day: string, slot: number, c: Readonly<C>): void {
    const d = this.days.get(day);
    if (d !== undefined) this.ops.subtract(d, c);
    if (!this.rolling) return;
    const s = this.slots.get(slot);
    if (s !== undefined) this.ops.subtract(s, c);
  }

  /** Counters of local day `day` (zero if none). */
  day(day: string): Readonly<C> {
    return this.days.get(day) ?? this.ops.empty();
  }

  /**
   * Sums of the rolling slots for each window: window n covers the n most recent slots up
   * to `slot` (the current, partial one included). `windows` ascending, in slots.
   */
  windows(slot: number, windows: readonly number[]): C[] {
    const out: C[] = [];
    const acc = this.ops.empty();
    let w = 0;
    for (let i = 0; w < windows.length; i++) {
      while (w < windows.length && i >= (windows[w] as number)) {
        out.push(this.ops.add(this.ops.empty(), acc));
        w++;
      }
      if (w >= windows.length) break;
      const s = this.slots.get(slot - i);
      if (s !== undefined) this.ops.add(acc, s);
    }
    return out;
  }

  /** Drops day buckets before `minDay`; returns whether any were dropped. */
  pruneDays(minDay: string): boolean {
    let dropped = false;
    for (const k of this.days.keys()) {
      if (k < minDay) {
        this.days.delete(k);
        dropped = true;
      }
    }
    return dropped;
  }

  /** Drops rolling slots before `minSlot`; returns whether any were dropped. */
  pruneSlots(minSlot: number): boolean {
    let dropped = false;
    for (const k of this.slots.keys()) {
      if (k < minSlot) {
        this.slots.delete(k);
        dropped = true;
      }
    }
    return dropped;
  }
}
