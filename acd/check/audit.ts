/**
 * Checks an event stream of the ACD for conservation and measures its queues,
 * using only the wire contract (what any consumer of the ingest sees):
 * - every event validates against contract v1 and ids are unique;
 * - time never goes backwards; each offered call ends exactly once and has no
 *   call-handling events after its end (surveys and wrap-ups come later by design);
 * - each agent's state timeline is a chain of legal transitions starting signed
 *   out, and no agent is connected to two calls at once;
 * - queue visits are closed exactly once: a `call.queued` in queue Q opens a visit,
 *   and before the call's next `call.queued` and before its `call.ended` exactly one
 *   of these closes it: `call.answered` with `queue` Q; `call.abandoned` (stage
 *   `queue` or `ringing`) with `queue` Q; `call.overflow` with `from_queue` Q (to
 *   another queue, or to `voicemail` / `callback` / `closed`). While a visit is open
 *   only `call.ringing` / `call.ring_noanswer` for Q may happen (a ring-no-answer
 *   keeps the visit open: the call is back at the head of Q). With no visit open there
 *   is no `call.answered` with a queue, no abandon in a queue, no overflow, and
 *   `call.answered` without a queue only completes an attended transfer; a
 *   `call.transferred` happens only after the visit was closed by its answer;
 * - per queue: offered, answered, abandoned and waits measured as DESIGN.md's
 *   metric definitions say (call.queued → call.answered / call.abandoned, in ms).
 */
import type { AgentStateName, CallboardEvent } from '../../schemas/events.ts';
import { parseTimestamp, SIMULATED_TIME_LIMITS, validateEvent } from '../../schemas/validate.ts';

/** Thresholds of a queue (seconds), as in the queue configuration. */
export interface QueueThresholds {
  slThresholdS: number;
  shortAbandonS: number;
}

export interface QueueFigures {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  answeredWithinSl: number;
  /** sum of the queue waits of answered calls, ms */
  answeredWaitMs: number;
  maxWaitMs: number;
  overflowedOut: number;
}

/** One queue visit that ended in an answer or an abandon (for batch statistics). */
export interface WaitSample {
  queuedAt: number;
  waitMs: number;
  answered: boolean;
}

export interface AuditReport {
  events: number;
  calls: number;
  /** calls offered but not ended */
  openCalls: number;
  queues: Map<string, QueueFigures>;
  /** the first problems found (empty when the stream is sound) */
  problems: string[];
  problemCount: number;
}

/** Legal agent state changes; `not_ready → not_ready` is a reason change. */
const TRANSITIONS: Record<AgentStateName, readonly AgentStateName[]> = {
  logged_out: ['available'],
  available: ['ringing', 'on_call', 'not_ready', 'logged_out'],
  ringing: ['on_call', 'available', 'not_ready', 'logged_out'],
  on_call: ['acw', 'available', 'not_ready', 'logged_out'],
  acw: ['available', 'not_ready', 'logged_out'],
  not_ready: ['available', 'not_ready', 'logged_out'],
};

const AFTER_END_OK = new Set(['call.survey', 'call.wrapup']);
const MAX_PROBLEMS = 50;

interface CallTrack {
  ended: boolean;
  queue: string | null;
  queuedAt: number;
  /** agents currently connected to the call (ringing, talking, consulted) */
  agents: string[];
}

export class EventAuditor {
  private readonly validate: boolean;
  private readonly thresholds: ReadonlyMap<string, QueueThresholds>;
  private readonly sampleQueue: string | undefined;
  private readonly calls = new Map<string, CallTrack>();
  private readonly agentState = new Map<string, AgentStateName>();
  private readonly agentCall = new Map<string, string>();
  private readonly figures = new Map<string, QueueFigures>();
  private readonly lastSeq = new Map<string, number>();
  private readonly seenIds = new Set<string>();
  private lastTs = -Infinity;
  private events = 0;
  private callCount = 0;
  private open = 0;
  readonly problems: string[] = [];
  private problemCount = 0;
  /** Answer/abandon samples of `sampleQueue`, in order of queue exit. */
  readonly samples: WaitSample[] = [];

  /**
   * @param opts.thresholds per queue SL threshold T and short-abandon threshold S (defaults 20 s / 5 s)
   * @param opts.validate check each event against the contract (default true)
   * @param opts.sampleQueue keep per-call wait samples of this queue
   */
  constructor(opts: { thresholds?: ReadonlyMap<string, QueueThresholds>; validate?: boolean; sampleQueue?: string } = {}) {
    this.validate = opts.validate ?? true;
    this.thresholds = opts.thresholds ?? new Map();
    this.sampleQueue = opts.sampleQueue;
  }

