/**
 * Maps parsed queue_log lines to contract events (the table is in ./README.md).
 *
 * The mapper keeps what the log implies but does not repeat on every line (which calls
 * were already offered, which queue a call waits in, who is on which call, each agent's
 * queues and pauses, ends still to be decided): its state is plain JSON, saved with the
 * import offset, so a resumed import maps the next lines exactly as an uninterrupted one.
 *
 * Ids are deterministic: `<prefix>-<hash of the line text and its ordinal among identical
 * lines of that second>-<role>`, so reading the same lines again (a restart before the ack,
 * the whole file again) sends the same ids and the ingest stores each event once.
 * `ts` = epoch seconds × 1000 + the line's rank among the lines of that second (the order
 * Asterisk wrote them, at most 999): events of one second keep their order.
 */
import { createHash } from 'node:crypto';
import type { CallboardEvent } from '../../../schemas/events.ts';
import { agentIdOf, type QueueLogLine } from './parse.ts';

type AgentStateName = 'logged_out' | 'available' | 'not_ready' | 'on_call';

interface CallSt {
  offered: boolean;
  /** the number dialled (FreePBX DID line), used as `to` of call.offered */
  did: string | null;
  /** queue the call waits in, null when not waiting */
  queue: string | null;
  /** agent connected to it */
  agent: string | null;
  ringCanceled: boolean;
  ended: boolean;
  /** ts (ms) of the last event emitted for it */
  lastTs: number;
}

interface AgentSt {
  queues: string[];
  paused: string[];
  pausedAll: boolean;
  reason: string | null;
  loggedIn: boolean;
  call: string | null;
  /** last state sent, to send only changes: `state|reason|queues` */
  sent: string | null;
}

interface PendingEnd {
  call: string;
  ts: number;
  id: string;
}

export interface MapperState {
  v: 1;
  calls: Record<string, CallSt>;
  agents: Record<string, AgentSt>;
  /** queue names seen, to tell a blind transfer to a queue from one to an extension */
  queues: string[];
  pending: PendingEnd[];
  /** per recent epoch second: lines seen, and ordinal per identical line text (by hash) */
  recent: Record<string, { n: number; lines: Record<string, number> }>;
  maxEpoch: number;
}

export interface MapperOptions {
  /** id prefix (the source's name); default `ql` */
  idPrefix?: string;
  /** `site` of every event */
  site?: string;
  /** how long (ms of log time) a call that left the queues (exit, transfer) may come back before it is ended; default 60 s */
  graceMs?: number;
}

export const emptyMapperState = (): MapperState => ({ v: 1, calls: {}, agents: {}, queues: [], pending: [], recent: {}, maxEpoch: 0 });

/** Seconds of recent lines kept for ranking and identical-line ordinals (lines a little out of order still count right). */
const RECENT_S = 300;
/** Calls with no line for this long are forgotten (4 h), ended ones after 10 min. */
const CALL_TTL_MS = 4 * 3_600_000;
const ENDED_TTL_MS = 10 * 60_000;

const cap = (s: string, n: number): string => (s.length > n ? s.slice(0, n) : s);

export class QueueLogMapper {
  private st: MapperState;
  private readonly prefix: string;
  private readonly site: string | undefined;
  private readonly graceMs: number;
  private knownQueues: Set<string>;
  private lastPrune = 0;
  private lastRecentPrune = 0;
  /** `st.recent` while mapping (a Map: fast with epoch keys); written back by `snapshot` */
  private readonly recent = new Map<number, { n: number; lines: Map<string, number> }>();

  constructor(options: MapperOptions = {}, state: MapperState = emptyMapperState()) {
    this.st = structuredClone(state);
    this.prefix = options.idPrefix ?? 'ql';
    this.site = options.site;
    this.graceMs = options.graceMs ?? 60_000;
    this.knownQueues = new Set(this.st.queues);
    for (const [sec, r] of Object.entries(this.st.recent)) this.recent.set(Number(sec), { n: r.n, lines: new Map(Object.entries(r.lines)) });
    this.st.recent = {};
  }

