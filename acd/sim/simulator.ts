/**
 * The call-center simulator: plays callers (arrivals, IVR choices, patience,
 * surveys) and agents (shifts, breaks, answering, talking, holds, transfers,
 * wrap-up) around the ACD core, on one discrete-event calendar. It does no I/O
 * and reads no clock: `runUntil` advances simulated time, and the run loop
 * (edges/run-loop.ts) decides how fast that happens. Same scenario + seed +
 * start = the same events, byte for byte.
 */
import type { CallboardEvent } from '../../schemas/events.ts';
import { Acd, CORE_TIMER_LIMIT, type AcdHooks, type IvrPrompt, type OfferOptions } from '../core/acd.ts';
import { CallState, type AcdConfig, type Agent, type Call, type QueueEntry } from '../core/model.ts';
import { createDemoDataSource } from '../ivr/demo-data.ts';
import type { IvrDataSource } from '../ivr/engine.ts';
import type { IvrFlow } from '../ivr/nodes.ts';
import type { EventSink } from './sink.ts';
import { ArrivalStream } from './arrivals.ts';
import { EventCalendar } from './calendar.ts';
import { sampleMs } from './dist.ts';
import { hashSeed, Rng } from './rng.ts';
import type { HandleTimeSpec, Scenario } from './scenario.ts';
import { planShifts, ShiftAction } from './shifts.ts';
import { DAY_MS, Zone } from '../time.ts';

/** Calendar entry kinds of the simulated people (core timers use kinds below CORE_TIMER_LIMIT). */
const K = {
  arrival: 100,
  patience: 101,
  ivrChoice: 102,
  ivrHangup: 103,
  answer: 104,
  end: 105,
  hold: 106,
  unhold: 107,
  help: 108,
  transfer: 109,
  consultDone: 110,
  wrap: 111,
  ready: 112,
  login: 113,
  logout: 114,
  break: 115,
  manualBusy: 116,
  plan: 117,
  survey: 118,
} as const;

const WRAP_CODES = ['resolved', 'resolved', 'resolved', 'follow_up', 'information', 'complaint'] as const;

interface IvrChoice {
  call: Call;
  input: string;
}

export interface SimulationOptions {
  /** Simulated start, epoch ms. */
  startMs: number;
  /** Overrides the scenario's seed. */
  seed?: string | number;
  sink: EventSink;
  /** Answers IVR lookups; defaults to the deterministic demo billing system. */
  ivrData?: IvrDataSource;
}

/** Counters of a run. */
export interface SimulationStats {
  /** calls offered (inbound arrivals and outbound callbacks) */
  calls: number;
  events: number;
  /** calendar entries processed */
  steps: number;
}

/** A run identifier derived from seed and start: distinct runs get distinct event and call ids. */
export function runIdFor(seed: string | number, startMs: number): string {
  const key = `${seed}@${startMs}`;
  return hashSeed(key).toString(36) + hashSeed(`callboard:${key}`).toString(36);
}

export class Simulation implements AcdHooks {
  readonly acd: Acd;
  readonly runId: string;
  readonly startMs: number;
  readonly stats: SimulationStats = { calls: 0, events: 0, steps: 0 };
  private readonly calendar = new EventCalendar<object>();
  private readonly rng: Rng;
  private readonly streams: ArrivalStream[];
  private nowMs: number;
  private readonly sink: EventSink;
  // Per-agent simulation state, by agent index.
  private readonly conversation: Int32Array;
  private readonly notReadySerial: Int32Array;
  private readonly loginSerial: Int32Array;
  private readonly acwPlanMs: Float64Array;
  private readonly notReadyMs: Float64Array;
  private readonly ringNoAnswerReason = 'ring_noanswer';
  private arrivalsStopped = false;
  /** IVR choice weights by flow and node, as arrays ready for sampling. */
  private readonly ivrChoices = new Map<IvrFlow, Map<string, { inputs: string[]; weights: number[]; total: number }>>();

