/**
 * Agent reports (DESIGN.md "Agent figures"): per agent and interval, sign-ins and sign-outs,
 * breaks and not-ready periods, state times split at interval edges (logged-in time,
 * occupancy and utilization by the metric module's definitions), help requests, and the
 * agent's call figures (answered, talk, hold, acw, ring-no-answer, hang-ups) from the
 * derived history. Also the sign-in/sign-out and break detail lists.
 *
 * States are walked from the stored `agent.state` events of the period plus each agent's
 * last state before it. A repeated state is no change; a not-ready whose reason changes
 * starts a new not-ready period.
 */
import type { Store } from '../../platform/store/store.ts';
import type { AgentBreakRow, AgentReport, AgentReportRow, AgentSessionRow } from '../../schemas/reports.ts';
import { AGENT_STATES, type AgentStateName } from '../../schemas/events.ts';
import {
  addAgentCounters,
  addStateTimes,
  emptyAgentCounters,
  emptyStateTimes,
  loggedInMs,
  occupancy,
  utilization,
  type AgentCounters,
  type StateTimes,
} from '../contact-metrics/index.ts';
import { intervalStarts, isoWithOffset } from './intervals.ts';
import { AGENT_CALLS_SQL, AGENT_EVENTS_SQL, AGENT_ROLLUP_SQL, AGENT_STATE_AT_SQL, type AgentEventRow, type AgentRollupRow } from './queries/agent-states.ts';
import { onQuarterEdges } from './queue-report.ts';
import type { ReportPeriod } from './report-query.ts';

/** How far back an agent's state before the period is looked for. */
const STATE_LOOKBACK_MS = 31 * 86_400_000;

interface Slot {
  counters: AgentCounters;
  times: StateTimes;
  sign_ins: number;
  sign_outs: number;
  breaks: number;
  break_ms: number;
  not_ready_count: number;
  not_ready_ms: number;
}

const emptySlot = (): Slot => ({ counters: emptyAgentCounters(), times: emptyStateTimes(), sign_ins: 0, sign_outs: 0, breaks: 0, break_ms: 0, not_ready_count: 0, not_ready_ms: 0 });

function addSlot(into: Slot, s: Slot): void {
  addAgentCounters(into.counters, s.counters);
  addStateTimes(into.times, s.times);
  into.sign_ins += s.sign_ins;
  into.sign_outs += s.sign_outs;
  into.breaks += s.breaks;
  into.break_ms += s.break_ms;
  into.not_ready_count += s.not_ready_count;
  into.not_ready_ms += s.not_ready_ms;
}

const isState = (s: string): s is AgentStateName => (AGENT_STATES as readonly string[]).includes(s);
const BREAK = 'break';

export interface AgentWalk {
  slots: Map<string, Slot[]>;
  sessions: AgentSessionRow[];
  breaks: AgentBreakRow[];
}

/**
 * Walks the agents' states over the intervals `starts` (the last one ends at `to`), up to
 * `until` (now: no time is counted in the future).
 */
