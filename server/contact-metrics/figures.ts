/**
 * The figures, as pure functions of counters and settings (DESIGN.md "Metric
 * definitions"). Ratios are fractions 0–1, `null` when their denominator is 0;
 * durations are seconds, `null` when there is nothing to average.
 */
import { AGENT_STATES, type AgentStateName } from '../../schemas/events.ts';
import type { AgentFigures, QueueFigures } from '../../schemas/live.ts';
import type { AgentCounters, QueueCounters } from './counters.ts';
import { SL_FORMULAS, type QueueSettings, type SlFlowouts, type SlFormula } from './settings.ts';

// Their JSON shapes are wire shapes of the live API and reports (schemas/live.ts).
export type { AgentFigures, QueueFigures } from '../../schemas/live.ts';

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);
const meanS = (sumMs: number, n: number): number | null => (n > 0 ? sumMs / n / 1000 : null);

/**
 * Service level of `c` by `formula`, "within T" meaning wait ≤ T (T was applied when the
 * counters were made):
 * - `default`: answered within T ÷ (answered + abandoned − short-abandoned)
 * - `answered_only`: answered within T ÷ answered
 * - `abandon_positive`: (answered within T + abandoned within T) ÷ offered
 * - `abandon_negative`: answered within T ÷ offered
 *
 * Flow-outs: with `exclude` (default) they are left out of the denominator (for the two
 * `offered` formulas, offered − flowed_out); with `include` they count as missed: added to
 * the denominator of `default` and `answered_only`, kept in offered for the other two.
 * Offered counts every visit that entered, including calls still waiting.
 */
export function serviceLevel(c: Readonly<QueueCounters>, formula: SlFormula = 'default', flowouts: SlFlowouts = 'exclude'): number | null {
  const fo = flowouts === 'include' ? c.flowed_out : 0;
  const offered = flowouts === 'include' ? c.offered : c.offered - c.flowed_out;
  switch (formula) {
    case 'default':
      return ratio(c.answered_within_sl, c.answered + c.abandoned - c.short_abandoned + fo);
    case 'answered_only':
      return ratio(c.answered_within_sl, c.answered + fo);
    case 'abandon_positive':
      return ratio(c.answered_within_sl + c.abandoned_within_sl, offered);
    case 'abandon_negative':
      return ratio(c.answered_within_sl, offered);
  }
}

/** Service level by every formula, for side-by-side display. */
export function serviceLevelVariants(c: Readonly<QueueCounters>, flowouts: SlFlowouts = 'exclude'): Record<SlFormula, number | null> {
  const out = {} as Record<SlFormula, number | null>;
  for (const f of SL_FORMULAS) out[f] = serviceLevel(c, f, flowouts);
  return out;
}

/** ASA: mean queue wait of answered visits (queue entry → answer, ringing included), s. */
export const asaS = (c: Readonly<QueueCounters>): number | null => meanS(c.answer_wait_ms, c.answered);
/** AHT: mean (talk + hold + after-call work) of handled calls, s. */
export const ahtS = (c: Readonly<QueueCounters> | Readonly<AgentCounters>): number | null =>
  meanS(c.talk_ms + c.hold_ms + c.acw_ms, c.handled);
export const avgTalkS = (c: Readonly<QueueCounters> | Readonly<AgentCounters>): number | null => meanS(c.talk_ms, c.handled);
export const avgHoldS = (c: Readonly<QueueCounters> | Readonly<AgentCounters>): number | null => meanS(c.hold_ms, c.handled);
export const avgAcwS = (c: Readonly<QueueCounters> | Readonly<AgentCounters>): number | null => meanS(c.acw_ms, c.handled);
/** Mean wait of abandoned visits (time to abandon), s. */
export const avgAbandonS = (c: Readonly<QueueCounters>): number | null => meanS(c.abandon_wait_ms, c.abandoned);
/** Abandon rate: (abandoned − short-abandoned) ÷ (offered − short-abandoned). */
export const abandonRate = (c: Readonly<QueueCounters>): number | null =>
  ratio(c.abandoned - c.short_abandoned, c.offered - c.short_abandoned);