  /** Feeds the next event of the stream. */
  add(raw: CallboardEvent): void {
    this.events++;
    if (this.validate) {
      const r = validateEvent(raw, SIMULATED_TIME_LIMITS);
      if (!r.ok) this.problem(`event ${raw.id}: invalid: ${r.error}`);
    }
    this.checkId(raw.id);
    const ts = parseTimestamp(raw.ts);
    if (ts < this.lastTs) this.problem(`event ${raw.id}: time goes backwards (${ts} < ${this.lastTs})`);
    this.lastTs = ts;
    const e = raw;
    if (e.type === 'agent.state') {
      this.agentTransition(e.agent, e.state as AgentStateName, e.id, e.queues !== undefined);
      return;
    }
    if (e.type === 'agent.help') return;
    if (e.type === 'call.offered') {
      if (this.calls.has(e.call)) this.problem(`call ${e.call}: offered twice`);
      this.calls.set(e.call, { ended: false, queue: null, queuedAt: 0, agents: [] });
      this.callCount++;
      this.open++;
      return;
    }
    const call = this.calls.get(e.call);
    if (!call) {
      this.problem(`call ${e.call}: ${e.type} before call.offered`);
      return;
    }
    if (call.ended && !AFTER_END_OK.has(e.type)) this.problem(`call ${e.call}: ${e.type} after call.ended`);
    switch (e.type) {
      case 'call.queued': {
        if (call.queue !== null) this.problem(`call ${e.call}: queued in ${e.queue} while its visit of ${call.queue} is still open (event ${e.id})`);
        call.queue = e.queue;
        call.queuedAt = ts;
        this.queue(e.queue).offered++;
        return;
      }
      case 'call.ringing':
        this.expectVisit(call, e.queue, e);
        this.expectState(e.agent, 'available', e);
        this.connectAgent(call, e.agent, e.call);
        return;
      case 'call.answered': {
        if (e.queue !== undefined) {
          if (this.expectVisit(call, e.queue, e)) this.exitQueue(call, ts, true);
        } else if (call.queue !== null) {
          this.problem(`call ${e.call}: answered without a queue while queued in ${call.queue} (event ${e.id})`);
        }
        if (!call.agents.includes(e.agent)) this.connectAgent(call, e.agent, e.call);
        return;
      }
      case 'call.ring_noanswer':
        this.expectVisit(call, e.queue, e);
        this.disconnectAgent(call, e.agent);
        return;
      case 'call.abandoned':
        if (e.stage === 'ivr') {
          if (call.queue !== null) this.problem(`call ${e.call}: abandoned in the IVR while queued in ${call.queue} (event ${e.id})`);
        } else if (e.queue === undefined) {
          this.problem(`call ${e.call}: abandoned at stage ${e.stage} without a queue (event ${e.id})`);
        } else if (this.expectVisit(call, e.queue, e)) {
          this.exitQueue(call, ts, false);
        }
        for (const a of [...call.agents]) this.disconnectAgent(call, a);
        return;
      case 'call.overflow': {
        if (this.expectVisit(call, e.from_queue, e)) {
          this.queue(e.from_queue).overflowedOut++;
          call.queue = null;
        }
        return;
      }
      case 'call.transferred':
        if (call.queue !== null) this.problem(`call ${e.call}: transferred while queued in ${call.queue} (event ${e.id})`);
        this.disconnectAgent(call, e.agent);
        // The consulted agent joined without a call event; from here it is connected.
        if (e.to_agent !== undefined && !call.agents.includes(e.to_agent)) this.connectAgent(call, e.to_agent, e.call);
        return;
      case 'call.ended':
        if (call.ended) this.problem(`call ${e.call}: ended twice`);
        if (call.queue !== null) this.problem(`call ${e.call}: ended while its visit of ${call.queue} was never closed (event ${e.id})`);
        call.ended = true;
        this.open--;
        for (const a of [...call.agents]) this.disconnectAgent(call, a);
        return;
      case 'call.hold':
      case 'call.unhold':
        if (!call.agents.includes(e.agent)) this.problem(`call ${e.call}: ${e.type} by ${e.agent}, who is not on the call`);
        return;
      default:
        return;
    }
  }

