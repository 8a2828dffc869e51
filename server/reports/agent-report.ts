/**
 * Agent reports (DESIGN.md "Agent figures"): per agent and interval, sign-ins and sign-outs,
 * breaks and not-ready periods, state times split at interval edges (logged-in time,
 * occupancy and utilization by the metric module's definitions), help requests, and the
 * agent's call figures (answered, talk, hold, acw, ring-no-answer, hang-ups) from the
 * derived history. Also the sign-in/sign-out and break detail lists.
 *
 * States come from the stored state intervals (`agent_state_intervals`, kept by the
 * agent-state deriver), clipped to the period, to each interval and to now in SQL; a state
 * that began before the period counts from the period's start.
 */
import type { Store } from '../../platform/store/store.ts';
import type { AgentBreakRow, AgentReport, AgentReportRow, AgentSessionRow } from '../../schemas/reports.ts';
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
import {
  AGENT_CALLS_SQL,
  AGENT_HELP_SLOTS_SQL,
  AGENT_ROLLUP_SQL,
  AGENT_STATE_CHANGES_SQL,
  AGENT_STATE_SLOTS_SQL,
  SIGNED_IN_STATES,
  type AgentRollupRow,
  type AgentStateChangeRow,
  type AgentStateSlotRow,
} from './queries/agent-states.ts';
import { onQuarterEdges } from './queue-report.ts';
import type { ReportPeriod } from './report-query.ts';

/** An agent signed out since longer than this before the period is not listed. */
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

/** An agent's slots, one per report interval. */
function slotsOf(slots: Map<string, Slot[]>, agent: string, n: number): Slot[] {
  let own = slots.get(agent);
  if (!own) slots.set(agent, (own = Array.from({ length: n }, emptySlot)));
  return own;
}

/** What the queries over the stored intervals share: the clipped period, its interval starts, the filter. */
interface StateQuery {
  starts: number[];
  params: { from: number; until: number; lookbackFrom: number; starts: number[]; agents: string[] };
}

/**
 * The period's intervals (the first clipped to `from`) and the end of counted time: the
 * period's end, or now (no time is counted in the future).
 */
function stateQuery(p: ReportPeriod, agents: string[], now: number): StateQuery {
  const starts = intervalStarts(p.from, p.to, p.interval, p.tz);
  if (starts.length > 0) starts[0] = p.from;
  return { starts, params: { from: p.from, until: Math.max(p.from, Math.min(p.to, now)), lookbackFrom: p.from - STATE_LOOKBACK_MS, starts, agents } };
}

/** State figures and help requests per agent and interval. */
async function stateSlots(store: Store, q: StateQuery): Promise<Map<string, Slot[]>> {
  const [states, help] = await Promise.all([store.query<AgentStateSlotRow>(AGENT_STATE_SLOTS_SQL, q.params), store.query<{ agent: string; slot: number; help_requests: number }>(AGENT_HELP_SLOTS_SQL, q.params)]);
  const slots = new Map<string, Slot[]>();
  const n = q.starts.length;
  for (const r of states) {
    const slot = slotsOf(slots, r.agent, n)[Number(r.slot)] as Slot;
    for (const st of SIGNED_IN_STATES) slot.times[st] += Number(r[`${st}_ms`]);
    slot.sign_ins += Number(r.sign_ins);
    slot.sign_outs += Number(r.sign_outs);
    slot.breaks += Number(r.breaks);
    slot.break_ms += Number(r.break_ms);
    slot.not_ready_count += Number(r.not_ready_count);
    slot.not_ready_ms += Number(r.not_ready_ms);
  }
  for (const r of help) (slotsOf(slots, r.agent, n)[Number(r.slot)] as Slot).counters.help_requests += Number(r.help_requests);
  return slots;
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

export async function agentReport(store: Store, p: ReportPeriod, agents: string[], now = Date.now()): Promise<AgentReport> {
  const aligned = onQuarterEdges(p);
  const q = stateQuery(p, agents, now);
  const { starts } = q;
  const [slots, calls] = await Promise.all([
    stateSlots(store, q),
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
    const c = (slotsOf(slots, r.key, starts.length)[i] as Slot).counters;
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
  for (const agent of [...slots.keys()].sort()) {
    const own = slots.get(agent) as Slot[];
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

/** The stored intervals that make the session and break lists, per agent in order. */
async function stateChanges(store: Store, p: ReportPeriod, agents: string[], now: number): Promise<{ q: StateQuery; byAgent: Map<string, AgentStateChangeRow[]> }> {
  const q = stateQuery({ ...p, interval: '1M' }, agents, now);
  const byAgent = new Map<string, AgentStateChangeRow[]>();
  for (const r of await store.query<AgentStateChangeRow>(AGENT_STATE_CHANGES_SQL, q.params)) {
    let list = byAgent.get(r.agent);
    if (!list) byAgent.set(r.agent, (list = []));
    list.push(r);
  }
  return { q, byAgent };
}

/**
 * Sign-in sessions that overlap the period: signed in at its start (`sign_in` null, counted
 * from the start), or in it; still signed in at its end or now (`sign_out` null).
 */
export async function agentSessions(store: Store, p: ReportPeriod, agents: string[], now = Date.now()): Promise<AgentSessionRow[]> {
  const { q, byAgent } = await stateChanges(store, p, agents, now);
  const { from, until } = q.params;
  const iso = (t: number) => isoWithOffset(t, p.tz);
  const out: AgentSessionRow[] = [];
  for (const agent of [...byAgent.keys()].sort()) {
    /** when the open session began; null: before the period; undefined: signed out */
    let signIn: number | null | undefined;
    for (const r of byAgent.get(agent) as AgentStateChangeRow[]) {
      const t = Number(r.s0);
      if (Number(r.before_period)) signIn = r.state === 'logged_out' ? undefined : null;
      else if (Number(r.sign_in)) signIn = t;
      else if (Number(r.sign_out)) {
        out.push({ agent, sign_in: signIn == null ? null : iso(signIn), sign_out: iso(t), duration_s: (t - (signIn ?? from)) / 1000 });
        signIn = undefined;
      }
    }
    if (signIn !== undefined) out.push({ agent, sign_in: signIn === null ? null : iso(signIn), sign_out: null, duration_s: (until - (signIn ?? from)) / 1000 });
  }
  return out;
}

/** Breaks that overlap the period, from its start at the earliest; still on break at its end or now: `end` null. */
export async function agentBreaks(store: Store, p: ReportPeriod, agents: string[], now = Date.now()): Promise<AgentBreakRow[]> {
  const { q, byAgent } = await stateChanges(store, p, agents, now);
  const { from, until } = q.params;
  const out: AgentBreakRow[] = [];
  for (const agent of [...byAgent.keys()].sort()) {
    for (const r of byAgent.get(agent) as AgentStateChangeRow[]) {
      const s0 = Number(r.s0);
      const e0 = Number(r.e0);
      if (!Number(r.is_break) || (e0 <= from && s0 < from)) continue;
      const start = Math.max(s0, from);
      const closed = e0 < until;
      out.push({ agent, start: isoWithOffset(start, p.tz), end: closed ? isoWithOffset(e0, p.tz) : null, duration_s: ((closed ? e0 : until) - start) / 1000 });
    }
  }
  return out;
}
