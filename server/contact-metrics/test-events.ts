/**
 * Event factory for the metric and live-engine tests: terse builders that go through the
 * real validator (`validateEvent`), so tests see exactly what the ingest hands over.
 * Ids are `<prefix><n>` with n increasing, so same-millisecond events keep their
 * creation order under `compareIds`.
 */
import type { CallboardEvent } from '../../schemas/events.ts';
import { validateEvent, type NormalizedEvent } from '../../schemas/validate.ts';
import { callEventOf, type CallEvent } from './call-facts.ts';

type Raw = { [K in CallboardEvent['type']]: Omit<Extract<CallboardEvent, { type: K }>, 'id' | 'ts'> & { id?: string } }[CallboardEvent['type']];

/** Seconds → ms. */
export const sec = (n: number): number => n * 1000;
/** Minutes → ms. */
export const min = (n: number): number => n * 60_000;

export class EventFactory {
  private seq = 0;

  constructor(
    private readonly prefix = 'e',
    /** site put on every event unless given */
    private readonly site?: string,
  ) {}

  /** Any event at `ts` (epoch ms), validated. */
  make(ts: number, raw: Raw): NormalizedEvent {
    const id = raw.id ?? `${this.prefix}${++this.seq}`;
    const body: Record<string, unknown> = { ...raw, id, ts };
    if (body.site === undefined && this.site !== undefined) body.site = this.site;
    const r = validateEvent(body);
    if (!r.ok) throw new Error(`test event invalid: ${r.error} (${JSON.stringify(body)})`);
    return r.event;
  }

  offered(call: string, ts: number, direction: 'inbound' | 'outbound' = 'inbound') {
    return this.make(ts, { type: 'call.offered', call, direction });
  }
  ivr(call: string, ts: number, node = 'menu') {
    return this.make(ts, { type: 'call.ivr', call, node });
  }
  queued(call: string, queue: string, ts: number, site?: string) {
    return this.make(ts, { type: 'call.queued', call, queue, ...(site !== undefined ? { site } : {}) });
  }
  ringing(call: string, queue: string, agent: string, ts: number) {
    return this.make(ts, { type: 'call.ringing', call, queue, agent });
  }
  ringNoAnswer(call: string, queue: string, agent: string, ts: number) {
    return this.make(ts, { type: 'call.ring_noanswer', call, queue, agent });
  }
  answered(call: string, agent: string, ts: number, queue?: string) {
    return this.make(ts, { type: 'call.answered', call, agent, ...(queue !== undefined ? { queue } : {}) });
  }
  hold(call: string, agent: string, ts: number) {
    return this.make(ts, { type: 'call.hold', call, agent });
  }
  unhold(call: string, agent: string, ts: number) {
    return this.make(ts, { type: 'call.unhold', call, agent });
  }
  transferToQueue(call: string, agent: string, queue: string, ts: number) {
    return this.make(ts, { type: 'call.transferred', call, agent, to_queue: queue, kind: 'blind' });
  }
  transferToAgent(call: string, agent: string, to: string, ts: number) {
    return this.make(ts, { type: 'call.transferred', call, agent, to_agent: to, kind: 'attended' });
  }
  overflow(call: string, from: string, to: string, ts: number) {
    return this.make(ts, { type: 'call.overflow', call, from_queue: from, to_queue: to });
  }
  abandoned(call: string, ts: number, stage: 'ivr' | 'queue' | 'ringing' = 'queue', queue?: string) {
    return this.make(ts, { type: 'call.abandoned', call, stage, ...(queue !== undefined ? { queue } : {}) });
  }
  ended(call: string, ts: number, by: 'caller' | 'agent' | 'system' = 'caller') {
    return this.make(ts, { type: 'call.ended', call, by });
  }
  wrapup(call: string, agent: string, ts: number, code?: string) {
    return this.make(ts, { type: 'call.wrapup', call, agent, ...(code !== undefined ? { code } : {}) });
  }
  state(agent: string, state: 'logged_out' | 'available' | 'not_ready' | 'ringing' | 'on_call' | 'acw', ts: number, extra: { reason?: string; queues?: string[]; site?: string } = {}) {
    return this.make(ts, { type: 'agent.state', agent, state, ...extra });
  }
  help(agent: string, ts: number, call?: string) {
    return this.make(ts, { type: 'agent.help', agent, ...(call !== undefined ? { call } : {}) });
  }

  /**
   * A call answered from one queue: queued at `t`, rings `agent` after `waitS − 2` s
   * (or at once), answered after `waitS`, talks `talkS`, ends, wraps up after `acwS`.
   */
  answeredCall(call: string, queue: string, agent: string, t: number, o: { waitS: number; talkS?: number; acwS?: number; holdS?: number }): NormalizedEvent[] {
    const talk = sec(o.talkS ?? 60);
    const answerAt = t + sec(o.waitS);
    const endAt = answerAt + talk + sec(o.holdS ?? 0);
    const out = [
      this.offered(call, t - sec(5)),
      this.queued(call, queue, t),
      this.ringing(call, queue, agent, Math.max(t, answerAt - sec(2))),
      this.answered(call, agent, answerAt, queue),
    ];
    if (o.holdS) {
      out.push(this.hold(call, agent, answerAt + sec(10)), this.unhold(call, agent, answerAt + sec(10) + sec(o.holdS)));
    }
    out.push(this.ended(call, endAt, 'caller'), this.wrapup(call, agent, endAt + sec(o.acwS ?? 0)));
    return out;
  }

  /** A call abandoned in `queue` after `waitS` (stage queue). */
  abandonedCall(call: string, queue: string, t: number, waitS: number): NormalizedEvent[] {
    return [this.queued(call, queue, t), this.abandoned(call, t + sec(waitS), 'queue', queue), this.ended(call, t + sec(waitS), 'caller')];
  }
}

/** `NormalizedEvent`s → `CallEvent`s. */
export const asCallEvents = (events: readonly NormalizedEvent[]): CallEvent[] => events.map(callEventOf);

/** Deterministic shuffle (mulberry32) for out-of-order tests. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
