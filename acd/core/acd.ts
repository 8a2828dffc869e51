/**
 * The ACD core: queues, agents and routing as a deterministic state machine.
 * Every input (a call arriving, an agent action, a timer firing) carries the
 * current time; the core changes its state, emits contract events and asks the
 * driver for timers. It reads no clock and does no I/O, so the same core runs
 * in real time or in simulated time (sim/, edges/).
 *
 * Timers are never cancelled: each carries a token (a sequence number of the
 * call or agent it belongs to) and is ignored if the token moved on meanwhile.
 */
import type { CallboardEvent, EventOf } from '../../schemas/events.ts';
import { ivrInput, ivrPlayed, ivrStart, type IvrDataSource, type IvrNext, type IvrOutcome } from '../ivr/engine.ts';
import { ivrStepEvent } from '../ivr/event.ts';
import type { IvrFlow } from '../ivr/nodes.ts';
import { Agent, Call, CallState, FLOW_OUT, Queue, type AcdConfig, type QueueEntry } from './model.ts';

export { FLOW_OUT } from './model.ts';

/** Timer kinds the core schedules through `AcdOutput.schedule` and expects back in `Acd.timer`. */
export const CoreTimer = {
  ringTimeout: 1,
  acwTimeout: 2,
  ivrTimeout: 3,
  ivrPlayed: 4,
  overflow: 5,
  maxWait: 6,
  callback: 7,
} as const;
/** Timer kinds below this value belong to the core. */
export const CORE_TIMER_LIMIT = 100;

/** An overflow due while nobody who could take the call is signed in at the target is tried again after this long. */
export const OVERFLOW_RETRY_MS = 30_000;

/** Where the core's effects go. */
export interface AcdOutput {
  /** A contract event, in emission order (timestamps never decrease). */
  emit(event: CallboardEvent): void;
  /** Call `Acd.timer(kind, ref, token, at)` at simulated/real time `at` (epoch ms). */
  schedule(at: number, kind: number, ref: object, token: number): void;
}

/** IVR prompt waiting for the caller. */
export type IvrPrompt = Extract<IvrNext, { kind: 'wait_input' }>;

/**
 * Notifications for whoever plays the callers and agents (the simulator; in a
 * real deployment, phones and desktops). They let the driver decide the next
 * human action; the core does not depend on any of them being acted upon.
 */
export interface AcdHooks {
  ivrPrompt(call: Call, prompt: IvrPrompt, now: number): void;
  /** The call entered a queue; for `new`, `transfer` and `callback` a new wait begins. Called after any immediate routing. */
  queued(call: Call, reason: QueueEntry, now: number): void;
  ringing(call: Call, agent: Agent, now: number): void;
  /** An agent is now talking to the caller (answer, or attended transfer completed). */
  connected(call: Call, agent: Agent, now: number): void;
  /** The call ended (`call.ended` was emitted). */
  released(call: Call, now: number): void;
  /** The agent entered after-call work for `call`. */
  acw(agent: Agent, call: Call, now: number): void;
  /** The agent entered not_ready with `reason` (possibly deferred from a request made while busy). */
  notReady(agent: Agent, reason: string, now: number): void;
}

/** Options of a new call. */
export interface OfferOptions {
  direction?: 'inbound' | 'outbound';
  from?: string;
  to?: string;
  site?: string;
  /** Run the call through this IVR flow first. */
  ivr?: IvrFlow;
  /** Without `ivr`: the queue the call goes to. */
  queue?: string;
  priority?: number;
}

interface CallbackRequest {
  queue: Queue;
  to: string | undefined;
  site: string | undefined;
}

export class Acd {
  readonly queues: Queue[];
  readonly agents: Agent[];
  private readonly queueByName = new Map<string, Queue>();
  private readonly agentById = new Map<string, Agent>();
  private idleHead: Agent | null = null;
  private idleTail: Agent | null = null;
  private eventSeq = 0;
  private callSeq = 0;
  /** Calls offered and not yet ended. */
  private readonly live = new Set<Call>();
  /** Callback requests that are due, waiting for a free agent of their queue; oldest first. */
  private readonly dueCallbacks: CallbackRequest[] = [];
  /** Set by `terminate`: the center is closing and dials no more callbacks. */
  private closing = false;
  private readonly prefix: string;
  private readonly ringMs: number | null;
  private readonly acwMs: number | null;