  /** A copy of the state, to save with the offset of the last line mapped. */
  snapshot(): MapperState {
    this.st.queues = [...this.knownQueues];
    const out = structuredClone(this.st);
    for (const [sec, r] of this.recent) out.recent[String(sec)] = { n: r.n, lines: Object.fromEntries(r.lines) };
    return out;
  }

  /** Maps one parsed line (`text` is the raw line, for its id). */
  map(line: QueueLogLine, text: string): CallboardEvent[] {
    const { ts, key } = this.stamp(line.epoch, text);
    const out: CallboardEvent[] = [];
    const emit = (role: string, ev: Record<string, unknown>): void => {
      const e = { id: `${this.prefix}-${key}-${role}`, ts, ...ev } as Record<string, unknown>;
      if (this.site !== undefined) e.site = this.site;
      out.push(e as unknown as CallboardEvent);
    };
    // Ends decided by later lines (log time moved past their grace) go first.
    const resumed = line.call !== null && (line.event === 'ENTERQUEUE' || line.event === 'CONNECT') ? line.call : null;
    if (resumed !== null) this.st.pending = this.st.pending.filter((p) => p.call !== resumed);
    out.push(...this.due(ts));

    const agent = line.agentRaw !== null ? agentIdOf(line.agentRaw) : null;
    const queue = line.queue;
    if (queue !== null) this.knownQueues.add(queue);
    const d = line.data;
    switch (line.event) {
      case 'DID': {
        const c = this.call(line.call as string, ts);
        const did = (d[0] ?? '').trim();
        if (!c.offered && did !== '') c.did = cap(did, 64);
        break;
      }
      case 'ENTERQUEUE': {
        const id = line.call as string;
        const c = this.call(id, ts);
        c.ended = false;
        if (!c.offered) {
          const from = (d[1] ?? '').trim();
          const ev: Record<string, unknown> = { type: 'call.offered', call: id, direction: 'inbound' };
          if (from !== '') ev.from = cap(from, 64);
          if (c.did !== null) ev.to = c.did;
          emit('o', ev);
          c.offered = true;
        }
        if (c.queue !== queue) emit('q', { type: 'call.queued', call: id, queue });
        c.queue = queue;
        c.ringCanceled = false;
        c.lastTs = ts;
        break;
      }
      case 'CONNECT': {
        const id = line.call as string;
        const q = queue as string;
        const a = agent as string;
        const existed = this.st.calls[id] !== undefined;
        const c = this.call(id, ts);
        c.ended = false;
        // The log did not show the call entering this queue (the log starts mid-wait, or an
        // attended transfer put the caller here): it entered `holdtime` seconds ago.
        if (c.queue !== q) out.push(...this.entered(id, c, existed, q, d[0], ts, key));
        emit('a', { type: 'call.answered', call: id, queue: q, agent: a });
        c.queue = null;
        c.agent = a;
        c.lastTs = ts;
        const ag = this.agent(a);
        this.addQueue(ag, q);
        ag.loggedIn = true;
        ag.call = id;
        this.state(a, ag, emit);
        break;
      }
      case 'COMPLETEAGENT':
      case 'COMPLETECALLER': {
        const id = line.call as string;
        const c = this.call(id, ts);
        emit('e', { type: 'call.ended', call: id, by: line.event === 'COMPLETEAGENT' ? 'agent' : 'caller' });
        const a = agent ?? c.agent;
        if (a !== null) {
          emit('w', { type: 'call.wrapup', call: id, agent: a });
          this.release(a, id, emit);
        }
        this.endCall(c, ts);
        break;
      }
      case 'ABANDON': {
        const id = line.call as string;
        const existed = this.st.calls[id] !== undefined;
        const c = this.call(id, ts);
        // the log starts while the call waited: it entered `waittime` seconds ago
        if (!existed) out.push(...this.entered(id, c, false, queue as string, d[2], ts, key));
        emit('x', { type: 'call.abandoned', call: id, queue, stage: c.ringCanceled ? 'ringing' : 'queue' });
        emit('e', { type: 'call.ended', call: id, by: 'caller' });
        this.endCall(c, ts);
        break;
      }
      case 'EXITWITHTIMEOUT':
      case 'EXITEMPTY':
      case 'EXITWITHKEY': {
        const id = line.call as string;
        const existed = this.st.calls[id] !== undefined;
        const c = this.call(id, ts);
        if (!existed) out.push(...this.entered(id, c, false, queue as string, d[line.event === 'EXITWITHKEY' ? 3 : 2], ts, key));
        const to =
          line.event === 'EXITWITHTIMEOUT' ? 'exit:timeout' : line.event === 'EXITEMPTY' ? 'exit:empty' : cap(`exit:key:${(d[0] ?? '').trim()}`.replace(/:$/, ''), 128);
        emit('f', { type: 'call.overflow', call: id, from_queue: queue, to_queue: to });
        c.queue = null;
        c.lastTs = ts;
        this.deferEnd(id, ts, `${this.prefix}-${key}-e`);
        break;
      }
      case 'RINGNOANSWER': {
        const id = line.call as string;
        this.call(id, ts).lastTs = ts;
        emit('r', { type: 'call.ring_noanswer', call: id, queue, agent });
        this.addQueue(this.agent(agent as string), queue as string);
        break;
      }
      case 'RINGCANCELED': {
        this.call(line.call as string, ts).ringCanceled = true;
        break;
      }
      case 'BLINDTRANSFER':
      case 'TRANSFER': {
        const id = line.call as string;
        const a = agent as string;
        const c = this.call(id, ts);
        const exten = (d[0] ?? '').trim();
        const ev: Record<string, unknown> = { type: 'call.transferred', call: id, agent: a, kind: 'blind' };
        if (exten !== '' && this.knownQueues.has(exten)) ev.to_queue = exten;
        emit('t', ev);
        emit('w', { type: 'call.wrapup', call: id, agent: a });
        this.release(a, id, emit);
        c.agent = null;
        c.lastTs = ts;
        this.deferEnd(id, ts, `${this.prefix}-${key}-e`);
        break;
      }
      case 'ATTENDEDTRANSFER': {
        const lineCall = line.call as string;
        const a = agent as string;
        const ag = this.agent(a);
        // Asterisk may log the consultation channel's uniqueid here (asterisk issue #759):
        // the call transferred is the one the agent is connected to.
        const id = ag.call !== null && ag.call !== lineCall ? ag.call : lineCall;
        const c = this.call(id, ts);
        const consult = id !== lineCall ? (this.st.calls[lineCall] ?? null) : null;
        const into = consult !== null && consult.queue !== null ? consult.queue : null;
        const ev: Record<string, unknown> = { type: 'call.transferred', call: id, agent: a, kind: 'attended' };
        if (into !== null) ev.to_queue = into;
        emit('t', ev);
        emit('w', { type: 'call.wrapup', call: id, agent: a });
        this.release(a, id, emit);
        c.agent = null;
        c.lastTs = ts;
        if (into !== null && consult !== null) {
          // The caller took the consultation call's place in that queue; the consultation call is gone.
          emit('q', { type: 'call.queued', call: id, queue: into });
          c.queue = into;
          c.ringCanceled = false;
          emit('ce', { type: 'call.ended', call: lineCall, by: 'system' });
          this.endCall(consult, ts);
        } else {
          this.deferEnd(id, ts, `${this.prefix}-${key}-e`);
        }
        break;
      }
      case 'AGENTLOGIN':
      case 'AGENTCALLBACKLOGIN': {
        const ag = this.agent(agent as string);
        ag.loggedIn = true;
        this.state(agent as string, ag, emit);
        break;
      }
      case 'AGENTLOGOFF':
      case 'AGENTCALLBACKLOGOFF': {
        const ag = this.agent(agent as string);
        ag.loggedIn = false;
        ag.call = null;
        this.state(agent as string, ag, emit);
        break;
      }
      case 'ADDMEMBER': {
        const ag = this.agent(agent as string);
        this.addQueue(ag, queue as string);
        ag.loggedIn = true;
        if ((d[0] ?? '').trim().toUpperCase() === 'PAUSED' && !ag.paused.includes(queue as string)) ag.paused.push(queue as string);
        this.state(agent as string, ag, emit);
        break;
      }
      case 'REMOVEMEMBER': {
        const ag = this.agent(agent as string);
        ag.queues = ag.queues.filter((q) => q !== queue);
        ag.paused = ag.paused.filter((q) => q !== queue);
        if (ag.queues.length === 0) {
          ag.loggedIn = false;
          ag.call = null;
        }
        this.state(agent as string, ag, emit);
        break;
      }
      case 'PAUSE':
      case 'PAUSEALL': {
        const ag = this.agent(agent as string);
        ag.loggedIn = true;
        if (line.event === 'PAUSEALL' || queue === null) ag.pausedAll = true;
        else {
          this.addQueue(ag, queue);
          if (!ag.paused.includes(queue)) ag.paused.push(queue);
        }
        const reason = (d[0] ?? '').trim();
        ag.reason = reason === '' ? null : cap(reason, 128);
        this.state(agent as string, ag, emit);
        break;
      }
      case 'UNPAUSE':
      case 'UNPAUSEALL': {
        const ag = this.agent(agent as string);
        ag.loggedIn = true;
        if (line.event === 'UNPAUSEALL' || queue === null) {
          ag.pausedAll = false;
          ag.paused = [];
        } else {
          this.addQueue(ag, queue);
          if (ag.pausedAll) ag.paused = [...ag.queues];
          ag.pausedAll = false;
          ag.paused = ag.paused.filter((q) => q !== queue);
        }
        if (!this.isPaused(ag)) ag.reason = null;
        this.state(agent as string, ag, emit);
        break;
      }
    }
    this.prune(ts);
    return out;
  }

