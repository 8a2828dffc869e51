/**
 * The lifecycle rules of contract v1, applied to events in time order. Both the feed
 * audit (any feed, any order: it sorts first) and the ACD simulator's self-check
 * (acd/check/audit.ts, a stream already in order) run these same rules.
 *
 * Calls: `call.offered` first; `call.ended` once, after which only `call.wrapup` and
 * `call.survey` may come. A `call.queued` in queue Q opens a visit, and before the call's
 * next `call.queued` and before its `call.ended` exactly one of these closes it:
 * `call.answered` with `queue` Q; `call.abandoned` (stage `queue` or `ringing`) with
 * `queue` Q; `call.overflow` with `from_queue` Q. While a visit is open only
 * `call.ringing` / `call.ring_noanswer` for Q may happen (a ring-no-answer keeps the visit
 * open). With no visit open there is no answer with a queue, no abandon in a queue and no
 * overflow; an answer without a queue is a direct call or completes an attended transfer;
 * a transfer happens only after the answer.
 *
 * Agents: every state is sent, none is derived from call events (occupancy and
 * utilization are computed from `agent.state` alone): `logged_out → available` signs in,
 * `ringing` is optional (a PBX that does not report ringing answers from `available`),
 * `on_call` must follow each `call.answered` for the agent, and a state out of `on_call`
 * (`acw`, `available`, `not_ready`, `logged_out`) must follow the end of its call before
 * the agent takes the next one. `on_call` without a call event is allowed: consultations
 * and internal calls are not in the call feed. An agent is connected to one call at a time.
 */
import type { AgentStateName, CallboardEvent } from '../events.ts';
import type { ProblemCode } from './problems.ts';

/** One event the lifecycle sees: valid, de-duplicated, with its `ts` in epoch ms. */
export interface LifecycleEvent {
  event: CallboardEvent;
  ts: number;
}

/** A rule broken, at the event that shows it. */
export interface LifecycleProblem {
  code: ProblemCode;
  message: string;
  eventIds: string[];
  call?: string;
  agent?: string;
}

/** Queue figures follow the visits; the simulator's audit measures its queues through these. */
export interface LifecycleHooks {
  queued?(queue: string, ts: number): void;
  /** a visit closed by an answer or an abandon */
  exited?(queue: string, queuedAt: number, ts: number, answered: boolean): void;
  overflowed?(fromQueue: string): void;
}

export interface LifecycleOptions {
  /**
   * The feed may start in the middle of the day (a time window of a live feed): an agent's
   * first state may be any state, and a call first seen without `call.offered` is taken as
   * begun before the window instead of being reported.
   */
  startsMidStream?: boolean;
  /** A call with no `call.ended` is reported only when its last event is this long before the feed's last event (default 2 h). */
  stalledCallMs?: number;
}

/** Legal agent state changes besides staying in a state (a repeat or a reason change). */
const TRANSITIONS: Record<AgentStateName, readonly AgentStateName[]> = {
  logged_out: ['available'],
  available: ['ringing', 'on_call', 'not_ready', 'logged_out'],
  ringing: ['on_call', 'available', 'not_ready', 'logged_out'],
  on_call: ['acw', 'available', 'not_ready', 'logged_out'],
  acw: ['available', 'not_ready', 'logged_out'],
  not_ready: ['available', 'logged_out'],
};

const AFTER_END_OK = new Set(['call.survey', 'call.wrapup']);
/** The visit of a call whose start lies before the feed: any queue event fits it. */
const UNKNOWN_VISIT = '\u0000unknown';
export const DEFAULT_STALLED_CALL_MS = 2 * 3600_000;

interface CallTrack {
  ended: boolean;
  /** the queue of the open visit, null when none, UNKNOWN_VISIT when the call began before the feed */
  visit: string | null;
  visitEventId: string;
  queuedAt: number;
  lastTs: number;
  lastEventId: string;
  /** agents currently connected (ringing, talking, consulted) */
  agents: string[];
}

interface AgentTrack {
  /** undefined: not seen yet in a feed that starts mid-stream */
  state: AgentStateName | undefined;
  call: string | null;
  /** answered a call and has not yet sent `on_call` */
  owesOnCall: { call: string; eventId: string } | null;
  /** its call ended (or was passed on) while it was `on_call`, and it has not yet left `on_call` */
  owesLeave: { call: string; eventId: string } | null;
}

