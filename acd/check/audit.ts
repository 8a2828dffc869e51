/**
 * The simulator's self-check: the feed audit's lifecycle rules (schemas/feed-audit/lifecycle.ts,
 * the same rules `npm run check-feed` and the feed-health view apply to any PBX's feed),
 * run over the ACD's stream as it is produced, plus what only a single in-order stream
 * can promise and the queue figures measured from it:
 * - every event validates against contract v1 and ids are unique;
 * - time never goes backwards (one clock, one stream);
 * - each sign-in carries the agent's queues;
 * - per queue: offered, answered, abandoned and waits measured as DESIGN.md's
 *   metric definitions say (call.queued → call.answered / call.abandoned, in ms).
 * Problems read `<code>: <message> (event <id>)`, with the codes of the feed audit
 * (`time_backwards` and `sign_in_without_queues` are the stream's own).
 */
import type { AgentStateName, CallboardEvent } from '../../schemas/events.ts';
import { LifecycleChecker, type LifecycleProblem } from '../../schemas/feed-audit/index.ts';
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

const MAX_PROBLEMS = 50;

export class EventAuditor {
  private readonly validate: boolean;
  private readonly thresholds: ReadonlyMap<string, QueueThresholds>;
  private readonly sampleQueue: string | undefined;
  private readonly lifecycle: LifecycleChecker;
  private readonly signedOut = new Set<string>();
  private readonly seenAgents = new Set<string>();
  private readonly figures = new Map<string, QueueFigures>();
  private readonly lastSeq = new Map<string, number>();
  private readonly seenIds = new Set<string>();
  private lastTs = -Infinity;
  private current = '';
  private events = 0;
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
    this.lifecycle = new LifecycleChecker((p) => this.lifecycleProblem(p), {
      queued: (queue) => this.queue(queue).offered++,
      exited: (queue, queuedAt, ts, answered) => this.exitQueue(queue, queuedAt, ts, answered),
      overflowed: (queue) => this.queue(queue).overflowedOut++,
    });
  }

  /** Feeds the next event of the stream. */
  add(raw: CallboardEvent): void {
    this.events++;
    this.current = raw.id;
    if (this.validate) {
      const r = validateEvent(raw, SIMULATED_TIME_LIMITS);
      if (!r.ok) this.problem('invalid_event', r.error);
    }
    this.checkId(raw.id);
    const ts = parseTimestamp(raw.ts);
    if (ts < this.lastTs) this.problem('time_backwards', `ts ${ts} < ${this.lastTs}`);
    this.lastTs = ts;
    if (raw.type === 'agent.state') this.checkSignIn(raw.agent, raw.state as AgentStateName, raw.queues !== undefined);
    this.lifecycle.add({ event: raw, ts });
  }

  /** Summary after the last event. */
  report(): AuditReport {
    this.lifecycle.settleTies();
    return {
      events: this.events,
      calls: this.lifecycle.callsSeen,
      openCalls: this.lifecycle.openCalls,
      queues: this.figures,
      problems: this.problems,
      problemCount: this.problemCount,
    };
  }

  private checkId(id: string): void {
    // Simulator ids are `<run>-<base-36 counter>`: a strictly increasing counter proves uniqueness without keeping every id.
    const dash = id.lastIndexOf('-');
    const seq = dash > 0 ? parseInt(id.slice(dash + 1), 36) : NaN;
    if (Number.isNaN(seq) || id.slice(dash + 1) !== seq.toString(36)) {
      if (this.seenIds.has(id)) this.problem('duplicate_id', `event id ${id} is not unique`);
      this.seenIds.add(id);
      return;
    }
    const run = id.slice(0, dash);
    const last = this.lastSeq.get(run) ?? -1;
    if (seq <= last) this.problem('duplicate_id', `event id ${id} is not unique (counter ${seq} after ${last})`);
    this.lastSeq.set(run, seq);
  }

  private checkSignIn(agent: string, state: AgentStateName, withQueues: boolean): void {
    const signingIn = state !== 'logged_out' && (!this.seenAgents.has(agent) || this.signedOut.has(agent));
    if (signingIn && !withQueues) this.problem('sign_in_without_queues', `agent ${agent}: sign-in without its queues`);
    this.seenAgents.add(agent);
    if (state === 'logged_out') this.signedOut.add(agent);
    else this.signedOut.delete(agent);
  }

  private exitQueue(name: string, queuedAt: number, ts: number, answered: boolean): void {
    const q = this.queue(name);
    const t = this.thresholds.get(name) ?? { slThresholdS: 20, shortAbandonS: 5 };
    const wait = ts - queuedAt;
    if (wait > q.maxWaitMs) q.maxWaitMs = wait;
    if (answered) {
      q.answered++;
      q.answeredWaitMs += wait;
      if (wait <= t.slThresholdS * 1000) q.answeredWithinSl++;
    } else {
      q.abandoned++;
      if (wait < t.shortAbandonS * 1000) q.shortAbandoned++;
    }
    if (name === this.sampleQueue) this.samples.push({ queuedAt, waitMs: wait, answered });
  }

  private queue(name: string): QueueFigures {
    let q = this.figures.get(name);
    if (!q) {
      q = { offered: 0, answered: 0, abandoned: 0, shortAbandoned: 0, answeredWithinSl: 0, answeredWaitMs: 0, maxWaitMs: 0, overflowedOut: 0 };
      this.figures.set(name, q);
    }
    return q;
  }

  private lifecycleProblem(p: LifecycleProblem): void {
    this.problem(p.code, p.message);
  }

  private problem(code: string, message: string): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(`${code}: ${message} (event ${this.current})`);
  }
}
