/**
 * Additive counters: what a set of visits (queue view), calls (caller view) or agent legs
 * (agent figures) add up to. Every figure of `figures.ts` is a function of these, so any
 * interval, queue group or rolling window is a sum of counters, and a live engine can move
 * a call between buckets when a late event changes it (`subtractQueueCounters` the old
 * contribution, `addQueueCounters` the new).
 *
 * Attribution (DESIGN.md): a visit's queue figures fall at its `call.queued` (the interval it
 * entered the queue); handle figures (handled, talk, hold, acw, hang-ups) fall at the
 * call's `call.ended`; an agent's answer and ring-no-answer fall at their own event.
 */
import type { CallFacts, VisitFact } from './call-facts.ts';
import type { QueueSettings } from './settings.ts';

/** How many of the longest waits a `QueueCounters` remembers, so `max_wait` survives subtractions. */
export const TOP_WAITS = 5;

/** Counters of queue visits (queue view) or of calls (caller view). Field names are the report's words. */
export interface QueueCounters {
  /** visits that entered the queue (every `call.queued`) */
  offered: number;
  answered: number;
  /** left the queue or the ringing agent unanswered */
  abandoned: number;
  /** abandoned with wait < S */
  short_abandoned: number;
  /** left unanswered through `call.overflow` (to another queue or site, voicemail, callback, closing) */
  flowed_out: number;
  /** answered with wait ≤ T */
  answered_within_sl: number;
  /** abandoned with wait ≤ T */
  abandoned_within_sl: number;
  /** sum of waits of answered visits, ms (ASA) */
  answer_wait_ms: number;
  /** sum of waits of abandoned visits, ms (mean time to abandon) */
  abandon_wait_ms: number;
  /**
   * The longest waits (ms) of answered and abandoned visits, descending, at most
   * `TOP_WAITS`: `top_waits[0]` is the max wait. Subtraction removes the value, so the max
   * stays exact unless more than `TOP_WAITS` of a bucket's longest waits are removed
   * without coming back.
   */
  top_waits: number[];
  /** answered visits whose call has ended */
  handled: number;
  /** talk, hold and after-call work of handled visits, ms */
  talk_ms: number;
  hold_ms: number;
  acw_ms: number;
  /** agent legs of handled visits that ended in a transfer (blind or attended) */
  transfers: number;
}

/** Counters of agent legs and agent events. */
export interface AgentCounters {
  /** `call.answered` by the agent */
  answered: number;
  /** legs whose call has ended */
  handled: number;
  talk_ms: number;
  hold_ms: number;
  acw_ms: number;
  /** `call.ring_noanswer` for the agent */
  ring_noanswer: number;
  /** calls ended with `by: agent` while the agent was on them */
  agent_hangups: number;
  /** legs the agent ended by `call.transferred` (counted once the call has ended) */
  transfers: number;
  /** `agent.help` */
  help_requests: number;
}

/** New zero queue counters. */
export function emptyQueueCounters(): QueueCounters {
  return {
    offered: 0,
    answered: 0,
    abandoned: 0,
    short_abandoned: 0,
    flowed_out: 0,
    answered_within_sl: 0,
    abandoned_within_sl: 0,
    answer_wait_ms: 0,
    abandon_wait_ms: 0,
    top_waits: [],
    handled: 0,
    talk_ms: 0,
    hold_ms: 0,
    acw_ms: 0,
    transfers: 0,
  };
}

/** New zero agent counters. */
export function emptyAgentCounters(): AgentCounters {
  return { answered: 0, handled: 0, talk_ms: 0, hold_ms: 0, acw_ms: 0, ring_noanswer: 0, agent_hangups: 0, transfers: 0, help_requests: 0 };
}

function insertWait(top: number[], w: number): void {
  let i = 0;
  while (i < top.length && (top[i] as number) >= w) i++;
  if (i >= TOP_WAITS) return;
  top.splice(i, 0, w);
  if (top.length > TOP_WAITS) top.length = TOP_WAITS;
}

function removeWait(top: number[], w: number): void {
  const i = top.indexOf(w);
  if (i >= 0) top.splice(i, 1);
}