export function walkAgentStates(
  events: readonly AgentEventRow[],
  before: ReadonlyMap<string, { state: string; reason: string }>,
  starts: readonly number[],
  to: number,
  until: number,
  tz: string,
): AgentWalk {
  const ends = starts.map((_, i) => starts[i + 1] ?? to);
  const slotIndex = (t: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const slots = new Map<string, Slot[]>();
  const slotsOf = (agent: string) => {
    let s = slots.get(agent);
    if (!s) slots.set(agent, (s = starts.map(() => emptySlot())));
    return s;
  };
  const sessions: AgentSessionRow[] = [];
  const breaks: AgentBreakRow[] = [];
  const from = starts[0] ?? to;
  const end = Math.min(to, until);
  const iso = (t: number) => isoWithOffset(t, tz);

  const byAgent = new Map<string, AgentEventRow[]>();
  for (const e of events) {
    let list = byAgent.get(e.agent);
    if (!list) byAgent.set(e.agent, (list = []));
    list.push(e);
  }
  for (const agent of before.keys()) if (!byAgent.has(agent)) byAgent.set(agent, []);

  for (const [agent, list] of byAgent) {
    const own = slotsOf(agent);
    const first = before.get(agent);
    let state: AgentStateName = first && isState(first.state) ? first.state : 'logged_out';
    let reason = first?.reason ?? '';
    let since = from;
    let sessionStart: number | null = state === 'logged_out' ? -1 : null; // -1: not signed in
    let breakStart: number | null = state === 'not_ready' && reason === BREAK ? from : null;

    /** Adds [a, b) of `s` (with `r`) to the slots it overlaps. */
    const spend = (a: number, b: number, s: AgentStateName, r: string) => {
      let t = Math.max(a, from);
      const stop = Math.min(b, end);
      while (t < stop) {
        const i = slotIndex(t);
        const slotEnd = Math.min(ends[i] as number, stop);
        const ms = slotEnd - t;
        const slot = own[i] as Slot;
        slot.times[s] += ms;
        if (s === 'not_ready') {
          slot.not_ready_ms += ms;
          if (r === BREAK) slot.break_ms += ms;
        }
        t = slotEnd;
      }
    };

    for (const e of list) {
      const t = Number(e.t);
      if (e.type === 'agent.help') {
        if (t < end) (own[slotIndex(t)] as Slot).counters.help_requests++;
        continue;
      }
      if (!isState(e.state) || t >= end) continue;
      const next = e.state;
      const nextReason = next === 'not_ready' ? e.reason : '';
      if (next === state && nextReason === reason) continue;
      spend(since, t, state, reason);
      const slot = own[slotIndex(t)] as Slot;
      if (state === 'logged_out' && next !== 'logged_out') {
        slot.sign_ins++;
        sessionStart = t;
      } else if (next === 'logged_out') {
        slot.sign_outs++;
        sessions.push({ agent, sign_in: sessionStart === null || sessionStart < 0 ? null : iso(sessionStart), sign_out: iso(t), duration_s: (t - (sessionStart !== null && sessionStart >= 0 ? sessionStart : from)) / 1000 });
        sessionStart = -1;
      }
      if (next === 'not_ready' && (state !== 'not_ready' || nextReason !== reason)) slot.not_ready_count++;
      const wasBreak = state === 'not_ready' && reason === BREAK;
      const isBreak = next === 'not_ready' && nextReason === BREAK;
      if (wasBreak && !isBreak && breakStart !== null) {
        breaks.push({ agent, start: iso(breakStart), end: iso(t), duration_s: (t - breakStart) / 1000 });
        breakStart = null;
      }
      if (isBreak && !wasBreak) {
        slot.breaks++;
        breakStart = t;
      }
      state = next;
      reason = nextReason;
      since = t;
    }
    spend(since, end, state, reason);
    if (sessionStart !== -1) sessions.push({ agent, sign_in: sessionStart === null ? null : iso(sessionStart), sign_out: null, duration_s: (end - (sessionStart ?? from)) / 1000 });
    if (breakStart !== null) breaks.push({ agent, start: iso(breakStart), end: null, duration_s: (end - breakStart) / 1000 });
  }
  return { slots, sessions, breaks };
}

function rowOf(interval_start: string, agent: string, s: Slot): AgentReportRow {
  const c = s.counters;
  const r2 = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);
  const sec = (ms: number) => Math.round(ms / 100) / 10;
  return {
    interval_start,
    agent,
    sign_ins: s.sign_ins,
    sign_outs: s.sign_outs,
    breaks: s.breaks,
    break_s: sec(s.break_ms),
    not_ready_count: s.not_ready_count,
    not_ready_s: sec(s.not_ready_ms),
    answered: c.answered,
    talk_s: sec(c.talk_ms),
    hold_s: sec(c.hold_ms),
    acw_s: sec(c.acw_ms),
    handle_s: sec(c.talk_ms + c.hold_ms + c.acw_ms),
    ring_noanswer: c.ring_noanswer,
    agent_hangups: c.agent_hangups,
    transfers: c.transfers,
    help_requests: c.help_requests,
    logged_in_s: sec(loggedInMs(s.times)),
    occupancy: r2(occupancy(s.times)),
    utilization: r2(utilization(s.times)),
  };
}