/** Applies the lifecycle rules to events given in time order. */
export class LifecycleChecker {
  private readonly calls = new Map<string, CallTrack>();
  private readonly agents = new Map<string, AgentTrack>();
  private readonly startsMidStream: boolean;
  private readonly stalledCallMs: number;
  private lastTs = -Infinity;
  /** agents that went free while still connected to a call, at the current ms */
  private readonly freedWhileConnected: { agent: string; call: string; state: AgentStateName; eventId: string }[] = [];
  private callCount = 0;
  private endedCount = 0;

  constructor(
    private readonly report: (problem: LifecycleProblem) => void,
    private readonly hooks: LifecycleHooks = {},
    options: LifecycleOptions = {},
  ) {
    this.startsMidStream = options.startsMidStream ?? false;
    this.stalledCallMs = options.stalledCallMs ?? DEFAULT_STALLED_CALL_MS;
  }

  /** Calls seen (offered, or first seen without an offer). */
  get callsSeen(): number {
    return this.callCount;
  }
  /** Calls seen and not ended. */
  get openCalls(): number {
    return this.callCount - this.endedCount;
  }
  get agentsSeen(): number {
    return this.agents.size;
  }

  add({ event: e, ts }: LifecycleEvent): void {
    if (ts > this.lastTs) {
      this.settleTies();
      this.lastTs = ts;
    }
    if (e.type === 'agent.state') return this.agentState(e.agent, e.state as AgentStateName, e.id);
    if (e.type === 'agent.help') return;
    if (e.type === 'call.offered') {
      const known = this.calls.get(e.call);
      if (known) {
        this.report({ code: 'call_offered_twice', message: `call ${e.call}: call.offered again (first call events before it: ${known.lastEventId})`, eventIds: [e.id], call: e.call });
        return;
      }
      this.newCall(e.call, null, ts, e.id);
      return;
    }
    let call = this.calls.get(e.call);
    if (!call) {
      if (!this.startsMidStream) {
        this.report({ code: 'call_without_offer', message: `call ${e.call}: ${e.type} with no call.offered before it`, eventIds: [e.id], call: e.call });
      }
      // From here the call is known, with its earlier history unknown: no cascade of follow-on problems.
      call = this.newCall(e.call, UNKNOWN_VISIT, ts, e.id);
    }
    if (call.ended && !AFTER_END_OK.has(e.type) && e.type !== 'call.ended') {
      this.report({ code: 'events_after_end', message: `call ${e.call}: ${e.type} after call.ended`, eventIds: [e.id, call.lastEventId], call: e.call });
    }
    call.lastTs = ts;
    if (!AFTER_END_OK.has(e.type)) call.lastEventId = e.id;
    switch (e.type) {
      case 'call.queued':
        if (call.visit !== null && call.visit !== UNKNOWN_VISIT) {
          this.report({ code: 'queued_never_closed', message: `call ${e.call}: queued in ${e.queue} while its visit of ${call.visit} is still open`, eventIds: [call.visitEventId, e.id], call: e.call });
        }
        call.visit = e.queue;
        call.visitEventId = e.id;
        call.queuedAt = ts;
        this.hooks.queued?.(e.queue, ts);
        return;
      case 'call.ringing':
        this.expectVisit(call, e.queue, e);
        this.connect(call, e.agent, e, 'available');
        return;
      case 'call.answered':
        if (e.queue !== undefined) {
          if (call.visit === e.queue) this.exitVisit(call, ts, true);
          else if (call.visit === UNKNOWN_VISIT) call.visit = null;
          else {
            const where = call.visit === null ? 'while not queued' : `while queued in ${call.visit}`;
            this.report({ code: 'answered_without_queue', message: `call ${e.call}: answered in queue ${e.queue} ${where}`, eventIds: [e.id], call: e.call, agent: e.agent });
          }
        } else if (call.visit !== null && call.visit !== UNKNOWN_VISIT) {
          this.report({ code: 'queue_event_without_visit', message: `call ${e.call}: answered without a queue while queued in ${call.visit}`, eventIds: [e.id], call: e.call, agent: e.agent });
        }
        if (!call.agents.includes(e.agent)) this.connect(call, e.agent, e, 'answer');
        this.owesOnCall(e.agent, e.call, e.id);
        return;
      case 'call.ring_noanswer':
        this.expectVisit(call, e.queue, e);
        this.disconnect(call, e.agent, e);
        return;
      case 'call.abandoned':
        if (e.stage === 'ivr') {
          if (call.visit !== null && call.visit !== UNKNOWN_VISIT) {
            this.report({ code: 'queue_event_without_visit', message: `call ${e.call}: abandoned in the IVR while queued in ${call.visit}`, eventIds: [e.id], call: e.call });
          }
        } else if (e.queue === undefined) {
          this.report({ code: 'queue_event_without_visit', message: `call ${e.call}: abandoned at stage ${e.stage} without a queue`, eventIds: [e.id], call: e.call });
        } else if (this.expectVisit(call, e.queue, e)) {
          this.exitVisit(call, ts, false);
        }
        for (const a of [...call.agents]) this.disconnect(call, a, e);
        return;
      case 'call.overflow':
        if (this.expectVisit(call, e.from_queue, e)) {
          this.hooks.overflowed?.(e.from_queue);
          call.visit = null;
        }
        return;
      case 'call.transferred':
        if (call.visit !== null && call.visit !== UNKNOWN_VISIT) {
          this.report({ code: 'queue_event_without_visit', message: `call ${e.call}: transferred while queued in ${call.visit}`, eventIds: [e.id], call: e.call, agent: e.agent });
        }
        if (call.visit === UNKNOWN_VISIT) call.visit = null;
        this.disconnect(call, e.agent, e);
        // The consulted agent joined without a call event; from here it is connected.
        if (e.to_agent !== undefined && !call.agents.includes(e.to_agent)) this.connect(call, e.to_agent, e, 'answer');
        return;
      case 'call.ended':
        if (call.ended) {
          this.report({ code: 'call_ended_twice', message: `call ${e.call}: call.ended again`, eventIds: [e.id], call: e.call });
          return;
        }
        if (call.visit !== null && call.visit !== UNKNOWN_VISIT) {
          this.report({ code: 'queued_never_closed', message: `call ${e.call}: ended while its visit of ${call.visit} was never closed (no answer, abandon or overflow)`, eventIds: [call.visitEventId, e.id], call: e.call });
        }
        call.visit = null;
        call.ended = true;
        this.endedCount++;
        for (const a of [...call.agents]) this.disconnect(call, a, e);
        return;
      case 'call.hold':
      case 'call.unhold':
        if (!call.agents.includes(e.agent) && call.visit !== UNKNOWN_VISIT) {
          this.report({ code: 'agent_not_on_call', message: `call ${e.call}: ${e.type} by agent ${e.agent}, who is not on the call`, eventIds: [e.id], call: e.call, agent: e.agent });
        }
        return;
      default:
        return;
    }
  }