/** Adds `c` into `into` (mutates and returns `into`). */
export function addQueueCounters(into: QueueCounters, c: Readonly<QueueCounters>): QueueCounters {
  into.offered += c.offered;
  into.answered += c.answered;
  into.abandoned += c.abandoned;
  into.short_abandoned += c.short_abandoned;
  into.flowed_out += c.flowed_out;
  into.answered_within_sl += c.answered_within_sl;
  into.abandoned_within_sl += c.abandoned_within_sl;
  into.answer_wait_ms += c.answer_wait_ms;
  into.abandon_wait_ms += c.abandon_wait_ms;
  for (const w of c.top_waits) insertWait(into.top_waits, w);
  into.handled += c.handled;
  into.talk_ms += c.talk_ms;
  into.hold_ms += c.hold_ms;
  into.acw_ms += c.acw_ms;
  into.transfers += c.transfers;
  return into;
}

/** Takes `c` (previously added) out of `from` (mutates and returns `from`). */
export function subtractQueueCounters(from: QueueCounters, c: Readonly<QueueCounters>): QueueCounters {
  from.offered -= c.offered;
  from.answered -= c.answered;
  from.abandoned -= c.abandoned;
  from.short_abandoned -= c.short_abandoned;
  from.flowed_out -= c.flowed_out;
  from.answered_within_sl -= c.answered_within_sl;
  from.abandoned_within_sl -= c.abandoned_within_sl;
  from.answer_wait_ms -= c.answer_wait_ms;
  from.abandon_wait_ms -= c.abandon_wait_ms;
  for (const w of c.top_waits) removeWait(from.top_waits, w);
  from.handled -= c.handled;
  from.talk_ms -= c.talk_ms;
  from.hold_ms -= c.hold_ms;
  from.acw_ms -= c.acw_ms;
  from.transfers -= c.transfers;
  return from;
}

/** The sum of counters (new object; inputs untouched). */
export function mergeQueueCounters(...cs: readonly Readonly<QueueCounters>[]): QueueCounters {
  const out = emptyQueueCounters();
  for (const c of cs) addQueueCounters(out, c);
  return out;
}

/** Whether two counters are equal field by field. */
export function sameQueueCounters(a: Readonly<QueueCounters>, b: Readonly<QueueCounters>): boolean {
  if (
    a.offered !== b.offered ||
    a.answered !== b.answered ||
    a.abandoned !== b.abandoned ||
    a.short_abandoned !== b.short_abandoned ||
    a.flowed_out !== b.flowed_out ||
    a.answered_within_sl !== b.answered_within_sl ||
    a.abandoned_within_sl !== b.abandoned_within_sl ||
    a.answer_wait_ms !== b.answer_wait_ms ||
    a.abandon_wait_ms !== b.abandon_wait_ms ||
    a.handled !== b.handled ||
    a.talk_ms !== b.talk_ms ||
    a.hold_ms !== b.hold_ms ||
    a.acw_ms !== b.acw_ms ||
    a.transfers !== b.transfers ||
    a.top_waits.length !== b.top_waits.length
  ) {
    return false;
  }
  return a.top_waits.every((w, i) => w === b.top_waits[i]);
}

const AGENT_KEYS = ['answered', 'handled', 'talk_ms', 'hold_ms', 'acw_ms', 'ring_noanswer', 'agent_hangups', 'transfers', 'help_requests'] as const;

/** Adds `c` into `into` (mutates and returns `into`). */
export function addAgentCounters(into: AgentCounters, c: Readonly<AgentCounters>): AgentCounters {
  for (const k of AGENT_KEYS) into[k] += c[k];
  return into;
}

/** Takes `c` (previously added) out of `from` (mutates and returns `from`). */
export function subtractAgentCounters(from: AgentCounters, c: Readonly<AgentCounters>): AgentCounters {
  for (const k of AGENT_KEYS) from[k] -= c[k];
  return from;
}

/** The sum of agent counters (new object). */
export function mergeAgentCounters(...cs: readonly Readonly<AgentCounters>[]): AgentCounters {
  const out = emptyAgentCounters();
  for (const c of cs) addAgentCounters(out, c);
  return out;
}

/** Whether two agent counters are equal field by field. */
export function sameAgentCounters(a: Readonly<AgentCounters>, b: Readonly<AgentCounters>): boolean {
  return AGENT_KEYS.every((k) => a[k] === b[k]);
}