  /**
   * Ends of calls that left the queues (exit, transfer) and did not come back within the
   * grace: call when no line came for a while (`now` = wall clock ms), e.g. at the end of a
   * file or while tailing an idle log.
   */
  flushDue(now: number): CallboardEvent[] {
    return this.due(now);
  }

  /** Calls whose end is still undecided. */
  get pendingEnds(): number {
    return this.st.pending.length;
  }

  // ---- internals ----

  /** The line's ts (ms) and its id key. */
  private stamp(epoch: number, text: string): { ts: number; key: string } {
    const recent = this.recent;
    let r = recent.get(epoch);
    if (r === undefined) {
      r = { n: 0, lines: new Map() };
      recent.set(epoch, r);
    }
    const lineHash = createHash('sha256').update(text).digest('base64url').slice(0, 16);
    const ordinal = r.lines.get(lineHash) ?? 0;
    r.lines.set(lineHash, ordinal + 1);
    const rank = Math.min(r.n, 999);
    r.n++;
    if (epoch > this.st.maxEpoch) {
      this.st.maxEpoch = epoch;
      if (epoch - this.lastRecentPrune >= 60) {
        this.lastRecentPrune = epoch;
        for (const k of recent.keys()) if (k < epoch - RECENT_S) recent.delete(k);
      }
    }
    const key = createHash('sha256').update(`${text}\n${ordinal}`).digest('base64url').slice(0, 22);
    return { ts: epoch * 1000 + rank, key };
  }