  /** Judges what waited for the current ms to be complete; call before reading problems mid-stream. */
  settleTies(): void {
    for (const f of this.freedWhileConnected) {
      if (this.agents.get(f.agent)?.call !== f.call) continue;
      this.report({ code: 'illegal_state_transition', message: `agent ${f.agent}: ${f.state} while connected to call ${f.call} (its end or transfer is missing before)`, eventIds: [f.eventId], agent: f.agent, call: f.call });
    }
    this.freedWhileConnected.length = 0;
  }

  /** Problems only the end of the feed shows: visits still open, calls that never ended. */
  finish(): void {
    this.settleTies();
    for (const [id, call] of this.calls) {
      if (call.ended) continue;
      if (call.visit !== null && call.visit !== UNKNOWN_VISIT) {
        this.report({ code: 'queued_open_at_feed_end', message: `call ${id}: still queued in ${call.visit} where the feed ends`, eventIds: [call.visitEventId], call: id });
      }
      const silentMs = this.lastTs - call.lastTs;
      if (silentMs >= this.stalledCallMs) {
        this.report({ code: 'call_never_ended', message: `call ${id}: no call.ended; its last event came ${formatDuration(silentMs)} before the feed ends`, eventIds: [call.lastEventId], call: id });
      }
    }
  }

  private newCall(id: string, visit: string | null, ts: number, eventId: string): CallTrack {
    const call: CallTrack = { ended: false, visit, visitEventId: eventId, queuedAt: ts, lastTs: ts, lastEventId: eventId, agents: [] };
    this.calls.set(id, call);
    this.callCount++;
    return call;
  }

  private agent(id: string): AgentTrack {
    let a = this.agents.get(id);
    if (!a) {
      a = { state: this.startsMidStream ? undefined : 'logged_out', call: null, owesOnCall: null, owesLeave: null };
      this.agents.set(id, a);
    }
    return a;
  }