  constructor(
    private readonly config: AcdConfig,
    private readonly out: AcdOutput,
    private readonly hooks: AcdHooks,
    private readonly ivrData: IvrDataSource = { lookup: () => '' },
  ) {
    this.prefix = `${config.idPrefix}-`;
    this.ringMs = config.ringTimeoutS === null ? null : config.ringTimeoutS * 1000;
    this.acwMs = config.acw === null ? null : config.acw.timeoutS * 1000;
    this.queues = config.queues.map((q, i) => new Queue(q, i));
    for (const q of this.queues) {
      if (this.queueByName.has(q.name)) throw new Error(`queue ${q.name} is defined twice`);
      this.queueByName.set(q.name, q);
    }
    const reserved = new Set<string>(Object.values(FLOW_OUT));
    for (const q of this.queues) {
      if (reserved.has(q.name)) throw new Error(`queue name ${q.name} is reserved (a max-wait or closing flow-out)`);
      const { overflow, maxWait } = q.config;
      if (overflow) q.overflowTo = this.queue(overflow.to);
      if (maxWait) q.maxWaitQueue = maxWait.queue === undefined ? q : this.queue(maxWait.queue);
      const night = config.night;
      if (night && q.config.site !== night.site) q.nightQueue = this.counterpart(q, night.site);
    }
    this.agents = config.agents.map((a, i) => new Agent(a, i, this.queues.length));
    for (const agent of this.agents) {
      if (this.agentById.has(agent.id)) throw new Error(`agent ${agent.id} is defined twice`);
      this.agentById.set(agent.id, agent);
      this.assignQueues(agent);
    }
  }

  /** The queue named `name`; throws if there is none. */
  queue(name: string): Queue {
    const q = this.queueByName.get(name);
    if (!q) throw new Error(`unknown queue ${JSON.stringify(name)}`);
    return q;
  }

  /** The agent with id `id`; throws if there is none. */
  agent(id: string): Agent {
    const a = this.agentById.get(id);
    if (!a) throw new Error(`unknown agent ${JSON.stringify(id)}`);
    return a;
  }

  /** Number of events emitted so far. */
  get eventCount(): number {
    return this.eventSeq;
  }

  /** Calls offered and not yet ended. */
  get activeCalls(): number {
    return this.live.size;
  }

  /**
   * Closes the center at the end of a finite run: calls still waiting leave their
   * queue (`call.overflow` to `closed`) and, like calls still in the IVR, are ended by
   * the system; then talking calls are hung up by their agent and ringing calls
   * abandoned; after-call work is wrapped up; every agent signs out. No callback is
   * dialled any more.
   */
  terminate(now: number): void {
    this.closing = true;
    this.dueCallbacks.length = 0;
    // Waiting and IVR calls first, so no agent freed below picks one up.
    for (const call of [...this.live]) {
      if (call.state === CallState.waiting) {
        // The visit must still be closed: the call leaves its queue to the closing center.
        const q = call.queue as Queue;
        q.waiting.left();
        call.waitSeq++;
        this.emitOverflow(call, q.name, FLOW_OUT.closed, now);
        this.endCall(call, 'system', now);
      } else if (call.state === CallState.ivr) {
        call.ivrSeq++;
        this.endCall(call, 'system', now);
      }
    }
    for (const call of [...this.live]) {
      if (call.state === CallState.talking) {
        if (call.agent) this.hangup(call.agent, 'agent', now);
      } else if (call.state === CallState.ringing) {
        this.callerHangup(call, now);
      }
    }
    for (const agent of this.agents) {
      if (agent.state === 'acw') this.wrapUp(agent, undefined, now);
      this.logout(agent, now);
    }
  }

  // ---- calls -------------------------------------------------------------

  /** A new call reaches the center: `call.offered`, then the IVR flow or the queue. */
  offer(now: number, opts: OfferOptions): Call {
    const direction = opts.direction ?? 'inbound';
    // `<run>-c-<n>`: event ids are `<run>-<n>` with no second dash, so the two never meet.
    const call = new Call(`${this.prefix}c-${(this.callSeq++).toString(36)}`, direction, opts.from, opts.site);
    this.live.add(call);
    const ev: EventOf<'call.offered'> = { id: this.nextId(), type: 'call.offered', ts: Math.round(now), call: call.id, direction };
    if (opts.from !== undefined) ev.from = opts.from;
    if (opts.to !== undefined) ev.to = opts.to;
    this.emit(ev, call.site);
    if (opts.ivr) {
      call.ivrFlow = opts.ivr;
      const ctx = opts.from === undefined ? { now, call: call.id } : { now, call: call.id, from: opts.from };
      this.applyIvr(call, ivrStart(opts.ivr, ctx, this.ivrData), now);
    } else {
      if (opts.queue === undefined) throw new Error('offer: either ivr or queue is required');
      this.enterQueue(call, this.queue(opts.queue), opts.priority ?? 0, direction === 'outbound' ? 'callback' : 'new', now);
    }
    return call;
  }