  /** `call.offered` (if not yet) and `call.queued` for a call seen only after it entered `queue`, `waitS` seconds before `ts`. */
  private entered(id: string, c: CallSt, existed: boolean, queue: string, waitS: string | undefined, ts: number, key: string): CallboardEvent[] {
    const wait = Number((waitS ?? '').trim());
    const ms = Number.isFinite(wait) && wait > 0 ? wait * 1000 : 0;
    const at = existed ? Math.min(ts, Math.max(c.lastTs, ts - ms)) : ts - ms;
    const out: CallboardEvent[] = [];
    if (!c.offered) {
      out.push(this.extra(`${key}-o`, at, { type: 'call.offered', call: id, direction: 'inbound' }));
      c.offered = true;
    }
    out.push(this.extra(`${key}-q`, at, { type: 'call.queued', call: id, queue }));
    return out;
  }

  private extra(id: string, ts: number, ev: Record<string, unknown>): CallboardEvent {
    const e = { id: `${this.prefix}-${id}`, ts, ...ev } as Record<string, unknown>;
    if (this.site !== undefined) e.site = this.site;
    return e as unknown as CallboardEvent;
  }

  private call(id: string, ts: number): CallSt {
    let c = this.st.calls[id];
    if (c === undefined) {
      c = { offered: false, did: null, queue: null, agent: null, ringCanceled: false, ended: false, lastTs: ts };
      this.st.calls[id] = c;
    }
    return c;
  }

