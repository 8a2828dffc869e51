/**
 * Poisson arrivals with a rate that is constant within each local hour (and
 * scaled per weekday; a holiday of the entry site counts as a Sunday). Between
 * rate changes inter-arrival times are exponential; at a change the draw
 * restarts, which is exact for a Poisson process because it is memoryless.
 */
import type { Rng } from './rng.ts';
import type { ArrivalSpec } from './scenario.ts';
import { HOUR_MS, Zone } from '../time.ts';

const QUARTER_MS = 15 * 60_000;

export class ArrivalStream {
  /** calls per ms when the rate never changes, else NaN */
  private readonly flatRate: number;
  private readonly zone: Zone;
  private readonly anyRate: boolean;

  constructor(
    readonly spec: ArrivalSpec,
    private readonly rng: Rng,
  ) {
    this.zone = Zone.of(spec.timezone);
    const rates = spec.perHour;
    const flatHours = rates.every((r) => r === rates[0]);
    const flatDays = spec.weekdayFactor.every((f) => f === spec.weekdayFactor[0]) && (spec.holidays?.size ?? 0) === 0;
    this.flatRate = flatHours && flatDays ? ((rates[0] ?? 0) * (spec.weekdayFactor[0] ?? 1)) / HOUR_MS : NaN;
    this.anyRate = rates.some((r) => r > 0) && spec.weekdayFactor.some((f) => f > 0);
  }

  /** Calls per ms at instant `t`. */
  rateAt(t: number): number {
    if (!Number.isNaN(this.flatRate)) return this.flatRate;
    const local = this.zone.local(t);
    const day = Math.floor(local / 86_400_000);
    const hour = Math.floor((local - day * 86_400_000) / HOUR_MS);
    const weekday = this.spec.holidays?.has(day) === true ? 7 : Zone.weekday(day);
    return ((this.spec.perHour[hour] ?? 0) * (this.spec.weekdayFactor[weekday - 1] ?? 1)) / HOUR_MS;
  }

  /** The first arrival strictly after `t` (Infinity if the rate is zero for ever). */
  next(t: number): number {
    if (!this.anyRate) return Infinity;
    if (!Number.isNaN(this.flatRate)) return t + this.rng.exponential(1 / this.flatRate);
    // Local hours start on UTC quarter hours in every zone, so the rate can only change there.
    for (let guard = 0; guard < 4 * 24 * 8; guard++) {
      const rate = this.rateAt(t);
      const segmentEnd = (Math.floor(t / QUARTER_MS) + 1) * QUARTER_MS;
      if (rate > 0) {
        const at = t + this.rng.exponential(1 / rate);
        if (at < segmentEnd) return at;
      }
      t = segmentEnd;
    }
    return Infinity;
  }
}