  /** The caller answered an IVR prompt (`input`) or let it time out (`null`). Ignored unless the call is at a prompt. */
  ivrInput(call: Call, input: string | null, now: number): void {
    if (call.state !== CallState.ivr || call.ivr === null || call.ivrFlow === null || call.ivr.done) return;
    this.applyIvr(call, ivrInput(call.ivrFlow, call.ivr, input, { now }, this.ivrData), now);
  }

  /** The caller hung up, whatever the call was doing. */
  callerHangup(call: Call, now: number): void {
    switch (call.state) {
      case CallState.ivr:
        call.ivrSeq++;
        // A caller who heard the information asked for (balance, bill, outage notice) was
        // served by self-service: hanging up then is the normal end, not an abandon.
        if (call.ivr?.served !== true) this.emitAbandoned(call, 'ivr', now);
        this.endCall(call, 'caller', now);
        return;
      case CallState.waiting: {
        (call.queue as Queue).waiting.left();
        call.waitSeq++;
        this.emitAbandoned(call, 'queue', now);
        this.endCall(call, 'caller', now);
        return;
      }
      case CallState.ringing: {
        const agent = call.agent as Agent;
        agent.epoch++;
        agent.call = null;
        call.agent = null;
        this.emitAbandoned(call, 'ringing', now);
        this.endCall(call, 'caller', now);
        this.makeAvailable(agent, now);
        return;
      }
      case CallState.talking: {
        const agent = call.agent as Agent;
        this.releaseConsulted(agent, now);
        if (call.held) this.emitHold(call, agent, false, now);
        this.endCall(call, 'caller', now);
        this.afterCall(agent, call, now);
        return;
      }
      default:
        return;
    }
  }

  /** Records a post-call survey answer for a call. */
  survey(call: Call, score: number, resolved: boolean | undefined, now: number): void {
    const ev: EventOf<'call.survey'> = { id: this.nextId(), type: 'call.survey', ts: Math.round(now), call: call.id, score };
    if (resolved !== undefined) ev.resolved = resolved;
    this.emit(ev, call.site);
  }

  // ---- agents ------------------------------------------------------------

  /** Signs the agent in (available); cancels a pending sign-out if the agent is still busy. */
  login(agent: Agent, now: number): void {
    if (agent.state !== 'logged_out') {
      agent.pendingLogout = false;
      return;
    }
    this.makeAvailable(agent, now, true);
  }

  /** Signs the agent out now, or after the current call and its wrap-up. */
  logout(agent: Agent, now: number): void {
    switch (agent.state) {
      case 'logged_out':
        return;
      case 'available':
      case 'not_ready':
        this.removeIdle(agent);
        agent.pendingReason = null;
        this.setState(agent, 'logged_out', undefined, now);
        return;
      default:
        agent.pendingLogout = true;
    }
  }

  /** Not ready with a reason code (break, manual_busy, …): now, or after the current call. */
  notReady(agent: Agent, reason: string, now: number): void {
    switch (agent.state) {
      case 'logged_out':
        return;
      case 'available':
        this.removeIdle(agent);
        this.enterNotReady(agent, reason, now);
        return;
      case 'not_ready':
        if (agent.reason !== reason) this.enterNotReady(agent, reason, now);
        return;
      default:
        agent.pendingReason = reason;
    }
  }

  /** Back to available from not_ready; while busy, withdraws a pending not-ready request. */
  ready(agent: Agent, now: number): void {
    if (agent.state === 'not_ready') this.makeAvailable(agent, now);
    else agent.pendingReason = null;
  }

  /** The ringing agent picks up. Returns false if the agent was not ringing. */
  answer(agent: Agent, now: number): boolean {
    if (agent.state !== 'ringing' || agent.call === null) return false;
    agent.epoch++;
    this.connect(agent.call, agent, now, true);
    return true;
  }

  hold(agent: Agent, now: number): void {
    const call = agent.call;
    if (agent.state === 'on_call' && call && call.agent === agent && !call.held) this.emitHold(call, agent, true, now);
  }

  unhold(agent: Agent, now: number): void {
    const call = agent.call;
    if (agent.state === 'on_call' && call && call.agent === agent && call.held && agent.consulting === null) {
      this.emitHold(call, agent, false, now);
    }
  }

  /** The conversation ends, released by `by`; the agent goes to after-call work (or available). */
  hangup(agent: Agent, by: 'agent' | 'caller', now: number): void {
    const call = agent.call;
    if (agent.state !== 'on_call' || call === null || call.agent !== agent) return;
    this.releaseConsulted(agent, now);
    if (call.held) this.emitHold(call, agent, false, now);
    this.endCall(call, by, now);
    this.afterCall(agent, call, now);
  }