  constructor(
    readonly scenario: Scenario,
    opts: SimulationOptions,
  ) {
    const seed = opts.seed ?? scenario.seed;
    this.startMs = opts.startMs;
    this.nowMs = opts.startMs;
    this.runId = runIdFor(seed, opts.startMs);
    this.rng = new Rng(`${seed}`);
    this.sink = opts.sink;
    const config = this.acdConfig();
    const stats = this.stats;
    const sink = this.sink;
    const calendar = this.calendar;
    this.acd = new Acd(
      config,
      {
        emit(event: CallboardEvent) {
          stats.events++;
          sink.write(event);
        },
        schedule(at: number, kind: number, ref: object, token: number) {
          calendar.push(at, kind, ref, token);
        },
      },
      this,
      opts.ivrData ?? createDemoDataSource(),
    );
    const n = this.acd.agents.length;
    this.conversation = new Int32Array(n);
    this.notReadySerial = new Int32Array(n);
    this.loginSerial = new Int32Array(n);
    this.acwPlanMs = new Float64Array(n);
    this.notReadyMs = new Float64Array(n).fill(NaN);

    for (const [name, flow] of scenario.ivr) {
      const perNode = new Map<string, { inputs: string[]; weights: number[]; total: number }>();
      for (const [node, weights] of scenario.ivrBehavior.choices.get(name) ?? []) {
        const total = [...weights.values()].reduce((a, b) => a + b, 0);
        if (total > 0) perNode.set(node, { inputs: [...weights.keys()], weights: [...weights.values()], total });
      }
      this.ivrChoices.set(flow, perNode);
    }
    this.streams = scenario.arrivals.map((spec) => new ArrivalStream(spec, this.rng));
    for (const s of this.streams) this.scheduleArrival(s, this.startMs);
    this.scenario.agents.forEach((spec, i) => {
      if (spec.shift === null) this.calendar.push(this.startMs, K.login, this.acd.agents[i] as Agent, 0);
    });
    this.planWindow(this.startMs, true);
  }

  /** Current simulated time, epoch ms. */
  get now(): number {
    return this.nowMs;
  }

  /** Time of the next calendar entry (Infinity when nothing is left). */
  nextTime(): number {
    return this.calendar.peekTime();
  }

  /**
   * Processes calendar entries due at or before `untilMs`, at most `maxSteps` of
   * them. Returns the number processed; simulated time ends at the last entry run
   * (or at `untilMs` once nothing before it remains).
   */
  runUntil(untilMs: number, maxSteps = Infinity): number {
    const cal = this.calendar;
    const p = cal.popped;
    let steps = 0;
    while (steps < maxSteps && cal.peekTime() <= untilMs) {
      cal.pop();
      this.nowMs = p.time;
      this.dispatch(p.kind, p.ref as object, p.token, p.time);
      steps++;
    }
    if (steps < maxSteps && untilMs > this.nowMs && Number.isFinite(untilMs)) this.nowMs = untilMs;
    this.stats.steps += steps;
    return steps;
  }

  /**
   * Ends a finite run cleanly: no new calls; the calls in progress run to their
   * end and their wrap-up for at most `maxDrainMs` of simulated time; then the
   * center closes (calls still waiting end, agents sign out, see `Acd.terminate`).
   * Returns the number of calls that had to be ended by the closing.
   */
  finish(maxDrainMs = 3_600_000): number {
    this.arrivalsStopped = true;
    const limit = this.nowMs + maxDrainMs;
    const busy = (): boolean => this.acd.agents.some((a) => a.state === 'ringing' || a.state === 'on_call' || a.state === 'acw');
    while ((this.acd.activeCalls > 0 || busy()) && this.calendar.peekTime() <= limit) this.runUntil(this.calendar.peekTime(), 1);
    const unfinished = this.acd.activeCalls;
    this.acd.terminate(this.nowMs);
    return unfinished;
  }

