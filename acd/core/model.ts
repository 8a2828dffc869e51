/**
 * Configuration and live state of the ACD core. State objects are mutable and
 * owned by the `Acd` instance; drivers (simulator, tests) read them, never write.
 */
import type { AgentStateName } from '../../schemas/events.ts';
import type { IvrCallState } from '../ivr/engine.ts';
import type { IvrFlow } from '../ivr/nodes.ts';
import { CallState, type CallStateCode } from './call-state.ts';
import { WaitList } from './waitlist.ts';

export { CallState, type CallStateCode } from './call-state.ts';

/** How a queue picks among several free agents. */
export type Strategy = 'longest_idle' | 'most_skilled' | 'round_robin';
export const STRATEGIES: readonly Strategy[] = ['longest_idle', 'most_skilled', 'round_robin'];

/**
 * `to_queue` of the `call.overflow` that closes a queue visit without an agent or an
 * abandon: max wait sends the caller to voicemail or registers a callback; `closed`
 * is the center closing at the end of a finite run with the call still waiting.
 * These names are reserved: no queue may be called so.
 */
export const FLOW_OUT = { voicemail: 'voicemail', callback: 'callback', closed: 'closed' } as const;

/** What happens to a call that waited `max_wait` in a queue. */
export type MaxWaitAction = 'callback' | 'voicemail';

export interface QueueConfig {
  name: string;
  site?: string;
  /** Queues of the same service at different sites are each other's night-mode counterparts (defaults to the name). */
  service?: string;
  /** Skills an agent needs (all of them) to serve this queue when the agent lists no explicit queues. */
  skills: readonly string[];
  slThresholdS: number;
  shortAbandonS: number;
  strategy: Strategy;
  /** Move a call that waited `afterS` to queue `to` (at this or another site). */
  overflow?: { afterS: number; to: string };
  /** After `afterS` in this queue the call leaves to voicemail or a callback request (queued to `queue`, default this one). */
  maxWait?: { afterS: number; action: MaxWaitAction; queue?: string };
}

export interface AgentConfig {
  id: string;
  site?: string;
  /** skill → proficiency (1 = basic … 10 = expert) */
  skills: Readonly<Record<string, number>>;
  /** Explicit queue list; otherwise every queue of the agent's site whose skills the agent has. */
  queues?: readonly string[];
}

export interface AcdConfig {
  queues: readonly QueueConfig[];
  agents: readonly AgentConfig[];
  /** Prefix of event and call ids: unique per run (e.g. seed + start), so ids never collide across runs. */
  idPrefix: string;
  /**
   * Seconds an agent may ring before ring-no-answer. `null`: no ringing at all, a
   * routed call is answered at once (the M/M/c model: the agent's busy time is the handle time).
   */
  ringTimeoutS: number | null;
  /** After-call work: `null` sends agents straight back to available; otherwise ACW ends after at most `timeoutS`. */
  acw: { timeoutS: number } | null;
  /** Seconds between a callback request and the outbound call to the customer. */
  callbackDelayS: number;
  /** Priority of outbound callback calls in their queue. */
  callbackPriority: number;
  /** Night mode: while `active(now)`, calls entering a queue of another site go to this site's queue of the same service. */
  night?: { site: string; active(now: number): boolean };
  /** Reason code of the not_ready state after a ring-no-answer. */
  ringNoAnswerReason: string;
}

/** Why a call entered a queue, told to the driver (a caller's patience starts on `new` and `transfer`). */
export type QueueEntry = 'new' | 'overflow' | 'requeue' | 'transfer' | 'callback';

export class Queue {
  readonly waiting = new WaitList<Queue, Call>(this);
  /** Agents serving this queue, in configuration order (round robin walks it). */
  readonly agents: Agent[] = [];
  /** Index in `agents` of the agent last given a call by round robin. */
  rr = -1;
  overflowTo: Queue | null = null;
  maxWaitQueue: Queue | null = null;
  /** Night mode: the queue of the same service at the night site (null: none, or this queue is there). */
  nightQueue: Queue | null = null;
  /** Agents serving this queue who are signed in (any state but logged_out). */
  signedIn = 0;

  constructor(
    readonly config: QueueConfig,
    readonly index: number,
  ) {}

  get name(): string {
    return this.config.name;
  }
}

export class Agent {
  state: AgentStateName = 'logged_out';
  reason: string | undefined = undefined;
  call: Call | null = null;
  /** When the agent last became available (longest-idle order). */
  idleSince = 0;
  prevIdle: Agent | null = null;
  nextIdle: Agent | null = null;
  inIdle = false;
  /** Bumped whenever a pending agent timer (ring, ACW) must be ignored. */
  epoch = 0;
  pendingLogout = false;
  pendingReason: string | null = null;
  /** The agent this one consults for an attended transfer (caller on hold). */
  consulting: Agent | null = null;
  /** Set on the consulted agent: who is consulting it. */
  consultedBy: Agent | null = null;
  /** Queues served, and per queue index whether served / proficiency. */
  readonly queues: Queue[] = [];
  readonly serves: Uint8Array;
  readonly proficiency: Float64Array;

  constructor(
    readonly config: AgentConfig,
    readonly index: number,
    queueCount: number,
  ) {
    this.serves = new Uint8Array(queueCount);
    this.proficiency = new Float64Array(queueCount);
  }

  get id(): string {
    return this.config.id;
  }
}

/** A call known to the core. */
export class Call {
  state: CallStateCode = CallState.ivr;
  site: string | undefined;
  queue: Queue | null = null;
  priority = 0;
  /**
   * Simulated ms when the current wait began: the first call.queued of a new call, a
   * transfer or a callback. An overflow keeps it, so the call keeps its place in time
   * in the target queue and its max-wait clock runs on.
   */
  enteredAt = 0;
  /** Simulated ms of the call.queued in the current queue (the overflow timer counts from it). */
  queuedAt = 0;
  /** Queues the call left by overflow during the current wait: it never overflows back into one. */
  overflowedFrom: Queue[] | null = null;
  /** Bumped on every queue entry and exit: names the live wait-list entry and queue timers. */
  waitSeq = 0;
  agent: Agent | null = null;
  /** Number of agents that answered it (a transfer adds one); the driver uses it to drop stale caller timers. */
  answers = 0;
  transfers = 0;
  held = false;
  ivrFlow: IvrFlow | null = null;
  ivr: IvrCallState | null = null;
  /** Bumped on every IVR step: names the pending IVR timer. */
  ivrSeq = 0;
  /** Set when the call ends: whether it was connected to an agent at that moment (it ended answered). */
  endedTalking = false;

  constructor(
    readonly id: string,
    readonly direction: 'inbound' | 'outbound',
    readonly from: string | undefined,
    site: string | undefined,
  ) {
    this.site = site;
  }
}