  /** After-call work done, with an optional disposition code. */
  wrapUp(agent: Agent, code: string | undefined, now: number): void {
    const call = agent.call;
    if (agent.state !== 'acw' || call === null) return;
    const ev: EventOf<'call.wrapup'> = { id: this.nextId(), type: 'call.wrapup', ts: Math.round(now), call: call.id, agent: agent.id };
    if (code !== undefined) ev.code = code;
    this.emit(ev, call.site);
    agent.call = null;
    agent.epoch++;
    this.makeAvailable(agent, now);
  }

  /** Blind transfer of the agent's call to a queue: a new offer there; the agent's part ends. */
  transferBlind(agent: Agent, queueName: string, now: number): void {
    const call = agent.call;
    if (agent.state !== 'on_call' || call === null || call.agent !== agent || agent.consulting !== null) return;
    const target = this.queue(queueName);
    if (call.held) this.emitHold(call, agent, false, now);
    this.emitTransferred(call, agent, { to_queue: target.name, kind: 'blind' }, now);
    call.agent = null;
    // The call is queued before the agent is freed so it cannot land straight back on the same agent.
    this.enterQueue(call, target, call.priority, 'transfer', now);
    this.afterCall(agent, call, now);
  }

  /**
   * Attended transfer, first half: the caller goes on hold while the agent consults a
   * free agent of `queueName`. Returns false (nothing changes) when no agent is free.
   */
  consult(agent: Agent, queueName: string, now: number): boolean {
    const call = agent.call;
    if (agent.state !== 'on_call' || call === null || call.agent !== agent || agent.consulting !== null) return false;
    const target = this.pickAgent(this.queue(queueName));
    if (target === null) return false;
    if (!call.held) this.emitHold(call, agent, true, now);
    this.removeIdle(target);
    target.call = call;
    target.consultedBy = agent;
    agent.consulting = target;
    this.setState(target, 'on_call', undefined, now);
    return true;
  }

  private emitTransferred(
    call: Call,
    agent: Agent,
    to: { to_queue: string; kind: 'blind' } | { to_agent: string; kind: 'attended' },
    now: number,
  ): void {
    const ev: EventOf<'call.transferred'> = { id: this.nextId(), type: 'call.transferred', ts: Math.round(now), call: call.id, agent: agent.id, ...to };
    this.emit(ev, call.site);
    call.transfers++;
  }

  /** Attended transfer, second half: the consulted agent takes the caller; the first agent's part ends. */
  completeTransfer(agent: Agent, now: number): void {
    const target = agent.consulting;
    const call = agent.call;
    if (target === null || call === null) return;
    agent.consulting = null;
    target.consultedBy = null;
    this.emitHold(call, agent, false, now);
    this.emitTransferred(call, agent, { to_agent: target.id, kind: 'attended' }, now);
    call.agent = target;
    call.answers++;
    // No queue: the call's queue figures stay with the queue that first answered it.
    const answered: EventOf<'call.answered'> = { id: this.nextId(), type: 'call.answered', ts: Math.round(now), call: call.id, agent: target.id };
    this.emit(answered, call.site);
    this.hooks.connected(call, target, now);
    this.afterCall(agent, call, now);
  }

  /** The agent asks a supervisor for help (about the current call, if any). */
  help(agent: Agent, now: number): void {
    if (agent.state === 'logged_out') return;
    const ev: EventOf<'agent.help'> = { id: this.nextId(), type: 'agent.help', ts: Math.round(now), agent: agent.id };
    if (agent.call !== null) ev.call = agent.call.id;
    this.emit(ev, agent.config.site);
  }

  // ---- timers ------------------------------------------------------------

  /** A timer the core scheduled has come due. Stale timers (token moved on) do nothing. */
  timer(kind: number, ref: object, token: number, now: number): void {
    switch (kind) {
      case CoreTimer.ringTimeout:
        this.ringNoAnswer(ref as Agent, token, now);
        return;
      case CoreTimer.acwTimeout: {
        const agent = ref as Agent;
        if (agent.epoch === token) this.wrapUp(agent, undefined, now);
        return;
      }
      case CoreTimer.ivrTimeout: {
        const call = ref as Call;
        if (call.ivrSeq === token) this.ivrInput(call, null, now);
        return;
      }
      case CoreTimer.ivrPlayed: {
        const call = ref as Call;
        if (call.ivrSeq === token && call.state === CallState.ivr && call.ivr && call.ivrFlow) {
          this.applyIvr(call, ivrPlayed(call.ivrFlow, call.ivr, { now }, this.ivrData), now);
        }
        return;
      }
      case CoreTimer.overflow:
        this.overflow(ref as Call, token, now);
        return;
      case CoreTimer.maxWait:
        this.maxWait(ref as Call, token, now);
        return;
      case CoreTimer.callback:
        this.callbackDue(ref as CallbackRequest, now);
        return;
      default:
        throw new Error(`unknown core timer kind ${kind}`);
    }
  }