  private dispatch(kind: number, ref: object, token: number, now: number): void {
    if (kind < CORE_TIMER_LIMIT) {
      this.acd.timer(kind, ref, token, now);
      return;
    }
    switch (kind) {
      case K.arrival:
        this.arrive(ref as ArrivalStream, now);
        return;
      case K.patience: {
        const call = ref as Call;
        if (call.answers === token && (call.state === CallState.waiting || call.state === CallState.ringing)) this.acd.callerHangup(call, now);
        return;
      }
      case K.ivrChoice: {
        const c = ref as IvrChoice;
        if (c.call.ivrSeq === token) this.acd.ivrInput(c.call, c.input, now);
        return;
      }
      case K.ivrHangup: {
        const call = ref as Call;
        if (call.ivrSeq === token && call.state === CallState.ivr) this.acd.callerHangup(call, now);
        return;
      }
      case K.answer: {
        const agent = ref as Agent;
        if (agent.epoch === token) this.acd.answer(agent, now);
        return;
      }
      case K.wrap: {
        const agent = ref as Agent;
        if (agent.epoch === token) this.acd.wrapUp(agent, WRAP_CODES[this.rng.int(WRAP_CODES.length)], now);
        return;
      }
      case K.ready: {
        const agent = ref as Agent;
        if (this.notReadySerial[agent.index] === token) this.acd.ready(agent, now);
        return;
      }
      case K.login:
        this.login(ref as Agent, now);
        return;
      case K.logout:
        this.acd.logout(ref as Agent, now);
        return;
      case K.break: {
        const agent = ref as Agent;
        const b = this.scenario.agents[agent.index]?.shift?.breaks[token];
        if (b && agent.state !== 'logged_out') {
          this.notReadyMs[agent.index] = b.minutes * 60_000;
          this.acd.notReady(agent, b.reason, now);
        }
        return;
      }
      case K.manualBusy:
        this.manualBusy(ref as Agent, token, now);
        return;
      case K.plan:
        this.planWindow(now, false);
        return;
      case K.survey:
        this.survey(ref as Call, now);
        return;
      default:
        this.conversationStep(kind, ref as Agent, token, now);
    }
  }

  // ---- configuration -------------------------------------------------------

  private acdConfig(): AcdConfig {
    const s = this.scenario;
    const config: AcdConfig = {
      queues: s.queues,
      agents: s.agents.map((a) => a.config),
      idPrefix: this.runId,
      ringTimeoutS: s.routing.ringTimeoutS,
      acw: s.routing.acwTimeoutS === null ? null : { timeoutS: s.routing.acwTimeoutS },
      callbackDelayS: s.routing.callbackDelayS,
      callbackPriority: s.routing.callbackPriority,
      ringNoAnswerReason: this.ringNoAnswerReason,
    };
    const night = s.nightMode;
    if (night) {
      const zone = Zone.of(night.timezone);
      config.night = {
        site: night.site,
        active(now: number): boolean {
          const m = zone.minuteOfDay(now);
          return night.from < night.to ? m >= night.from && m < night.to : m >= night.from || m < night.to;
        },
      };
    }
    return config;
  }

  // ---- callers -------------------------------------------------------------

  private arrive(stream: ArrivalStream, now: number): void {
    if (this.arrivalsStopped) return;
    const spec = stream.spec;
    const opts: OfferOptions = { priority: spec.priority };
    if (spec.site !== undefined) opts.site = spec.site;
    const callers = this.scenario.callers;
    if (callers) opts.from = (spec.callerPrefix ?? callers.prefix) + String(this.rng.int(callers.pool)).padStart(String(callers.pool - 1).length, '0');
    if (spec.ivr !== undefined) {
      const flow = this.scenario.ivr.get(spec.ivr);
      if (flow) opts.ivr = flow;
    } else if (spec.queue !== undefined) {
      opts.queue = spec.queue;
    }
    this.stats.calls++;
    this.acd.offer(now, opts);
    this.scheduleArrival(stream, now);
  }

  private scheduleArrival(stream: ArrivalStream, after: number): void {
    const at = stream.next(after);
    if (Number.isFinite(at)) this.calendar.push(at, K.arrival, stream, 0);
  }