  /** Summary after the last event. */
  report(): AuditReport {
    return { events: this.events, calls: this.callCount, openCalls: this.open, queues: this.figures, problems: this.problems, problemCount: this.problemCount };
  }

  private checkId(id: string): void {
    // Simulator ids are `<run>-<base-36 counter>`: a strictly increasing counter proves uniqueness without keeping every id.
    const dash = id.lastIndexOf('-');
    const seq = dash > 0 ? parseInt(id.slice(dash + 1), 36) : NaN;
    if (Number.isNaN(seq) || id.slice(dash + 1) !== seq.toString(36)) {
      if (this.seenIds.has(id)) this.problem(`event id ${id} is not unique`);
      this.seenIds.add(id);
      return;
    }
    const run = id.slice(0, dash);
    const last = this.lastSeq.get(run) ?? -1;
    if (seq <= last) this.problem(`event id ${id} is not unique (counter ${seq} after ${last})`);
    this.lastSeq.set(run, seq);
  }

  private agentTransition(agent: string, state: AgentStateName, id: string, login: boolean): void {
    const prev = this.agentState.get(agent) ?? 'logged_out';
    if (!(TRANSITIONS[prev] ?? []).includes(state)) this.problem(`agent ${agent}: illegal change ${prev} → ${state} (event ${id})`);
    if (prev === 'logged_out' && !login) this.problem(`agent ${agent}: sign-in without its queues (event ${id})`);
    if ((state === 'available' || state === 'not_ready' || state === 'logged_out') && this.agentCall.has(agent)) {
      this.problem(`agent ${agent}: ${state} while connected to call ${this.agentCall.get(agent)} (event ${id})`);
    }
    this.agentState.set(agent, state);
  }

  /** Whether the call has an open visit of `queue`; reports a problem if not. */
  private expectVisit(call: CallTrack, queue: string, e: CallboardEvent & { call: string }): boolean {
    if (call.queue === queue) return true;
    this.problem(`call ${e.call}: ${e.type} for queue ${queue} while ${call.queue === null ? 'not queued' : `queued in ${call.queue}`} (event ${e.id})`);
    return false;
  }

  private expectState(agent: string, state: AgentStateName, e: CallboardEvent): void {
    const actual = this.agentState.get(agent) ?? 'logged_out';
    if (actual !== state) this.problem(`agent ${agent}: ${e.type} while ${actual}, expected ${state} (event ${e.id})`);
  }

  private connectAgent(call: CallTrack, agent: string, callId: string): void {
    const holding = this.agentCall.get(agent);
    if (holding !== undefined && holding !== callId) this.problem(`agent ${agent}: connected to call ${callId} while holding call ${holding}`);
    const state = this.agentState.get(agent) ?? 'logged_out';
    if (state === 'logged_out' || state === 'not_ready' || state === 'acw') this.problem(`agent ${agent}: connected to call ${callId} while ${state}`);
    this.agentCall.set(agent, callId);
    call.agents.push(agent);
  }

  private disconnectAgent(call: CallTrack, agent: string): void {
    const i = call.agents.indexOf(agent);
    if (i < 0) {
      this.problem(`agent ${agent}: released from a call it was not on`);
      return;
    }
    call.agents.splice(i, 1);
    this.agentCall.delete(agent);
  }

  private exitQueue(call: CallTrack, ts: number, answered: boolean): void {
    const name = call.queue as string;
    const q = this.queue(name);
    const t = this.thresholds.get(name) ?? { slThresholdS: 20, shortAbandonS: 5 };
    const wait = ts - call.queuedAt;
    if (wait > q.maxWaitMs) q.maxWaitMs = wait;
    if (answered) {
      q.answered++;
      q.answeredWaitMs += wait;
      if (wait <= t.slThresholdS * 1000) q.answeredWithinSl++;
    } else {
      q.abandoned++;
      if (wait < t.shortAbandonS * 1000) q.shortAbandoned++;
    }
    if (name === this.sampleQueue) this.samples.push({ queuedAt: call.queuedAt, waitMs: wait, answered });
    call.queue = null;
  }

  private queue(name: string): QueueFigures {
    let q = this.figures.get(name);
    if (!q) {
      q = { offered: 0, answered: 0, abandoned: 0, shortAbandoned: 0, answeredWithinSl: 0, answeredWaitMs: 0, maxWaitMs: 0, overflowedOut: 0 };
      this.figures.set(name, q);
    }
    return q;
  }

  private problem(text: string): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(text);
  }
}