async function walkPeriod(store: Store, p: ReportPeriod, agents: string[], now: number): Promise<{ starts: number[]; walk: AgentWalk }> {
  const [events, before] = await Promise.all([
    store.query<AgentEventRow>(AGENT_EVENTS_SQL, { from: p.from, to: p.to, agents }),
    store.query<AgentEventRow>(AGENT_STATE_AT_SQL, { from: p.from, lookbackFrom: p.from - STATE_LOOKBACK_MS, agents }),
  ]);
  const starts = intervalStarts(p.from, p.to, p.interval, p.tz);
  if (starts.length > 0) starts[0] = p.from; // the first interval is clipped to the period
  const walk = walkAgentStates(events, new Map(before.map((b) => [b.agent, { state: b.state, reason: b.reason }])), starts, p.to, now, p.tz);
  return { starts, walk };
}

export async function agentReport(store: Store, p: ReportPeriod, agents: string[], now = Date.now()): Promise<AgentReport> {
  const aligned = onQuarterEdges(p);
  const [{ starts, walk }, calls] = await Promise.all([
    walkPeriod(store, p, agents, now),
    aligned
      ? store.query<AgentRollupRow>(AGENT_ROLLUP_SQL, { fromS: Math.floor(p.from / 1000), toS: Math.floor(p.to / 1000), agents, iv: p.interval, tz: p.tz })
      : store.query<AgentRollupRow>(AGENT_CALLS_SQL, { from: p.from, to: p.to, agents }),
  ]);
  const slotIndex = new Map<number, number>();
  for (const r of calls) {
    const bucket = Number(r.bucket_ms);
    let i = slotIndex.get(bucket);
    if (i === undefined) {
      i = 0;
      while (i + 1 < starts.length && (starts[i + 1] as number) <= bucket) i++;
      slotIndex.set(bucket, i);
    }
    let own = walk.slots.get(r.key);
    if (!own) walk.slots.set(r.key, (own = starts.map(() => emptySlot())));
    const c = (own[i] as Slot).counters;
    c.answered += Number(r.answered);
    c.handled += Number(r.handled);
    c.talk_ms += Number(r.talk_ms);
    c.hold_ms += Number(r.hold_ms);
    c.acw_ms += Number(r.acw_ms);
    c.ring_noanswer += Number(r.ring_noanswer);
    c.agent_hangups += Number(r.agent_hangups);
    c.transfers += Number(r.transfers);
  }
  const rows: AgentReportRow[] = [];
  const perAgent: AgentReportRow[] = [];
  const all = emptySlot();
  const labels = starts.map((s) => isoWithOffset(s, p.tz));
  for (const agent of [...walk.slots.keys()].sort()) {
    const own = walk.slots.get(agent) as Slot[];
    const sum = emptySlot();
    own.forEach((s, i) => {
      const active = s.sign_ins + s.sign_outs + s.counters.answered + s.counters.handled + s.counters.ring_noanswer + s.counters.help_requests + loggedInMs(s.times) > 0;
      if (active) rows.push(rowOf(labels[i] as string, agent, s));
      addSlot(sum, s);
    });
    perAgent.push(rowOf(labels[0] ?? isoWithOffset(p.from, p.tz), agent, sum));
    addSlot(all, sum);
  }
  rows.sort((a, b) => Date.parse(a.interval_start) - Date.parse(b.interval_start) || (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
  return {
    from: isoWithOffset(p.from, p.tz),
    to: isoWithOffset(p.to, p.tz),
    tz: p.tz,
    interval: p.interval,
    rows,
    agents: perAgent,
    total: { ...rowOf(isoWithOffset(p.from, p.tz), '', all), agent: null },
  };
}

export async function agentSessions(store: Store, p: ReportPeriod, agents: string[], now = Date.now()): Promise<AgentSessionRow[]> {
  return (await walkPeriod(store, { ...p, interval: '1M' }, agents, now)).walk.sessions;
}

export async function agentBreaks(store: Store, p: ReportPeriod, agents: string[], now = Date.now()): Promise<AgentBreakRow[]> {
  return (await walkPeriod(store, { ...p, interval: '1M' }, agents, now)).walk.breaks;
}