  // ---- internals ---------------------------------------------------------

  private nextId(): string {
    return this.prefix + (this.eventSeq++).toString(36);
  }

  private emit(ev: CallboardEvent, site: string | undefined): void {
    if (site !== undefined) ev.site = site;
    this.out.emit(ev);
  }

  private assignQueues(agent: Agent): void {
    const { config } = agent;
    const explicit = config.queues;
    for (const q of this.queues) {
      const skills = q.config.skills;
      let serves: boolean;
      if (explicit) serves = explicit.includes(q.name);
      else serves = skills.length > 0 && q.config.site === config.site && skills.every((s) => (config.skills[s] ?? 0) > 0);
      if (!serves) continue;
      agent.serves[q.index] = 1;
      agent.proficiency[q.index] = skills.reduce((sum, s) => sum + (config.skills[s] ?? 0), 0);
      agent.queues.push(q);
      q.agents.push(agent);
    }
    if (explicit) {
      for (const name of explicit) this.queue(name);
    }
  }

  private applyIvr(call: Call, outcome: IvrOutcome, now: number): void {
    call.ivr = outcome.state;
    call.ivrSeq++;
    const ts = Math.round(now);
    for (const step of outcome.steps) this.emit(ivrStepEvent(step, { id: this.nextId(), ts, call: call.id }), call.site);
    const next = outcome.next;
    switch (next.kind) {
      case 'wait_input':
        call.state = CallState.ivr;
        this.out.schedule(now + next.timeoutS * 1000, CoreTimer.ivrTimeout, call, call.ivrSeq);
        this.hooks.ivrPrompt(call, next, now);
        return;
      case 'play':
        call.state = CallState.ivr;
        this.out.schedule(now + next.durationS * 1000, CoreTimer.ivrPlayed, call, call.ivrSeq);
        return;
      case 'queue':
        this.enterQueue(call, this.localQueue(this.queue(next.queue), call.site), next.priority, 'new', now);
        return;
      case 'voicemail':
        this.endCall(call, 'caller', now);
        return;
      case 'callback':
        this.requestCallback(call, this.localQueue(this.queue(next.queue), call.site), now);
        this.endCall(call, 'system', now);
        return;
      case 'transfer':
      case 'hangup':
        this.endCall(call, 'system', now);
        return;
    }
  }

  private enterQueue(call: Call, queue: Queue, priority: number, reason: QueueEntry, now: number): void {
    const q = reason === 'overflow' ? queue : this.nightRoute(queue, now);
    call.queue = q;
    if (q.config.site !== undefined) call.site = q.config.site;
    call.priority = priority;
    if (reason !== 'overflow') {
      // A new wait begins (new call, transfer, callback); an overflowed call keeps its start.
      call.enteredAt = now;
      call.overflowedFrom = null;
    }
    call.queuedAt = now;
    call.state = CallState.waiting;
    call.waitSeq++;
    const ev: EventOf<'call.queued'> = { id: this.nextId(), type: 'call.queued', ts: Math.round(now), call: call.id, queue: q.name };
    if (priority !== 0) ev.priority = priority;
    this.emit(ev, call.site);
    const agent = q.waiting.count === 0 ? this.pickAgent(q) : null;
    if (agent !== null) {
      this.deliver(call, agent, now);
    } else {
      q.waiting.add(call, reason === 'overflow' ? 'age' : 'back');
      this.armQueueTimers(call, q, now);
    }
    this.hooks.queued(call, reason, now);
  }

  /**
   * Night mode: while it is active, a call for a queue of another site goes to the
   * queue of the same service at the night site, unless nobody who serves that queue
   * is signed in there (then it stays where it was sent).
   */
  private nightRoute(q: Queue, now: number): Queue {
    const target = q.nightQueue;
    if (target === null || target.signedIn === 0) return q;
    return (this.config.night as NonNullable<AcdConfig['night']>).active(now) ? target : q;
  }

  /**
   * The queue an IVR sends a call to: a call that entered at a site (the number it
   * dialled belongs to that site) goes to that site's queue of the same service, if
   * there is one and someone who serves it is signed in; otherwise to the queue the
   * flow names.
   */
  private localQueue(q: Queue, site: string | undefined): Queue {
    if (site === undefined || q.config.site === undefined || q.config.site === site) return q;
    const local = this.counterpart(q, site);
    return local !== null && local.signedIn > 0 ? local : q;
  }

  /** The queue of the same service at `site`. */
  private counterpart(q: Queue, site: string): Queue | null {
    const service = q.config.service ?? q.name;
    for (const other of this.queues) {
      if (other.config.site === site && (other.config.service ?? other.name) === service) return other;
    }
    return null;
  }

