/**
 * Duration distributions of a scenario (handle time, patience, ring delay, …)
 * in checked form, and their sampling in milliseconds.
 */
import type { Rng } from './rng.ts';

/** A duration distribution; `mean`/`sd` in seconds. `infinite` never ends (caller patience). */
export type Dist =
  | { dist: 'exponential'; mean: number }
  | { dist: 'lognormal'; mean: number; sd: number }
  | { dist: 'fixed'; mean: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'infinite' };

export const DIST_NAMES = ['exponential', 'lognormal', 'fixed', 'uniform', 'infinite'] as const;

/** Draws one duration in milliseconds (Infinity for `infinite`). */
export function sampleMs(d: Dist, rng: Rng): number {
  switch (d.dist) {
    case 'exponential':
      return rng.exponential(d.mean) * 1000;
    case 'lognormal':
      return rng.lognormal(d.mean, d.sd) * 1000;
    case 'fixed':
      return d.mean * 1000;
    case 'uniform':
      return (d.min + rng.next() * (d.max - d.min)) * 1000;
    case 'infinite':
      return Infinity;
  }
}

/** Mean of the distribution in seconds. */
export function meanS(d: Dist): number {
  switch (d.dist) {
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'infinite':
      return Infinity;
    default:
      return d.mean;
  }
}