/** Outcome counters of one visit or call: `wait` against T and S of `settings`. */
function outcomeCounters(
  outcome: VisitFact['outcome'],
  waitMs: number | null,
  settings: Readonly<QueueSettings>,
): QueueCounters {
  const c = emptyQueueCounters();
  c.offered = 1;
  const wait = waitMs ?? 0;
  const withinT = wait <= settings.slThresholdS * 1000;
  switch (outcome) {
    case 'answered':
      c.answered = 1;
      c.answer_wait_ms = wait;
      if (withinT) c.answered_within_sl = 1;
      c.top_waits.push(wait);
      break;
    case 'abandoned':
      c.abandoned = 1;
      c.abandon_wait_ms = wait;
      if (withinT) c.abandoned_within_sl = 1;
      if (wait < settings.shortAbandonS * 1000) c.short_abandoned = 1;
      c.top_waits.push(wait);
      break;
    case 'flowed_out':
      c.flowed_out = 1;
      break;
    case 'waiting':
      break;
  }
  return c;
}

/** The queue-view counters of one visit (attributed at `visit.enteredAt`). */
export function visitCounters(visit: Readonly<VisitFact>, settings: Readonly<QueueSettings>): QueueCounters {
  return outcomeCounters(visit.outcome, visit.waitMs, settings);
}

/** A call's part of one set of counters, and the instant that decides its interval. */
export type Contribution =
  | { scope: 'queue'; /** queue id */ key: string; at: number; counters: QueueCounters }
  | { scope: 'caller'; /** the call's first queue */ key: string; at: number; counters: QueueCounters }
  | { scope: 'agent'; /** agent id */ key: string; at: number; counters: AgentCounters };

/**
 * Everything one call adds to the queue view, the caller view and the agents:
 * - per visit: its outcome at `enteredAt`; once the call has ended and the visit was
 *   answered, its handle (handled = 1, talk, hold, acw of its legs) at `call.ended`;
 * - caller view (calls that reached a queue): the caller outcome at the first `call.queued`,
 *   judged against T and S of that first queue; its handle (all legs) at `call.ended`;
 * - per agent leg: answered = 1 at the answer; once the call has ended, handled = 1 with
 *   talk, hold, acw, a hang-up and a transfer at `call.ended`; each ring-no-answer at its event.
 * - transfers: legs ended by `call.transferred`, with the handle of the visit the leg belongs
 *   to (an attended transfer's second agent joins the first visit: DESIGN.md "Transfers").
 */
export function callContributions(facts: Readonly<CallFacts>, settingsOf: (queue: string) => Readonly<QueueSettings>): Contribution[] {
  const out: Contribution[] = [];
  const ended = facts.endedAt;
  for (const v of facts.visits) {
    out.push({ scope: 'queue', key: v.queue, at: v.enteredAt, counters: visitCounters(v, settingsOf(v.queue)) });
    if (ended !== null && v.outcome === 'answered' && v.handle.legs > 0) {
      const h = emptyQueueCounters();
      h.handled = 1;
      h.talk_ms = v.handle.talkMs;
      h.hold_ms = v.handle.holdMs;
      h.acw_ms = v.handle.acwMs;
      h.transfers = facts.legs.filter((leg) => leg.visit === v.index && leg.endReason === 'transfer').length;
      out.push({ scope: 'queue', key: v.queue, at: ended, counters: h });
    }
  }
  const caller = facts.caller;
  if (caller) {
    out.push({
      scope: 'caller',
      key: caller.queue,
      at: caller.enteredAt,
      counters: outcomeCounters(caller.outcome, caller.waitMs, settingsOf(caller.queue)),
    });
    if (ended !== null && caller.outcome === 'answered') {
      const h = emptyQueueCounters();
      h.handled = 1;
      for (const leg of facts.legs) {
        h.talk_ms += leg.talkMs ?? 0;
        h.hold_ms += leg.holdMs;
        h.acw_ms += leg.acwMs;
        if (leg.endReason === 'transfer') h.transfers++;
      }
      out.push({ scope: 'caller', key: caller.queue, at: ended, counters: h });
    }
  }
  for (const leg of facts.legs) {
    const a = emptyAgentCounters();
    a.answered = 1;
    out.push({ scope: 'agent', key: leg.agent, at: leg.answeredAt, counters: a });
    if (ended !== null) {
      const h = emptyAgentCounters();
      h.handled = 1;
      h.talk_ms = leg.talkMs ?? 0;
      h.hold_ms = leg.holdMs;
      h.acw_ms = leg.acwMs;
      if (leg.hungUp) h.agent_hangups = 1;
      if (leg.endReason === 'transfer') h.transfers = 1;
      out.push({ scope: 'agent', key: leg.agent, at: ended, counters: h });
    }
  }
  for (const r of facts.ringNoAnswers) {
    const a = emptyAgentCounters();
    a.ring_noanswer = 1;
    out.push({ scope: 'agent', key: r.agent, at: r.ts, counters: a });
  }
  return out;
}