  ivrPrompt(call: Call, prompt: IvrPrompt, now: number): void {
    const weighted = call.ivrFlow ? this.ivrChoices.get(call.ivrFlow)?.get(prompt.node) : undefined;
    let input: string;
    if (weighted) input = weighted.inputs[this.rng.weighted(weighted.weights, weighted.total)] ?? 'timeout';
    else if (prompt.options.length > 0) input = prompt.options[this.rng.int(prompt.options.length)] ?? 'timeout';
    else input = 'digits';
    if (input === 'timeout') return;
    const at = now + prompt.promptS * 1000 + sampleMs(this.scenario.ivrBehavior.think, this.rng);
    if (input === 'hangup') {
      this.calendar.push(at, K.ivrHangup, call, call.ivrSeq);
      return;
    }
    if (input === 'digits') {
      const { min, max } = prompt.digits ?? { min: 6, max: 6 };
      const len = min + this.rng.int(max - min + 1);
      input = '';
      for (let i = 0; i < len; i++) input += String(this.rng.int(10));
    }
    const choice: IvrChoice = { call, input };
    // Past the timeout the core has already moved on; the stale choice is ignored by its token.
    this.calendar.push(at, K.ivrChoice, choice, call.ivrSeq);
  }

  queued(call: Call, reason: QueueEntry, now: number): void {
    if (reason === 'callback') this.stats.calls++;
    // A new wait (not an overflow or a ring-no-answer requeue) starts the caller's patience;
    // a called-back customer who is kept waiting (the agent missed the call) gives up too.
    if (reason === 'overflow' || reason === 'requeue' || call.state === CallState.talking) return;
    if (this.scenario.patience.dist === 'infinite') return;
    this.calendar.push(now + sampleMs(this.scenario.patience, this.rng), K.patience, call, call.answers);
  }

  released(call: Call, now: number): void {
    const surveys = this.scenario.surveys;
    // Only calls that ended in a conversation (not, say, transferred and then abandoned).
    if (surveys && call.endedTalking && this.rng.chance(surveys.prob)) {
      this.calendar.push(now + surveys.delayS * 1000, K.survey, call, 0);
    }
  }

  private survey(call: Call, now: number): void {
    const s = this.scenario.surveys;
    if (!s) return;
    const score = 1 + this.rng.weighted(s.scoreWeights, s.scoreWeights.reduce((a, b) => a + b, 0));
    // Unhappy callers rarely call their problem resolved.
    const resolved = this.rng.chance(score >= 4 ? s.resolvedProb : s.resolvedProb / 3);
    this.acd.survey(call, score, resolved, now);
  }

  // ---- agents --------------------------------------------------------------

  ringing(_call: Call, agent: Agent, now: number): void {
    const r = this.scenario.routing;
    if (this.rng.chance(r.noAnswerProb)) return;
    this.calendar.push(now + sampleMs(r.answerDelay, this.rng), K.answer, agent, agent.epoch);
  }

  connected(call: Call, agent: Agent, now: number): void {
    const s = this.scenario;
    const i = agent.index;
    const token = bump(this.conversation, i);
    const ht: HandleTimeSpec = (call.queue && s.queueHandleTime.get(call.queue.name)) || s.handleTime;
    const total = sampleMs(ht.total, this.rng);
    const acw = s.routing.acwTimeoutS === null ? 0 : total * ht.acwShare;
    const hold = ht.holdProb > 0 && this.rng.chance(ht.holdProb) ? total * ht.holdShare : 0;
    const talk = total - acw - hold;
    this.acwPlanMs[i] = acw;
    if (hold > 0) {
      const holdAt = now + talk * 0.4;
      this.calendar.push(holdAt, K.hold, agent, token);
      this.calendar.push(holdAt + hold, K.unhold, agent, token);
    }
    const b = s.behavior;
    if (b.helpProb > 0 && this.rng.chance(b.helpProb)) this.calendar.push(now + talk * 0.5, K.help, agent, token);
    const targets = b.transfer && call.transfers === 0 && call.queue ? b.transfer.targets.get(call.queue.name) : undefined;
    if (b.transfer && targets && targets.length > 0 && this.rng.chance(b.transfer.prob)) {
      this.calendar.push(now + talk * 0.6 + hold, K.transfer, agent, token);
    } else {
      this.calendar.push(now + talk + hold, K.end, agent, token);
    }
  }

