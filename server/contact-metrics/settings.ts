/**
 * Per-queue metric settings (DESIGN.md "Metric definitions"). Every queue may choose
 * its own; a queue nobody configured uses `DEFAULT_QUEUE_SETTINGS`.
 */

/**
 * Service-level formulas (T = `slThresholdS`; "within T" means wait ≤ T):
 * - `default`: answered within T ÷ (answered + abandoned − short-abandoned)
 * - `answered_only`: answered within T ÷ answered (Asterisk, Wazo)
 * - `abandon_positive`: (answered within T + abandoned within T) ÷ offered (Cisco)
 * - `abandon_negative`: answered within T ÷ offered (Cisco)
 */
export const SL_FORMULAS = ['default', 'answered_only', 'abandon_positive', 'abandon_negative'] as const;
export type SlFormula = (typeof SL_FORMULAS)[number];

/**
 * How flow-outs (calls that left the queue unanswered through `call.overflow`) enter
 * the service level: `exclude` (default, as Genesys) leaves them out of the denominator;
 * `include` counts them as missed (in the denominator, never in the numerator).
 */
export const SL_FLOWOUTS = ['exclude', 'include'] as const;
export type SlFlowouts = (typeof SL_FLOWOUTS)[number];

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
