/**
 * Per-queue metric settings (DESIGN.md "Metric definitions"). Every queue may choose
 * its own; a queue nobody configured uses `DEFAULT_QUEUE_SETTINGS`.
 */

// The formulas and flow-out rules are part of a queue's JSON (schemas/settings.ts documents each).
import { SL_FORMULAS, type SlFlowouts, type SlFormula } from '../../schemas/settings.ts';

export { SL_FLOWOUTS, SL_FORMULAS, type SlFlowouts, type SlFormula } from '../../schemas/settings.ts';

export interface QueueSettings {
  /** T: service-level threshold in seconds; a wait ≤ T is "within T" */
  slThresholdS: number;
  /** S: short-abandon threshold in seconds; an abandon with wait < S is short */
  shortAbandonS: number;
  slFormula: SlFormula;
  slFlowouts: SlFlowouts;
}

export const DEFAULT_QUEUE_SETTINGS: Readonly<QueueSettings> = Object.freeze({
  slThresholdS: 20,
  shortAbandonS: 5,
  slFormula: 'default',
  slFlowouts: 'exclude',
});

/** Settings with every field present: the given ones (when valid) over the defaults. */
export function resolveQueueSettings(partial?: Partial<QueueSettings> | null): QueueSettings {
  const d = DEFAULT_QUEUE_SETTINGS;
  if (!partial) return { ...d };
  const num = (v: unknown, dflt: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : dflt);
  return {
    slThresholdS: num(partial.slThresholdS, d.slThresholdS),
    shortAbandonS: num(partial.shortAbandonS, d.shortAbandonS),
    slFormula: (SL_FORMULAS as readonly string[]).includes(partial.slFormula ?? '') ? (partial.slFormula as SlFormula) : d.slFormula,
    slFlowouts: partial.slFlowouts === 'include' || partial.slFlowouts === 'exclude' ? partial.slFlowouts : d.slFlowouts,
  };
}

/** Whether two settings give the same per-visit counters (T and S; the formula only matters when reading). */
export function sameThresholds(a: QueueSettings, b: QueueSettings): boolean {
  return a.slThresholdS === b.slThresholdS && a.shortAbandonS === b.shortAbandonS;
}