  /**
   * Overflow counts from the call's entry into this queue; max wait from the start
   * of its wait (an overflowed caller does not start over). Outbound callbacks are
   * exempt from both: the customer was called back, there is nowhere else to send them.
   */
  private armQueueTimers(call: Call, q: Queue, now: number): void {
    if (call.direction === 'outbound') return;
    const { overflow, maxWait } = q.config;
    if (overflow) this.out.schedule(Math.max(now, call.queuedAt + overflow.afterS * 1000), CoreTimer.overflow, call, call.waitSeq);
    if (maxWait) this.out.schedule(Math.max(now, call.enteredAt + maxWait.afterS * 1000), CoreTimer.maxWait, call, call.waitSeq);
  }

  /** A free agent for queue `q` by the queue's strategy, or null. */
  private pickAgent(q: Queue): Agent | null {
    const qi = q.index;
    switch (q.config.strategy) {
      case 'longest_idle':
        for (let a = this.idleHead; a !== null; a = a.nextIdle) if (a.serves[qi] === 1) return a;
        return null;
      case 'most_skilled': {
        let best: Agent | null = null;
        for (let a = this.idleHead; a !== null; a = a.nextIdle) {
          if (a.serves[qi] === 1 && (best === null || (a.proficiency[qi] as number) > (best.proficiency[qi] as number))) best = a;
        }
        return best;
      }
      case 'round_robin': {
        const n = q.agents.length;
        for (let k = 1; k <= n; k++) {
          const i = (q.rr + k) % n;
          const a = q.agents[i] as Agent;
          if (a.state === 'available') {
            q.rr = i;
            return a;
          }
        }
        return null;
      }
    }
  }

  /** The waiting call a newly free agent should take: highest priority, then longest in its queue. */
  private bestCallFor(agent: Agent): Call | null {
    let best: Call | null = null;
    for (const q of agent.queues) {
      const c = q.waiting.peek();
      if (c !== null && (best === null || c.priority > best.priority || (c.priority === best.priority && c.enteredAt < best.enteredAt))) best = c;
    }
    return best;
  }

  /** Hands a call (no longer in a wait list) to a free agent: ring it, or connect at once without ringing. */
  private deliver(call: Call, agent: Agent, now: number): void {
    this.removeIdle(agent);
    call.agent = agent;
    call.waitSeq++;
    agent.call = call;
    if (this.ringMs === null) {
      this.connect(call, agent, now, true);
      return;
    }
    call.state = CallState.ringing;
    const q = call.queue as Queue;
    const ev: EventOf<'call.ringing'> = { id: this.nextId(), type: 'call.ringing', ts: Math.round(now), call: call.id, queue: q.name, agent: agent.id };
    this.emit(ev, call.site);
    this.setState(agent, 'ringing', undefined, now);
    agent.epoch++;
    this.out.schedule(now + this.ringMs, CoreTimer.ringTimeout, agent, agent.epoch);
    this.hooks.ringing(call, agent, now);
  }

  private connect(call: Call, agent: Agent, now: number, fromQueue: boolean): void {
    call.state = CallState.talking;
    call.answers++;
    const ev: EventOf<'call.answered'> = { id: this.nextId(), type: 'call.answered', ts: Math.round(now), call: call.id, agent: agent.id };
    if (fromQueue && call.queue !== null) ev.queue = call.queue.name;
    this.emit(ev, call.site);
    this.setState(agent, 'on_call', undefined, now);
    this.hooks.connected(call, agent, now);
  }

  private ringNoAnswer(agent: Agent, token: number, now: number): void {
    if (agent.epoch !== token || agent.state !== 'ringing' || agent.call === null) return;
    const call = agent.call;
    const q = call.queue as Queue;
    const ev: EventOf<'call.ring_noanswer'> = { id: this.nextId(), type: 'call.ring_noanswer', ts: Math.round(now), call: call.id, queue: q.name, agent: agent.id };
    this.emit(ev, call.site);
    agent.call = null;
    call.agent = null;
    agent.epoch++;
    if (agent.pendingLogout) {
      agent.pendingLogout = false;
      agent.pendingReason = null;
      this.setState(agent, 'logged_out', undefined, now);
    } else {
      // A break asked for while ringing stays pending: it starts when the agent is ready again.
      this.enterNotReady(agent, this.config.ringNoAnswerReason, now);
    }
    // Back to the head of its queue: it keeps its entry times (and its wait, as measured from call.queued).
    call.state = CallState.waiting;
    call.waitSeq++;
    q.waiting.add(call, 'front');
    this.armQueueTimers(call, q, now);
    this.hooks.queued(call, 'requeue', now);
    this.serveQueue(q, now);
  }