  private conversationStep(kind: number, agent: Agent, token: number, now: number): void {
    if (this.conversation[agent.index] !== token) return;
    switch (kind) {
      case K.end:
        this.acd.hangup(agent, this.rng.chance(this.scenario.behavior.agentHangupShare) ? 'agent' : 'caller', now);
        return;
      case K.hold:
        this.acd.hold(agent, now);
        return;
      case K.unhold:
        this.acd.unhold(agent, now);
        return;
      case K.help:
        this.acd.help(agent, now);
        return;
      case K.transfer: {
        const t = this.scenario.behavior.transfer;
        const call = agent.call;
        const targets = t && call?.queue ? t.targets.get(call.queue.name) : undefined;
        if (!t || !targets || targets.length === 0) return;
        const target = targets[this.rng.int(targets.length)] as string;
        if (this.rng.chance(t.attendedShare) && this.acd.consult(agent, target, now)) {
          this.calendar.push(now + sampleMs(t.consult, this.rng), K.consultDone, agent, token);
        } else {
          this.acd.transferBlind(agent, target, now);
        }
        return;
      }
      case K.consultDone:
        this.acd.completeTransfer(agent, now);
        return;
      default:
        throw new Error(`unknown simulation event kind ${kind}`);
    }
  }

  acw(agent: Agent, _call: Call, now: number): void {
    this.calendar.push(now + (this.acwPlanMs[agent.index] as number), K.wrap, agent, agent.epoch);
  }

  notReady(agent: Agent, reason: string, now: number): void {
    const i = agent.index;
    const serial = bump(this.notReadySerial, i);
    let ms: number;
    if (reason === this.ringNoAnswerReason) {
      // A break asked for while ringing is still pending in the core: keep its length for when it starts.
      ms = sampleMs(this.scenario.routing.rnaRecover, this.rng);
    } else {
      ms = this.notReadyMs[i] as number;
      this.notReadyMs[i] = NaN;
    }
    if (!Number.isNaN(ms)) this.calendar.push(now + ms, K.ready, agent, serial);
  }

  private login(agent: Agent, now: number): void {
    const wasOut = agent.state === 'logged_out';
    this.acd.login(agent, now);
    const busy = this.scenario.behavior.manualBusy;
    if (wasOut && busy && busy.perHour > 0) {
      const serial = bump(this.loginSerial, agent.index);
      this.calendar.push(now + this.rng.exponential(3_600_000 / busy.perHour), K.manualBusy, agent, serial);
    }
  }

  private manualBusy(agent: Agent, serial: number, now: number): void {
    const busy = this.scenario.behavior.manualBusy;
    if (!busy || this.loginSerial[agent.index] !== serial || agent.state === 'logged_out') return;
    if (agent.state === 'available') {
      this.notReadyMs[agent.index] = sampleMs(busy.duration, this.rng);
      this.acd.notReady(agent, 'manual_busy', now);
    }
    this.calendar.push(now + this.rng.exponential(3_600_000 / busy.perHour), K.manualBusy, agent, serial);
  }

  /** Schedules the shift actions of one day starting at `from`, and the next planning point. */
  private planWindow(from: number, first: boolean): void {
    const to = from + DAY_MS;
    let any = false;
    this.scenario.agents.forEach((spec, i) => {
      if (!spec.shift) return;
      any = true;
      const agent = this.acd.agents[i] as Agent;
      for (const a of planShifts(spec, Zone.of(spec.timezone), from, to, this.rng, first)) {
        const kind = a.action === ShiftAction.login ? K.login : a.action === ShiftAction.logout ? K.logout : K.break;
        this.calendar.push(a.at, kind, agent, a.breakIndex);
      }
    });
    if (any) this.calendar.push(to, K.plan, this, 0);
  }
}

/** Increments a per-agent counter and returns the new value. */
function bump(counters: Int32Array, i: number): number {
  const v = (counters[i] as number) + 1;
  counters[i] = v;
  return v;
}