  private agentState(id: string, state: AgentStateName, eventId: string): void {
    const a = this.agent(id);
    const prev = a.state;
    if (prev !== undefined && prev !== state && !TRANSITIONS[prev].includes(state)) {
      this.report({ code: 'illegal_state_transition', message: `agent ${id}: ${prev} → ${state}`, eventIds: [eventId], agent: id });
    }
    if (a.owesOnCall !== null && state !== 'on_call') {
      this.report({ code: 'state_gap', message: `agent ${id}: answered call ${a.owesOnCall.call} but went ${state} without agent.state on_call`, eventIds: [a.owesOnCall.eventId, eventId], agent: id, call: a.owesOnCall.call });
    }
    a.owesOnCall = null;
    if (state !== 'on_call') a.owesLeave = null;
    // The release (end, transfer, ring-no-answer) may come after the state change at the same ms: judged when time moves on.
    if ((state === 'available' || state === 'not_ready' || state === 'logged_out') && a.call !== null) {
      this.freedWhileConnected.push({ agent: id, call: a.call, state, eventId });
    }
    a.state = state;
  }

  private owesOnCall(agentId: string, call: string, eventId: string): void {
    const a = this.agent(agentId);
    if (a.state !== 'on_call') a.owesOnCall = { call, eventId };
  }

  /** Whether the call has an open visit of `queue`; reports a problem if not. */
  private expectVisit(call: CallTrack, queue: string, e: CallboardEvent & { call: string }): boolean {
    if (call.visit === queue) return true;
    if (call.visit === UNKNOWN_VISIT) {
      call.visit = queue;
      return true;
    }
    const where = call.visit === null ? 'not queued' : `queued in ${call.visit}`;
    this.report({ code: 'queue_event_without_visit', message: `call ${e.call}: ${e.type} for queue ${queue} while ${where}`, eventIds: [e.id], call: e.call });
    return false;
  }

  private connect(call: CallTrack, agentId: string, e: CallboardEvent & { call: string }, how: 'available' | 'answer'): void {
    const a = this.agent(agentId);
    const holding = a.call;
    if (holding !== null && holding !== e.call) {
      this.report({ code: 'agent_on_two_calls', message: `agent ${agentId}: connected to call ${e.call} (${e.type}) while on call ${holding}`, eventIds: [e.id], agent: agentId, call: e.call });
      const other = this.calls.get(holding);
      if (other) other.agents = other.agents.filter((x) => x !== agentId);
    }
    const state = a.state;
    if (state === 'logged_out' || state === 'not_ready' || state === 'acw' || (how === 'available' && state === 'on_call' && a.owesLeave === null)) {
      this.report({ code: 'illegal_state_transition', message: `agent ${agentId}: ${e.type} on call ${e.call} while ${state}`, eventIds: [e.id], agent: agentId, call: e.call });
    } else if (a.owesOnCall !== null && a.owesOnCall.call !== e.call) {
      this.report({ code: 'state_gap', message: `agent ${agentId}: ${e.type} on call ${e.call}, but never sent agent.state on_call for its previous call ${a.owesOnCall.call}`, eventIds: [a.owesOnCall.eventId, e.id], agent: agentId, call: e.call });
      a.owesOnCall = null;
      a.owesLeave = null;
    } else if (a.owesLeave !== null && a.owesLeave.call !== e.call) {
      this.report({ code: 'state_gap', message: `agent ${agentId}: ${e.type} on call ${e.call} while still on_call from call ${a.owesLeave.call} (no acw or available after it)`, eventIds: [a.owesLeave.eventId, e.id], agent: agentId, call: e.call });
      a.owesLeave = null;
    }
    a.call = e.call;
    call.agents.push(agentId);
  }

  private disconnect(call: CallTrack, agentId: string, e: CallboardEvent & { call: string }): void {
    const i = call.agents.indexOf(agentId);
    if (i < 0) {
      if (call.visit !== UNKNOWN_VISIT && e.type !== 'call.ended' && e.type !== 'call.abandoned') {
        this.report({ code: 'agent_not_on_call', message: `call ${e.call}: ${e.type} by agent ${agentId}, who is not on the call`, eventIds: [e.id], call: e.call, agent: agentId });
      }
      return;
    }
    call.agents.splice(i, 1);
    const a = this.agent(agentId);
    if (a.call === e.call) a.call = null;
    if (a.state === 'on_call' || a.owesOnCall?.call === e.call) a.owesLeave = { call: e.call, eventId: e.id };
  }

  private exitVisit(call: CallTrack, ts: number, answered: boolean): void {
    this.hooks.exited?.(call.visit as string, call.queuedAt, ts, answered);
    call.visit = null;
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