/** Max wait: the longest queue wait of any answered or abandoned visit counted, s. */
export const maxWaitS = (c: Readonly<QueueCounters>): number | null => {
  const top = c.top_waits[0];
  return top === undefined ? null : top / 1000;
};


/** Every queue figure of `c`, service level by `settings`' formula and flow-out rule. */
export function queueFigures(c: Readonly<QueueCounters>, settings: Pick<QueueSettings, 'slFormula' | 'slFlowouts'>): QueueFigures {
  return {
    offered: c.offered,
    answered: c.answered,
    abandoned: c.abandoned,
    short_abandoned: c.short_abandoned,
    flowed_out: c.flowed_out,
    answered_within_sl: c.answered_within_sl,
    abandoned_within_sl: c.abandoned_within_sl,
    handled: c.handled,
    service_level: serviceLevel(c, settings.slFormula, settings.slFlowouts),
    asa_s: asaS(c),
    aht_s: ahtS(c),
    avg_talk_s: avgTalkS(c),
    avg_hold_s: avgHoldS(c),
    avg_acw_s: avgAcwS(c),
    avg_abandon_s: avgAbandonS(c),
    max_wait_s: maxWaitS(c),
    abandon_rate: abandonRate(c),
    transfers: c.transfers,
  };
}

/** Time (ms) an agent spent in each state over an interval. */
export type StateTimes = Record<AgentStateName, number>;

/** New zero state times. */
export function emptyStateTimes(): StateTimes {
  return { logged_out: 0, available: 0, not_ready: 0, ringing: 0, on_call: 0, acw: 0 };
}

/** Adds `t` into `into` (mutates and returns `into`). */
export function addStateTimes(into: StateTimes, t: Readonly<StateTimes>): StateTimes {
  for (const s of AGENT_STATES) into[s] += t[s];
  return into;
}

/** Logged-in time: every state but logged_out, ms. */
export const loggedInMs = (t: Readonly<StateTimes>): number => t.available + t.not_ready + t.ringing + t.on_call + t.acw;
/** Occupancy = (ringing + on_call + acw) ÷ (available + ringing + on_call + acw). */
export const occupancy = (t: Readonly<StateTimes>): number | null =>
  ratio(t.ringing + t.on_call + t.acw, t.available + t.ringing + t.on_call + t.acw);
/** Utilization = (on_call + acw) ÷ logged-in time. */
export const utilization = (t: Readonly<StateTimes>): number | null => ratio(t.on_call + t.acw, loggedInMs(t));


/** Agent figures from leg counters and state times. */
export function agentFigures(c: Readonly<AgentCounters>, t: Readonly<StateTimes>): AgentFigures {
  return {
    answered: c.answered,
    handled: c.handled,
    talk_s: c.talk_ms / 1000,
    hold_s: c.hold_ms / 1000,
    acw_s: c.acw_ms / 1000,
    handle_s: (c.talk_ms + c.hold_ms + c.acw_ms) / 1000,
    aht_s: ahtS(c),
    ring_noanswer: c.ring_noanswer,
    agent_hangups: c.agent_hangups,
    transfers: c.transfers,
    help_requests: c.help_requests,
    logged_in_s: loggedInMs(t) / 1000,
    not_ready_s: t.not_ready / 1000,
    occupancy: occupancy(t),
    utilization: utilization(t),
  };
}

/** Rounds a figure for display and JSON: ratios to 4 decimals, seconds to 0.1 s; counts and null unchanged. */
export function roundFigure(key: string, v: number | null): number | null {
  if (v === null || Number.isInteger(v)) return v;
  const digits = key.endsWith('_s') ? 1 : 4;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** `roundFigure` over every field of a figures object (new object). */
export function roundFigures<T extends object>(figures: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(figures)) out[k] = typeof v === 'number' || v === null ? roundFigure(k, v as number | null) : v;
  return out as T;
}