  private overflow(call: Call, token: number, now: number): void {
    if (call.state !== CallState.waiting || call.waitSeq !== token || call.queue === null) return;
    const from = call.queue;
    // In night mode the target is routed like a new call: no overflow back to the day site.
    const to = this.nightRoute(from.overflowTo as Queue, now);
    // Never back into a queue this wait already overflowed from (no ping-pong between sites).
    if (call.overflowedFrom !== null && call.overflowedFrom.includes(to)) return;
    if (to === from || to.signedIn === 0) {
      // Nobody there could take it: it keeps its place here; look again later.
      this.out.schedule(now + OVERFLOW_RETRY_MS, CoreTimer.overflow, call, call.waitSeq);
      return;
    }
    from.waiting.left();
    call.waitSeq++;
    (call.overflowedFrom ??= []).push(from);
    this.emitOverflow(call, from.name, to.name, now);
    this.enterQueue(call, to, call.priority, 'overflow', now);
  }

  /** Max wait: the call leaves its queue (`call.overflow` to voicemail or callback), then the IVR step, then the end. */
  private maxWait(call: Call, token: number, now: number): void {
    if (call.state !== CallState.waiting || call.waitSeq !== token || call.queue === null || call.direction === 'outbound') return;
    const q = call.queue;
    const action = q.config.maxWait?.action ?? 'voicemail';
    q.waiting.left();
    call.waitSeq++;
    this.emitOverflow(call, q.name, FLOW_OUT[action], now);
    const ev: EventOf<'call.ivr'> = { id: this.nextId(), type: 'call.ivr', ts: Math.round(now), call: call.id, node: `max_wait_${action}` };
    this.emit(ev, call.site);
    if (action === 'callback') {
      this.requestCallback(call, q.maxWaitQueue ?? q, now);
      this.endCall(call, 'system', now);
    } else {
      this.endCall(call, 'caller', now);
    }
  }

  private requestCallback(call: Call, queue: Queue, now: number): void {
    const req: CallbackRequest = { queue, to: call.from, site: call.site };
    this.out.schedule(now + this.config.callbackDelayS * 1000, CoreTimer.callback, req, 0);
  }

  /**
   * A callback request is due. Like a progressive dialer, the center calls the customer
   * only when an agent who could take the call is free; otherwise the request waits
   * (oldest first) and the next agent of its queue who becomes free with no inbound
   * call waiting dials it. Callbacks thus never queue behind each other, and requests
   * made overnight are placed one per free agent, not in one burst.
   */
  private callbackDue(req: CallbackRequest, now: number): void {
    if (this.closing) return;
    const q = this.nightRoute(req.queue, now);
    if (this.hasFreeAgent(q)) this.dial(req, q, now);
    else this.dueCallbacks.push(req);
  }

  /** Whether an agent who serves `q` is free (without moving round robin on, unlike `pickAgent`). */
  private hasFreeAgent(q: Queue): boolean {
    for (let a = this.idleHead; a !== null; a = a.nextIdle) if (a.serves[q.index] === 1) return true;
    return false;
  }

  /** Dials the oldest due callback that `agent` (free, with nothing waiting) could take. Returns whether one was dialled. */
  private dialFor(agent: Agent, now: number): boolean {
    const list = this.dueCallbacks;
    for (let i = 0; i < list.length; i++) {
      const req = list[i] as CallbackRequest;
      const q = this.nightRoute(req.queue, now);
      if (agent.serves[q.index] !== 1) continue;
      list.splice(i, 1);
      this.dial(req, q, now);
      return true;
    }
    return false;
  }

  /** The outbound call of a callback, queued in `q` (already routed) and marked with that queue's site. */
  private dial(req: CallbackRequest, q: Queue, now: number): void {
    const opts: OfferOptions = { direction: 'outbound', queue: q.name, priority: this.config.callbackPriority };
    if (req.to !== undefined) opts.to = req.to;
    const site = q.config.site ?? req.site;
    if (site !== undefined) opts.site = site;
    this.offer(now, opts);
  }

  /** Routes waiting calls of `q` to free agents while both exist. */
  private serveQueue(q: Queue, now: number): void {
    for (let call = q.waiting.peek(); call !== null; call = q.waiting.peek()) {
      const agent = this.pickAgent(q);
      if (agent === null) return;
      q.waiting.take();
      this.deliver(call, agent, now);
    }
  }

  private endCall(call: Call, by: 'caller' | 'agent' | 'system', now: number): void {
    call.endedTalking = call.state === CallState.talking;
    call.state = CallState.ended;
    this.live.delete(call);
    const ev: EventOf<'call.ended'> = { id: this.nextId(), type: 'call.ended', ts: Math.round(now), call: call.id, by };
    this.emit(ev, call.site);
    this.hooks.released(call, now);
  }