  private endCall(c: CallSt, ts: number): void {
    c.queue = null;
    c.agent = null;
    c.ended = true;
    c.lastTs = ts;
  }

  private agent(id: string): AgentSt {
    let a = this.st.agents[id];
    if (a === undefined) {
      a = { queues: [], paused: [], pausedAll: false, reason: null, loggedIn: false, call: null, sent: null };
      this.st.agents[id] = a;
    }
    return a;
  }

  private addQueue(ag: AgentSt, q: string): void {
    if (!ag.queues.includes(q)) ag.queues.push(q);
  }

  private isPaused(ag: AgentSt): boolean {
    if (ag.pausedAll) return true;
    if (ag.paused.length === 0) return false;
    return ag.queues.length === 0 || ag.queues.every((q) => ag.paused.includes(q));
  }

  /** The agent is off `call` (completed or transferred): back to available, or not ready if paused meanwhile. */
  private release(a: string, call: string, emit: (role: string, ev: Record<string, unknown>) => void): void {
    const ag = this.agent(a);
    if (ag.call === call || ag.call === null) ag.call = null;
    else return; // already on another call
    ag.loggedIn = true;
    this.state(a, ag, emit);
  }

  /** Sends the agent's state when it changed (state, reason or queues). */
  private state(a: string, ag: AgentSt, emit: (role: string, ev: Record<string, unknown>) => void): void {
    let state: AgentStateName;
    if (!ag.loggedIn) state = 'logged_out';
    else if (ag.call !== null) state = 'on_call';
    else if (this.isPaused(ag)) state = 'not_ready';
    else state = 'available';
    const reason = state === 'not_ready' ? ag.reason : null;
    const sig = `${state}|${reason ?? ''}|${ag.queues.join(',')}`;
    if (sig === ag.sent) return;
    ag.sent = sig;
    const ev: Record<string, unknown> = { type: 'agent.state', agent: a, state, queues: [...ag.queues] };
    if (reason !== null) ev.reason = reason;
    emit('s', ev);
  }

  private deferEnd(call: string, ts: number, id: string): void {
    this.st.pending = this.st.pending.filter((p) => p.call !== call);
    this.st.pending.push({ call, ts, id });
  }

  private due(now: number): CallboardEvent[] {
    const out: CallboardEvent[] = [];
    const keep: PendingEnd[] = [];
    for (const p of this.st.pending) {
      if (p.ts + this.graceMs > now) {
        keep.push(p);
        continue;
      }
      const e: Record<string, unknown> = { id: p.id, type: 'call.ended', ts: p.ts, call: p.call, by: 'system' };
      if (this.site !== undefined) e.site = this.site;
      out.push(e as unknown as CallboardEvent);
      const c = this.st.calls[p.call];
      if (c !== undefined) this.endCall(c, c.lastTs);
    }
    this.st.pending = keep;
    return out;
  }

  private prune(now: number): void {
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    const calls = this.st.calls;
    for (const [id, c] of Object.entries(calls)) {
      const ttl = c.ended ? ENDED_TTL_MS : CALL_TTL_MS;
      if (c.lastTs + ttl < now && !this.st.pending.some((p) => p.call === id)) delete calls[id];
    }
  }
}
