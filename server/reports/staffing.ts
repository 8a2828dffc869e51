/**
 * Staffing from Erlang C (or Erlang A when callers' patience is given): how many agents an
 * interval needs for a service-level target, and what that staffing achieves.
 */
import type { StaffingAnswer } from '../../schemas/reports.ts';
import { erlangAMetrics, erlangCMetrics, requiredAgents, requiredAgentsErlangA } from '../../staffing/erlang.ts';

export interface StaffingQuery {
  /** calls offered in the interval */
  calls: number;
  interval_s: number;
  aht_s: number;
  /** service-level threshold T, s */
  target_s: number;
  /** service-level target, fraction 0–1 */
  target_sl: number;
  /** mean caller patience, s: Erlang A instead of Erlang C */
  patience_s?: number;
  /** occupancy cap, fraction (0, 1] */
  max_occupancy?: number;
  /** share of paid time agents are not on the phones (breaks, training), fraction [0, 1) */
  shrinkage?: number;
}

export type { StaffingAnswer } from '../../schemas/reports.ts';

/** A query parameter that is not acceptable: the message names it. */
export class StaffingInputError extends Error {}

const NUMBER = /^-?\d+(\.\d+)?$/;

function num(q: URLSearchParams, name: string, check: (v: number) => boolean, rule: string, optional = false): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') {
    if (optional) return undefined;
    throw new StaffingInputError(`${name}: required (${rule})`);
  }
  const v = NUMBER.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isFinite(v) || !check(v)) throw new StaffingInputError(`${name}: must be ${rule} (got ${JSON.stringify(raw)})`);
  return v;
}

const KNOWN = new Set(['calls', 'interval_s', 'aht_s', 'target_s', 'target_sl', 'patience_s', 'max_occupancy', 'shrinkage']);

/** Reads and checks the query of `GET /v1/staffing/erlang`. */
export function parseStaffingQuery(q: URLSearchParams): StaffingQuery {
  for (const k of q.keys()) if (!KNOWN.has(k)) throw new StaffingInputError(`${k}: unknown parameter (known: ${[...KNOWN].join(', ')})`);
  const out: StaffingQuery = {
    calls: num(q, 'calls', (v) => v >= 0 && v <= 1e7, 'a number of calls from 0 to 10,000,000')!,
    interval_s: num(q, 'interval_s', (v) => v >= 60 && v <= 86_400, 'seconds from 60 to 86400')!,
    aht_s: num(q, 'aht_s', (v) => v > 0 && v <= 86_400, 'seconds above 0, at most 86400')!,
    target_s: num(q, 'target_s', (v) => v >= 0 && v <= 3600, 'seconds from 0 to 3600')!,
    target_sl: num(q, 'target_sl', (v) => v >= 0 && v < 1, 'a fraction from 0 up to (not including) 1, e.g. 0.8')!,
  };
  const patience = num(q, 'patience_s', (v) => v > 0 && v <= 86_400, 'seconds above 0, at most 86400', true);
  const occ = num(q, 'max_occupancy', (v) => v > 0 && v <= 1, 'a fraction above 0, at most 1', true);
  const shrink = num(q, 'shrinkage', (v) => v >= 0 && v < 1, 'a fraction from 0 up to (not including) 1', true);
  if (patience !== undefined) out.patience_s = patience;
  if (occ !== undefined) out.max_occupancy = occ;
  if (shrink !== undefined) out.shrinkage = shrink;
  return out;
}

/** Agents required for the query's target, and the figures that many agents achieve. */
export function staffingFor(q: StaffingQuery): StaffingAnswer {
  const rate = (q.calls * 3600) / q.interval_s;
  const shrinkage = q.shrinkage ?? 0;
  const scheduledOf = (agents: number) => Math.ceil(agents / (1 - shrinkage) - 1e-9);
  if (q.patience_s !== undefined) {
    const agents = requiredAgentsErlangA({
      arrivalRatePerHour: rate,
      meanHandleSeconds: q.aht_s,
      meanPatienceSeconds: q.patience_s,
      targetServiceLevel: q.target_sl,
      thresholdSeconds: q.target_s,
      ...(q.max_occupancy !== undefined ? { maxOccupancy: q.max_occupancy } : {}),
    });
    const m = erlangAMetrics({ arrivalRatePerHour: rate, meanHandleSeconds: q.aht_s, meanPatienceSeconds: q.patience_s, agents, thresholdSeconds: q.target_s });
    return {
      model: 'erlang_a',
      agents,
      scheduled: scheduledOf(agents),
      traffic_erlangs: m.trafficErlangs,
      service_level: m.serviceLevel,
      asa_s: m.asaAnsweredSeconds,
      occupancy: m.occupancy,
      abandon_rate: m.probAbandon,
    };
  }
  const agents = requiredAgents({
    arrivalRatePerHour: rate,
    meanHandleSeconds: q.aht_s,
    targetServiceLevel: q.target_sl,
    thresholdSeconds: q.target_s,
    ...(q.max_occupancy !== undefined ? { maxOccupancy: q.max_occupancy } : {}),
  });
  const m = erlangCMetrics({ arrivalRatePerHour: rate, meanHandleSeconds: q.aht_s, agents, thresholdSeconds: q.target_s });
  return {
    model: 'erlang_c',
    agents,
    scheduled: scheduledOf(agents),
    traffic_erlangs: m.trafficErlangs,
    service_level: m.serviceLevel,
    asa_s: m.asaSeconds,
    occupancy: m.occupancy,
    abandon_rate: 0,
  };
}