  /** The agent's part of `call` is over: after-call work, or straight to the next state. */
  private afterCall(agent: Agent, call: Call, now: number): void {
    if (this.acwMs === null) {
      agent.call = null;
      this.makeAvailable(agent, now);
      return;
    }
    agent.call = call;
    this.setState(agent, 'acw', undefined, now);
    agent.epoch++;
    this.out.schedule(now + this.acwMs, CoreTimer.acwTimeout, agent, agent.epoch);
    this.hooks.acw(agent, call, now);
  }

  /** Ends a consultation the agent had open (the caller hung up): the consulted agent is free again. */
  private releaseConsulted(agent: Agent, now: number): void {
    const target = agent.consulting;
    if (target === null) return;
    agent.consulting = null;
    target.consultedBy = null;
    target.call = null;
    this.makeAvailable(target, now);
  }

  /**
   * The agent has nothing to do: apply a pending sign-out or not-ready request,
   * otherwise become available and take the best waiting call, if any.
   */
  private makeAvailable(agent: Agent, now: number, login = false): void {
    if (agent.pendingLogout) {
      agent.pendingLogout = false;
      agent.pendingReason = null;
      this.setState(agent, 'logged_out', undefined, now);
      return;
    }
    if (agent.pendingReason !== null) {
      const reason = agent.pendingReason;
      agent.pendingReason = null;
      this.enterNotReady(agent, reason, now);
      return;
    }
    this.setState(agent, 'available', undefined, now, login);
    const call = this.bestCallFor(agent);
    if (call !== null) {
      (call.queue as Queue).waiting.take();
      this.deliver(call, agent, now);
    } else {
      this.addIdle(agent, now);
      if (this.dueCallbacks.length > 0 && !this.closing) this.dialFor(agent, now);
    }
  }

  private enterNotReady(agent: Agent, reason: string, now: number): void {
    this.setState(agent, 'not_ready', reason, now);
    this.hooks.notReady(agent, reason, now);
  }

  private setState(agent: Agent, state: Agent['state'], reason: string | undefined, now: number, login = false): void {
    if ((agent.state === 'logged_out') !== (state === 'logged_out')) {
      const d = state === 'logged_out' ? -1 : 1;
      for (const q of agent.queues) q.signedIn += d;
    }
    agent.state = state;
    agent.reason = reason;
    const ev: EventOf<'agent.state'> = { id: this.nextId(), type: 'agent.state', ts: Math.round(now), agent: agent.id, state };
    if (reason !== undefined) ev.reason = reason;
    if (login) ev.queues = agent.queues.map((q) => q.name);
    this.emit(ev, agent.config.site);
  }

  private emitAbandoned(call: Call, stage: 'ivr' | 'queue' | 'ringing', now: number): void {
    const ev: EventOf<'call.abandoned'> = { id: this.nextId(), type: 'call.abandoned', ts: Math.round(now), call: call.id, stage };
    if (stage !== 'ivr' && call.queue !== null) ev.queue = call.queue.name;
    this.emit(ev, call.site);
  }

  private emitOverflow(call: Call, from: string, to: string, now: number): void {
    const ev: EventOf<'call.overflow'> = { id: this.nextId(), type: 'call.overflow', ts: Math.round(now), call: call.id, from_queue: from, to_queue: to };
    this.emit(ev, call.site);
  }

  private emitHold(call: Call, agent: Agent, hold: boolean, now: number): void {
    call.held = hold;
    const ev: EventOf<'call.hold'> | EventOf<'call.unhold'> = {
      id: this.nextId(),
      type: hold ? 'call.hold' : 'call.unhold',
      ts: Math.round(now),
      call: call.id,
      agent: agent.id,
    };
    this.emit(ev, call.site);
  }

  // Free agents form one list ordered by the time they became free: its head is the longest idle.
  private addIdle(agent: Agent, now: number): void {
    agent.idleSince = now;
    agent.inIdle = true;
    agent.prevIdle = this.idleTail;
    agent.nextIdle = null;
    if (this.idleTail) this.idleTail.nextIdle = agent;
    else this.idleHead = agent;
    this.idleTail = agent;
  }

  private removeIdle(agent: Agent): void {
    if (!agent.inIdle) return;
    agent.inIdle = false;
    if (agent.prevIdle) agent.prevIdle.nextIdle = agent.nextIdle;
    else this.idleHead = agent.nextIdle;
    if (agent.nextIdle) agent.nextIdle.prevIdle = agent.prevIdle;
    else this.idleTail = agent.prevIdle;
    agent.prevIdle = null;
    agent.nextIdle = null;
  }
}
