/**
 * The live engine: in-memory, pure state of the center for the wallboards. Fed with
 * accepted events (`apply`) and the clock (`tick`); read through `snapshot` and the
 * per-entity views; `changedSince` tells the push layer what to send.
 *
 * How it stays right with late, duplicate and out-of-order events: every call keeps its
 * events while it may still change. An event re-derives its call with `deriveCall` (the
 * same definition the reports use) and moves the call's contribution between buckets:
 * the entries that changed are subtracted, the new ones added. A call is forgotten (its
 * contribution stays counted) a while after it completed; a later event for it is then
 * dropped and counted in `stats.lateDropped`. Agents keep today's state log.
 *
 * No I/O, no timers: the clock comes in through `tick(now)` and the read methods.
 */
import type { AgentStateName, EventOf } from '../../schemas/events.ts';
import type { NormalizedEvent } from '../../schemas/validate.ts';
import { callEventOf, deriveCall, type CallEvent, type CallFacts } from '../contact-metrics/call-facts.ts';
import {
  addAgentCounters,
  addQueueCounters,
  callContributions,
  emptyAgentCounters,
  emptyQueueCounters,
  sameAgentCounters,
  sameQueueCounters,
  subtractAgentCounters,
  subtractQueueCounters,
  type AgentCounters,
  type Contribution,
  type QueueCounters,
} from '../contact-metrics/counters.ts';
import {
  addStateTimes,
  agentFigures,
  emptyStateTimes,
  queueFigures,
  roundFigures,
  serviceLevelVariants,
  type AgentFigures,
  type StateTimes,
} from '../contact-metrics/figures.ts';
import { resolveQueueSettings, sameThresholds, type QueueSettings, type SlFormula } from '../contact-metrics/settings.ts';
import { LocalDayCache, isValidTimeZone, type LocalDay } from '../contact-metrics/zoned-time.ts';
import { AgentStateLog, compareStateEntries } from './agent-state.ts';
import { Buckets, type CounterOps } from './buckets.ts';
import { EMPTY_DIRECTORY, type DirectoryKind, type DirectorySource } from './directory.ts';
import type {
  AgentsByState,
  HelpRequest,
  LiveAgent,
  LiveChanges,
  LiveFigures,
  LiveGroup,
  LiveQueue,
  LiveSite,
  LiveSnapshot,
  LiveTeam,
  RollingFigures,
  WaitingCall,
} from './snapshot.ts';

export interface LiveEngineOptions {
  directory?: DirectorySource;
  /** zone of sites without a valid one (e.g. from the environment); default UTC */
  defaultTimeZone?: string;
  /** formula and flow-out rule of site, team and center figures (T and S are each queue's own); default the defaults */
  groupSettings?: Partial<QueueSettings>;
  /** rolling windows in minutes; default [15, 30, 60] */
  rollingWindowsMin?: readonly number[];
  /** rolling bucket size; default 60 000 (one minute); windows must be multiples of it */
  rollingSlotMs?: number;
  /** keep a completed call (ended, every leg wrapped up) this long after its last event, for late duplicates; default 5 min */
  retainCompleteMs?: number;
  /** keep an ended call still missing a wrap-up this long after its last event; default 30 min */
  retainEndedMs?: number;
  /** forget a call that has not ended after this long without events (lost events); default 4 h */
  staleOpenMs?: number;
  /** remember forgotten call ids this long (at least, at most twice), so late events for them are dropped, not re-counted; default 30 min */
  tombstoneMs?: number;
  /** how often `tick` looks for calls to forget; default 30 s */
  sweepEveryMs?: number;
  /** help requests kept for the snapshot; default 50 */
  recentHelp?: number;
}

const QUEUE_OPS: CounterOps<QueueCounters> = {
  empty: emptyQueueCounters,
  add: addQueueCounters,
  subtract: subtractQueueCounters,
  same: sameQueueCounters,
};
const AGENT_OPS: CounterOps<AgentCounters> = {
  empty: emptyAgentCounters,
  add: addAgentCounters,
  subtract: subtractAgentCounters,
  same: sameAgentCounters,
};

type CountedState = Exclude<AgentStateName, 'logged_out'>;
const BUSY: ReadonlySet<AgentStateName> = new Set<AgentStateName>(['ringing', 'on_call', 'acw']);
const emptyByState = (): AgentsByState => ({ available: 0, not_ready: 0, ringing: 0, on_call: 0, acw: 0 });

interface QueueRec {
  kind: 'queue';
  id: string;
  name: string;
  site: string;
  /** site of its first `call.queued` */
  eventSite: string | null;
  /** site of the first agent that listed it (when nothing better is known) */
  hintSite: string | null;
  settings: QueueSettings;
  buckets: Buckets<QueueCounters>;
  /** waiting call → `call.queued` ts */
  waiting: Map<string, number>;
  agents: AgentsByState;
  version: number;
}

interface SiteRec {
  kind: 'site';
  id: string;
  name: string;
  zone: string;
  /** caller view of calls whose first queue is at this site */
  caller: Buckets<QueueCounters>;
  version: number;
}

interface Assignment {
  call: string;
  /** '' when the event named none (resolved from the call at read) */
  queue: string;
  ts: number;
  id: string;
}

interface AgentRec {
  kind: 'agent';
  id: string;
  name: string;
  team: string | null;
  site: string;
  eventSite: string | null;
  dirQueues: string[] | null;
  loginQueues: string[] | null;
  loginKey: { ts: number; id: string } | null;
  log: AgentStateLog;
  buckets: Buckets<AgentCounters>;
  call: Assignment | null;
  /** how the agent is counted in its queues' `agents` now */
  counted: { state: CountedState; queues: string[] } | null;
  version: number;
}

type Entry =
  | { k: 'q'; b: Buckets<QueueCounters>; owner: QueueRec | SiteRec; day: string; slot: number; c: QueueCounters }
  | { k: 'a'; b: Buckets<AgentCounters>; owner: AgentRec; day: string; slot: number; c: AgentCounters };

interface CallRec {
  id: string;
  /** arrival order; `deriveCall` orders them */
  events: CallEvent[];
  facts: CallFacts | null;
  /** contributions currently counted */
  entries: Entry[];
  /** queues it is counted as waiting in */
  waiting: { queue: string; since: number }[];
  /** max event ts */
  lastTs: number;
  state: 'open' | 'ended' | 'complete';
  /** events arrived that do not move counters (see `LAZY`): `facts` is re-derived when read */
  stale: boolean;
}

/**
 * Event types that never change a call's counters or waiting state while the call has
 * not ended (hold times count once it has): they only mark the facts stale, saving a
 * derivation for most events of a call.
 */
const LAZY: ReadonlySet<string> = new Set(['call.offered', 'call.ivr', 'call.survey', 'call.ringing', 'call.hold', 'call.unhold']);
const LAZY_UNTIL_ENDED: ReadonlySet<string> = new Set(['call.hold', 'call.unhold']);

/** Counters of one queue (or group) for a read: today and each rolling window. */
interface ReadCounters {
  today: Readonly<QueueCounters>;
  windows: QueueCounters[];
}

function sameArray(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export class LiveEngine {
  private readonly dir: DirectorySource;
  private readonly defaultZone: string;
  private readonly groupSettings: QueueSettings;
  private readonly windowsMin: number[];
  private readonly windowSlots: number[];
  private readonly maxSlots: number;
  private readonly slotMs: number;
  private readonly retainCompleteMs: number;
  private readonly retainEndedMs: number;
  private readonly staleOpenMs: number;
  private readonly tombstoneMs: number;
  private readonly sweepEveryMs: number;
  private readonly recentHelp: number;
  private readonly dayCache = new LocalDayCache();

  private calls = new Map<string, CallRec>();
  private tomb = new Set<string>();
  private tombPrev = new Set<string>();
  private helpSeen = new Set<string>();
  private helpSeenPrev = new Set<string>();
  private tombRotatedAt: number | null = null;
  private queues = new Map<string, QueueRec>();
  private sites = new Map<string, SiteRec>();
  private agents = new Map<string, AgentRec>();
  private teamVersions = new Map<string, number>();
  private centerVersion = 0;
  private helpVersion = 0;
  private help: HelpRequest[] = [];
  private ver = 0;
  private now: number | null = null;
  private lastSlot: number | null = null;
  private lastDayKeys = new Map<string, string>();
  private lastSweep: number | null = null;
  private announced = new Set<string>();
  private rebuildClock = Number.NEGATIVE_INFINITY;

  private readonly settingsOf = (queue: string): QueueSettings => this.ensureQueue(queue, '').settings;

  /** Counts since start (or the last `reset`). */
  readonly stats = { events: 0, duplicates: 0, lateDropped: 0, evicted: 0 };

  constructor(options: LiveEngineOptions = {}) {
    this.dir = options.directory ?? EMPTY_DIRECTORY;
    const dz = options.defaultTimeZone;
    this.defaultZone = dz !== undefined && isValidTimeZone(dz) ? dz : 'UTC';
    this.groupSettings = resolveQueueSettings(options.groupSettings);
    this.slotMs = options.rollingSlotMs ?? 60_000;
    this.windowsMin = [...(options.rollingWindowsMin ?? [15, 30, 60])].sort((a, b) => a - b);
    this.windowSlots = this.windowsMin.map((m) => Math.max(1, Math.round((m * 60_000) / this.slotMs)));
    this.maxSlots = Math.max(1, ...this.windowSlots);
    this.retainCompleteMs = options.retainCompleteMs ?? 5 * 60_000;
    this.retainEndedMs = options.retainEndedMs ?? 30 * 60_000;
    this.staleOpenMs = options.staleOpenMs ?? 4 * 3_600_000;
    this.tombstoneMs = options.tombstoneMs ?? 30 * 60_000;
    this.sweepEveryMs = options.sweepEveryMs ?? 30_000;
    this.recentHelp = options.recentHelp ?? 50;
  }

  /** Monotonic version of the state: every change gets a new one. */
  get version(): number {
    return this.ver;
  }

  /** Calls held in memory (open, or completed recently). */
  get callCount(): number {
    return this.calls.size;
  }

  /** Zones of the known sites and the default zone (for `rebuildStartMs`). */
  timeZones(): string[] {
    const zones = new Set<string>([this.defaultZone]);
    for (const s of this.sites.values()) zones.add(s.zone);
    return [...zones];
  }

  // ---- write side ----------------------------------------------------------

  /**
   * Applies accepted events (validated, in any order, duplicates allowed). Each call
   * touched is re-derived once per batch.
   */
  apply(events: readonly NormalizedEvent[]): void {
    const touched = new Set<CallRec>();
    for (const n of events) {
      this.stats.events++;
      if (n.type === 'agent.state') this.applyState(n);
      else if (n.type === 'agent.help') this.applyHelp(n);
      else this.applyCallEvent(n, touched);
    }
    for (const rec of touched) this.rederive(rec);
  }

  /**
   * Advances the clock: rolls each site's "today" over at its local midnight, slides the
   * rolling windows, forgets calls that are done or stale (bounded memory). Call it about
   * once a second (any rate works).
   */
  tick(now: number): void {
    this.now = now;
    const slot = Math.floor(now / this.slotMs);
    if (slot !== this.lastSlot) {
      this.lastSlot = slot;
      const minSlot = slot - this.maxSlots + 1;
      for (const q of this.queues.values()) {
        const had = q.buckets.slots.size > 0;
        q.buckets.pruneSlots(minSlot);
        if (had) this.touchQueue(q);
      }
      for (const s of this.sites.values()) {
        const had = s.caller.slots.size > 0;
        s.caller.pruneSlots(minSlot);
        if (had) this.touchSite(s);
      }
    }
    const rolled = new Map<string, string>();
    for (const zone of this.timeZones()) {
      const key = this.dayCache.keyOf(zone, now);
      if (this.lastDayKeys.get(zone) !== key) {
        this.lastDayKeys.set(zone, key);
        rolled.set(zone, key);
      }
    }
    if (rolled.size > 0) this.rollOver(rolled);
    if (this.lastSweep === null || now - this.lastSweep >= this.sweepEveryMs) {
      this.lastSweep = now;
      this.sweep(now);
    }
  }

  /**
   * Replaces the state with what `events` give: the rebuild on start. Feed the events from
   * `rebuildStartMs(<every site zone>, now)` on, in `ts` order, plus each agent's latest
   * `agent.state` and latest login event (with `queues`) if older. Calls done long before
   * `now` are forgotten along the way, so memory stays bounded. The engine reads `id`,
   * `type`, `ts`, `site`, `call`, `agent`, `queue` and `event` (the parsed payload), not
   * `payload`.
   */
  rebuildFrom(events: Iterable<NormalizedEvent>, now: number): void {
    this.beginRebuild(now);
    let chunk: NormalizedEvent[] = [];
    for (const e of events) {
      chunk.push(e);
      if (chunk.length >= 10_000) {
        this.rebuildChunk(chunk);
        chunk = [];
      }
    }
    this.rebuildChunk(chunk);
    this.tick(now);
  }

  /**
   * Streaming rebuild, for pages of a query: `beginRebuild(now)`, `rebuildChunk(page)` for
   * each page in `ts` order, then `tick(now)`. Live events may be applied meanwhile: the
   * two streams overlap harmlessly (duplicates are dropped by id, order does not matter).
   */
  beginRebuild(now: number): void {
    this.reset();
    this.now = now;
    this.rebuildClock = Number.NEGATIVE_INFINITY;
  }

  /** One page of a streaming rebuild (see `beginRebuild`). */
  rebuildChunk(events: readonly NormalizedEvent[]): void {
    this.apply(events);
    for (const e of events) if (e.ts > this.rebuildClock) this.rebuildClock = e.ts;
    // Calls completed well before the page's end are forgotten now, not at the end.
    if (this.rebuildClock !== Number.NEGATIVE_INFINITY) this.sweep(this.now === null ? this.rebuildClock : Math.min(this.rebuildClock, this.now));
  }

  /** Forgets everything (settings stay). */
  reset(): void {
    this.calls = new Map();
    this.tomb = new Set();
    this.tombPrev = new Set();
    this.helpSeen = new Set();
    this.helpSeenPrev = new Set();
    this.tombRotatedAt = null;
    this.queues = new Map();
    this.sites = new Map();
    this.agents = new Map();
    this.teamVersions = new Map();
    this.help = [];
    this.now = null;
    this.lastSlot = null;
    this.lastDayKeys = new Map();
    this.lastSweep = null;
    this.ver++;
    this.centerVersion = this.ver;
    this.helpVersion = this.ver;
    this.stats.events = 0;
    this.stats.duplicates = 0;
    this.stats.lateDropped = 0;
    this.stats.evicted = 0;
  }

  /**
   * Re-reads the directory (names, teams, sites, zones, queue settings). Formula and
   * flow-out changes apply at once (they are read-time choices); a change of T, S, a
   * queue's site or a site's zone changes counters already made, so `rebuildNeeded`
   * asks the caller to `rebuildFrom` the store.
   */
  directoryChanged(): { rebuildNeeded: boolean } {
    let rebuildNeeded = false;
    for (const s of this.sites.values()) {
      const zone = s.zone;
      this.resolveSite(s);
      if (zone !== s.zone && s.caller.days.size > 0) rebuildNeeded = true;
      this.touchSite(s);
    }
    for (const q of this.queues.values()) {
      const { site, settings } = q;
      const zone = q.buckets.zone;
      this.resolveQueue(q);
      const changed = site !== q.site || zone !== q.buckets.zone || !sameThresholds(settings, q.settings);
      if (changed && (q.buckets.days.size > 0 || q.buckets.slots.size > 0)) rebuildNeeded = true;
      this.touchQueue(q);
    }
    for (const a of this.agents.values()) {
      const zone = a.buckets.zone;
      this.resolveAgent(a);
      if (zone !== a.buckets.zone && a.buckets.days.size > 0) rebuildNeeded = true;
      this.recount(a);
      this.touchAgent(a);
    }
    return { rebuildNeeded };
  }

  private applyCallEvent(n: NormalizedEvent, touched: Set<CallRec>): void {
    if (n.call === '') return;
    if (this.tomb.has(n.call) || this.tombPrev.has(n.call)) {
      this.stats.lateDropped++;
      return;
    }
    let rec = this.calls.get(n.call);
    if (rec === undefined) {
      rec = { id: n.call, events: [], facts: null, entries: [], waiting: [], lastTs: n.ts, state: 'open', stale: false };
      this.calls.set(n.call, rec);
    } else {
      for (const e of rec.events) {
        if (e.id === n.id) {
          this.stats.duplicates++;
          return;
        }
      }
    }
    rec.events.push(callEventOf(n));
    if (n.ts > rec.lastTs) rec.lastTs = n.ts;
    if (n.queue !== '' && n.type !== 'call.transferred') this.ensureQueue(n.queue, n.type === 'call.queued' ? n.site : '');
    if (n.agent !== '') this.assignCall(n);
    if (LAZY.has(n.type) && !(rec.state !== 'open' && LAZY_UNTIL_ENDED.has(n.type))) rec.stale = true;
    else touched.add(rec);
  }

  /**
   * Remembers the latest call that rang or was answered by the agent (by ts, then id, so
   * arrival order does not matter). Whether the agent is still on it is read from the
   * call's facts when the agent is shown (`engaged`).
   */
  private assignCall(n: NormalizedEvent): void {
    if (n.type !== 'call.ringing' && n.type !== 'call.answered') return;
    const a = this.ensureAgent(n.agent, '');
    if (a.call === null || compareStateEntries(n, a.call) >= 0) {
      a.call = { call: n.call, queue: n.queue, ts: n.ts, id: n.id };
      this.touchAgent(a);
    }
  }

  private applyState(n: NormalizedEvent): void {
    const ev = n.event as EventOf<'agent.state'>;
    const a = this.ensureAgent(n.agent, n.site);
    const state = ev.state as AgentStateName;
    if (!a.log.insert({ ts: n.ts, id: n.id, state, reason: ev.reason ?? null })) {
      this.stats.duplicates++;
      return;
    }
    if (ev.queues !== undefined && (a.loginKey === null || compareStateEntries(n, a.loginKey) >= 0)) {
      a.loginQueues = [...ev.queues];
      a.loginKey = { ts: n.ts, id: n.id };
      for (const q of ev.queues) this.ensureQueue(q, '', a.site);
    }
    this.recount(a);
    this.touchAgent(a);
  }

  private applyHelp(n: NormalizedEvent): void {
    if (this.helpSeen.has(n.id) || this.helpSeenPrev.has(n.id)) {
      this.stats.duplicates++;
      return;
    }
    this.helpSeen.add(n.id);
    const a = this.ensureAgent(n.agent, n.site);
    const c = emptyAgentCounters();
    c.help_requests = 1;
    a.buckets.add(this.dayCache.keyOf(a.buckets.zone, n.ts), this.slotOf(n.ts), c, this.minDay(a.buckets.zone), null);
    const req: HelpRequest = { id: n.id, agent: n.agent, call: n.call === '' ? null : n.call, ts: n.ts };
    let i = 0;
    while (i < this.help.length && (this.help[i] as HelpRequest).ts > n.ts) i++;
    this.help.splice(i, 0, req);
    if (this.help.length > this.recentHelp) this.help.length = this.recentHelp;
    this.helpVersion = ++this.ver;
    this.touchAgent(a);
  }

  /** Re-derives a call and moves its contribution: changed entries out, new ones in. */
  private rederive(rec: CallRec): void {
    const facts = deriveCall(rec.events);
    rec.facts = facts;
    rec.stale = false;
    rec.state = facts.complete ? 'complete' : facts.endedAt !== null ? 'ended' : 'open';
    const next: Entry[] = [];
    for (const c of callContributions(facts, this.settingsOf)) next.push(this.entryFor(c));
    const old = rec.entries;
    const unchanged = new Array<boolean>(next.length).fill(false);
    const kept = new Array<boolean>(old.length).fill(false);
    for (let i = 0; i < next.length; i++) {
      const n = next[i] as Entry;
      for (let j = 0; j < old.length; j++) {
        if (!kept[j] && sameEntry(old[j] as Entry, n)) {
          kept[j] = true;
          unchanged[i] = true;
          break;
        }
      }
    }
    for (let j = 0; j < old.length; j++) {
      if (kept[j]) continue;
      const e = old[j] as Entry;
      if (e.k === 'q') e.b.subtract(e.day, e.slot, e.c);
      else e.b.subtract(e.day, e.slot, e.c);
      this.touchOwner(e);
    }
    const minSlot = this.now === null ? null : Math.floor(this.now / this.slotMs) - this.maxSlots + 1;
    for (let i = 0; i < next.length; i++) {
      if (unchanged[i]) continue;
      const e = next[i] as Entry;
      const minDay = this.minDay(e.b.zone);
      if (e.k === 'q') e.b.add(e.day, e.slot, e.c, minDay, minSlot);
      else e.b.add(e.day, e.slot, e.c, minDay, minSlot);
      this.touchOwner(e);
    }
    rec.entries = next;

    const waiting: { queue: string; since: number }[] = [];
    for (const v of facts.visits) if (v.outcome === 'waiting') waiting.push({ queue: v.queue, since: v.enteredAt });
    this.setWaiting(rec, waiting);
  }

  private setWaiting(rec: CallRec, waiting: { queue: string; since: number }[]): void {
    const before = rec.waiting;
    if (before.length === 0 && waiting.length === 0) return;
    for (const w of before) {
      if (hasWait(waiting, w)) continue;
      const q = this.queues.get(w.queue);
      if (q && q.waiting.delete(rec.id)) this.touchQueue(q);
    }
    for (const w of waiting) {
      if (hasWait(before, w)) continue;
      const q = this.ensureQueue(w.queue, '');
      q.waiting.set(rec.id, w.since);
      this.touchQueue(q);
    }
    rec.waiting = waiting;
  }

  private entryFor(c: Contribution): Entry {
    const slot = this.slotOf(c.at);
    if (c.scope === 'agent') {
      const a = this.ensureAgent(c.key, '');
      return { k: 'a', b: a.buckets, owner: a, day: this.dayCache.keyOf(a.buckets.zone, c.at), slot, c: c.counters };
    }
    const q = this.ensureQueue(c.key, '');
    if (c.scope === 'queue') {
      return { k: 'q', b: q.buckets, owner: q, day: this.dayCache.keyOf(q.buckets.zone, c.at), slot, c: c.counters };
    }
    const s = this.ensureSite(q.site);
    return { k: 'q', b: s.caller, owner: s, day: this.dayCache.keyOf(s.caller.zone, c.at), slot, c: c.counters };
  }

  private slotOf(ts: number): number {
    return Math.floor(ts / this.slotMs);
  }

  private minDay(zone: string): string | null {
    return this.now === null ? null : this.dayCache.keyOf(zone, this.now);
  }

  private rollOver(rolled: Map<string, string>): void {
    for (const q of this.queues.values()) {
      const key = rolled.get(q.buckets.zone);
      if (key !== undefined) {
        q.buckets.pruneDays(key);
        this.touchQueue(q);
      }
    }
    for (const s of this.sites.values()) {
      const key = rolled.get(s.zone);
      if (key !== undefined) {
        s.caller.pruneDays(key);
        this.touchSite(s);
      }
    }
    for (const a of this.agents.values()) {
      const key = rolled.get(a.buckets.zone);
      if (key !== undefined) {
        a.buckets.pruneDays(key);
        if (this.now !== null) a.log.setDay(this.dayCache.dayOf(a.buckets.zone, this.now));
        this.touchAgent(a);
      }
    }
  }

  /** Forgets calls that are done (or stale) as of `clock`; their counts stay. */
  private sweep(clock: number): void {
    if (this.tombRotatedAt === null) this.tombRotatedAt = clock;
    else if (clock - this.tombRotatedAt >= this.tombstoneMs) {
      this.tombPrev = this.tomb;
      this.tomb = new Set();
      this.helpSeenPrev = this.helpSeen;
      this.helpSeen = new Set();
      this.tombRotatedAt = clock;
    }
    for (const rec of this.calls.values()) {
      const keep = rec.state === 'complete' ? this.retainCompleteMs : rec.state === 'ended' ? this.retainEndedMs : this.staleOpenMs;
      if (rec.lastTs + keep >= clock) continue;
      this.setWaiting(rec, []);
      this.calls.delete(rec.id);
      this.tomb.add(rec.id);
      this.stats.evicted++;
    }
  }

  // ---- entities --------------------------------------------------------------

  private validZone(zone: string | undefined): string {
    return zone !== undefined && isValidTimeZone(zone) ? zone : this.defaultZone;
  }

  private announce(kind: DirectoryKind, id: string, site: string): void {
    if (this.dir.firstSeen === undefined) return;
    const key = `${kind}\u0000${id}`;
    if (this.announced.has(key)) return;
    this.announced.add(key);
    this.dir.firstSeen(kind, id, site);
  }

  private ensureSite(id: string): SiteRec {
    let s = this.sites.get(id);
    if (s !== undefined) return s;
    s = { kind: 'site', id, name: id, zone: this.defaultZone, caller: new Buckets(QUEUE_OPS, this.defaultZone, true), version: ++this.ver };
    this.resolveSite(s);
    this.sites.set(id, s);
    if (id !== '') this.announce('site', id, id);
    return s;
  }

  private resolveSite(s: SiteRec): void {
    const info = this.dir.site(s.id);
    s.name = info?.name ?? s.id;
    s.zone = this.validZone(info?.timeZone);
    s.caller.zone = s.zone;
  }

  private ensureQueue(id: string, site: string, hintSite?: string): QueueRec {
    let q = this.queues.get(id);
    if (q !== undefined) {
      if (q.eventSite === null && site !== '') {
        q.eventSite = site;
        this.resolveQueue(q);
      }
      return q;
    }
    q = {
      kind: 'queue',
      id,
      name: id,
      site: '',
      eventSite: site !== '' ? site : null,
      hintSite: hintSite !== undefined && hintSite !== '' ? hintSite : null,
      settings: resolveQueueSettings(),
      buckets: new Buckets(QUEUE_OPS, this.defaultZone, true),
      waiting: new Map(),
      agents: emptyByState(),
      version: ++this.ver,
    };
    this.resolveQueue(q);
    this.queues.set(id, q);
    this.announce('queue', id, site);
    return q;
  }

  private resolveQueue(q: QueueRec): void {
    const info = this.dir.queue(q.id);
    q.name = info?.name ?? q.id;
    q.site = info?.site ?? q.eventSite ?? q.hintSite ?? '';
    q.settings = resolveQueueSettings(info?.settings);
    q.buckets.zone = this.ensureSite(q.site).zone;
  }

  private ensureAgent(id: string, site: string): AgentRec {
    let a = this.agents.get(id);
    if (a !== undefined) {
      if (site !== '' && a.eventSite !== site) {
        a.eventSite = site;
        this.resolveAgent(a);
      }
      return a;
    }
    a = {
      kind: 'agent',
      id,
      name: id,
      team: null,
      site: '',
      eventSite: site !== '' ? site : null,
      dirQueues: null,
      loginQueues: null,
      loginKey: null,
      log: new AgentStateLog(),
      buckets: new Buckets(AGENT_OPS, this.defaultZone, false),
      call: null,
      counted: null,
      version: ++this.ver,
    };
    this.resolveAgent(a);
    this.agents.set(id, a);
    this.announce('agent', id, site);
    return a;
  }

  private resolveAgent(a: AgentRec): void {
    const info = this.dir.agent(a.id);
    const team = a.team;
    a.name = info?.name ?? a.id;
    a.team = info?.team ?? null;
    a.site = info?.site ?? a.eventSite ?? '';
    a.dirQueues = info?.queues ? [...info.queues] : null;
    a.buckets.zone = this.ensureSite(a.site).zone;
    if (team !== null && team !== a.team) this.teamVersions.set(team, ++this.ver);
  }

  /** Counts the agent in its queues' `agents` by its current state. */
  private recount(a: AgentRec): void {
    const cur = a.log.current;
    const state = cur !== null && cur.state !== 'logged_out' ? cur.state : null;
    const queues = state === null ? [] : (a.loginQueues ?? a.dirQueues ?? []);
    const old = a.counted;
    if (old !== null && state !== null && old.state === state && sameArray(old.queues, queues)) return;
    if (old !== null) {
      for (const id of old.queues) {
        const q = this.queues.get(id);
        if (q) {
          q.agents[old.state]--;
          this.touchQueue(q);
        }
      }
    }
    a.counted = null;
    if (state !== null) {
      for (const id of queues) {
        const q = this.ensureQueue(id, '', a.site);
        q.agents[state]++;
        this.touchQueue(q);
      }
      a.counted = { state, queues };
    }
  }

  // ---- change tracking ---------------------------------------------------------

  private touchOwner(e: Entry): void {
    if (e.k === 'a') this.touchAgent(e.owner);
    else if (e.owner.kind === 'queue') this.touchQueue(e.owner);
    else this.touchSite(e.owner);
  }

  private touchQueue(q: QueueRec): void {
    q.version = ++this.ver;
    const s = this.sites.get(q.site);
    if (s) s.version = this.ver;
    this.centerVersion = this.ver;
  }

  private touchSite(s: SiteRec): void {
    s.version = ++this.ver;
    this.centerVersion = this.ver;
  }

  private touchAgent(a: AgentRec): void {
    a.version = ++this.ver;
    if (a.team !== null) this.teamVersions.set(a.team, this.ver);
    const s = this.sites.get(a.site);
    if (s) s.version = this.ver;
    this.centerVersion = this.ver;
  }

  /**
   * What changed after `version` (a value of `version` or of a snapshot): the push layer
   * sends those entities and remembers the returned `version`. Time alone also changes
   * what a board shows (`longest_wait_s`, time in state): clients tick those from
   * `oldest_waiting_since` and `since`. `tick` marks rolling windows and day rollovers.
   */
  changedSince(version: number): LiveChanges {
    const pick = <T extends { id: string; version: number }>(m: Map<string, T>) => {
      const out: string[] = [];
      for (const r of m.values()) if (r.version > version) out.push(r.id);
      return out;
    };
    const teams: string[] = [];
    for (const [t, v] of this.teamVersions) if (v > version) teams.push(t);
    return {
      version: this.ver,
      queues: pick(this.queues),
      agents: pick(this.agents),
      teams,
      sites: pick(this.sites),
      center: this.centerVersion > version,
      help: this.helpVersion > version,
    };
  }

  // ---- read side --------------------------------------------------------------

  private liveFigures(c: Readonly<QueueCounters>, s: Pick<QueueSettings, 'slFormula' | 'slFlowouts'>): LiveFigures {
    const variants = serviceLevelVariants(c, s.slFlowouts);
    const rounded = {} as Record<SlFormula, number | null>;
    for (const [k, v] of Object.entries(variants)) rounded[k as SlFormula] = v === null ? null : Math.round(v * 10_000) / 10_000;
    return { ...roundFigures(queueFigures(c, s)), service_level_by_formula: rounded };
  }

  private rolling(windows: readonly QueueCounters[], s: Pick<QueueSettings, 'slFormula' | 'slFlowouts'>): RollingFigures {
    const out: RollingFigures = {};
    this.windowsMin.forEach((m, i) => {
      out[`${m}m`] = this.liveFigures(windows[i] ?? emptyQueueCounters(), s);
    });
    return out;
  }

  private countersOf(b: Buckets<QueueCounters>, now: number): ReadCounters {
    return { today: b.day(this.dayCache.keyOf(b.zone, now)), windows: b.windows(this.slotOf(now), this.windowSlots) };
  }

  private waitingOf(q: QueueRec): WaitingCall[] {
    const out: WaitingCall[] = [];
    for (const [call, since] of q.waiting) out.push({ call, since });
    return out.sort((a, b) => a.since - b.since || (a.call < b.call ? -1 : 1));
  }

  private queueView(q: QueueRec, now: number, rc: ReadCounters = this.countersOf(q.buckets, now)): LiveQueue {
    const waiting = this.waitingOf(q);
    const oldest = waiting[0]?.since ?? null;
    return {
      queue: q.id,
      name: q.name,
      site: q.site,
      waiting: waiting.length,
      longest_wait_s: oldest === null ? 0 : Math.max(0, Math.round((now - oldest) / 100) / 10),
      oldest_waiting_since: oldest,
      waiting_calls: waiting,
      agents: { ...q.agents },
      today: this.liveFigures(rc.today, q.settings),
      rolling: this.rolling(rc.windows, q.settings),
      sl_threshold_s: q.settings.slThresholdS,
      short_abandon_s: q.settings.shortAbandonS,
      sl_formula: q.settings.slFormula,
      sl_flowouts: q.settings.slFlowouts,
      version: q.version,
    };
  }

  /** The agent's day, current state and today's figures. */
  private agentDay(a: AgentRec, now: number): { day: LocalDay; counters: Readonly<AgentCounters>; times: StateTimes } {
    const day = this.dayCache.dayOf(a.buckets.zone, now);
    return { day, counters: a.buckets.day(day.key), times: a.log.times(day, now) };
  }

  private agentView(a: AgentRec, now: number): LiveAgent {
    const cur = a.log.current;
    const state: AgentStateName = cur?.state ?? 'logged_out';
    const busy = BUSY.has(state) && a.call !== null && this.engaged(a.call.call, a.id);
    const { counters, times } = this.agentDay(a, now);
    return {
      agent: a.id,
      name: a.name,
      team: a.team,
      site: a.site,
      state,
      reason: cur?.reason ?? null,
      since: cur?.ts ?? null,
      queue: busy && a.call !== null ? a.call.queue || this.queueOfLeg(a.call.call, a.id) : null,
      call: busy && a.call !== null ? a.call.call : null,
      queues: [...(a.loginQueues ?? a.dirQueues ?? [])],
      today: roundFigures(agentFigures(counters, times)),
      version: a.version,
    };
  }

  /** The call's facts, re-derived if lazy events came since (counters do not change then). */
  private factsOf(call: string): CallFacts | null {
    const rec = this.calls.get(call);
    if (rec === undefined) return null;
    if (rec.stale || rec.facts === null) {
      rec.facts = deriveCall(rec.events);
      rec.stale = false;
    }
    return rec.facts;
  }

  /** Whether the agent still rings for, talks on or wraps up `call` (false once the call is forgotten). */
  private engaged(call: string, agent: string): boolean {
    const facts = this.factsOf(call);
    if (!facts) return false;
    for (const v of facts.visits) if (v.ringingAgent === agent) return true;
    for (const l of facts.legs) if (l.agent === agent && (l.endedAt === null || l.wrapupAt === null)) return true;
    return false;
  }

  /** Queue of an agent's part of a call whose answer named none (attended transfer). */
  private queueOfLeg(call: string, agent: string): string | null {
    const facts = this.factsOf(call);
    if (!facts) return null;
    for (let i = facts.legs.length - 1; i >= 0; i--) {
      const leg = facts.legs[i];
      if (leg?.agent === agent) return leg.queue;
    }
    const last = facts.visits[facts.visits.length - 1];
    return last ? last.queue : null;
  }

  private agentsByState(agents: Iterable<AgentRec>): AgentsByState {
    const out = emptyByState();
    for (const a of agents) {
      const s = a.log.current?.state;
      if (s !== undefined && s !== 'logged_out') out[s]++;
    }
    return out;
  }

  private agentTotals(agents: Iterable<AgentRec>, now: number): AgentFigures {
    const c = emptyAgentCounters();
    const t = emptyStateTimes();
    for (const a of agents) {
      const d = this.agentDay(a, now);
      addAgentCounters(c, d.counters);
      addStateTimes(t, d.times);
    }
    return roundFigures(agentFigures(c, t));
  }

  private group(
    queues: readonly QueueRec[],
    sites: readonly SiteRec[],
    agents: readonly AgentRec[],
    now: number,
    version: number,
    cache?: Map<QueueRec, ReadCounters>,
  ): LiveGroup {
    const qv: ReadCounters = { today: emptyQueueCounters(), windows: this.windowSlots.map(() => emptyQueueCounters()) };
    let waiting = 0;
    let oldest: number | null = null;
    for (const q of queues) {
      const rc = cache?.get(q) ?? this.countersOf(q.buckets, now);
      addQueueCounters(qv.today, rc.today);
      rc.windows.forEach((w, i) => addQueueCounters(qv.windows[i] as QueueCounters, w));
      waiting += q.waiting.size;
      for (const since of q.waiting.values()) if (oldest === null || since < oldest) oldest = since;
    }
    const cv: ReadCounters = { today: emptyQueueCounters(), windows: this.windowSlots.map(() => emptyQueueCounters()) };
    for (const s of sites) {
      const rc = this.countersOf(s.caller, now);
      addQueueCounters(cv.today, rc.today);
      rc.windows.forEach((w, i) => addQueueCounters(cv.windows[i] as QueueCounters, w));
    }
    const gs = this.groupSettings;
    return {
      waiting,
      longest_wait_s: oldest === null ? 0 : Math.max(0, Math.round((now - oldest) / 100) / 10),
      oldest_waiting_since: oldest,
      agents: this.agentsByState(agents),
      today: this.liveFigures(qv.today, gs),
      rolling: this.rolling(qv.windows, gs),
      caller_view: { today: this.liveFigures(cv.today, gs), rolling: this.rolling(cv.windows, gs) },
      agent_today: this.agentTotals(agents, now),
      version,
    };
  }

  private siteView(s: SiteRec, now: number, cache?: Map<QueueRec, ReadCounters>): LiveSite {
    const queues = [...this.queues.values()].filter((q) => q.site === s.id);
    const agents = [...this.agents.values()].filter((a) => a.site === s.id);
    const day = this.dayCache.dayOf(s.zone, now);
    return {
      site: s.id,
      name: s.name,
      time_zone: s.zone,
      day: day.key,
      day_start: day.start,
      day_end: day.end,
      ...this.group(queues, [s], agents, now, s.version, cache),
    };
  }

  private teamView(team: string, now: number): LiveTeam {
    const agents = [...this.agents.values()].filter((a) => a.team === team);
    return { team, agents: this.agentsByState(agents), today: this.agentTotals(agents, now), version: this.teamVersions.get(team) ?? 0 };
  }

  /** One queue at `now`, or undefined if never seen. */
  queue(id: string, now: number): LiveQueue | undefined {
    const q = this.queues.get(id);
    return q && this.queueView(q, now);
  }

  /** One agent at `now`, or undefined if never seen. */
  agent(id: string, now: number): LiveAgent | undefined {
    const a = this.agents.get(id);
    return a && this.agentView(a, now);
  }

  /** One site (its queues, agents and caller view) at `now`. */
  site(id: string, now: number): LiveSite | undefined {
    const s = this.sites.get(id);
    return s && this.siteView(s, now);
  }

  /** One team (agents whose directory team is `id`) at `now`. */
  team(id: string, now: number): LiveTeam | undefined {
    return this.teamVersions.has(id) || [...this.agents.values()].some((a) => a.team === id) ? this.teamView(id, now) : undefined;
  }

  /** The whole center at `now`. */
  center(now: number): LiveGroup {
    return this.group([...this.queues.values()], [...this.sites.values()], [...this.agents.values()], now, this.centerVersion);
  }

  /** Everything at `now`: the `GET /v1/live/snapshot` body. */
  snapshot(now: number): LiveSnapshot {
    const byId = <T extends { id: string }>(m: Map<string, T>) => [...m.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const queues = byId(this.queues);
    const cache = new Map<QueueRec, ReadCounters>();
    for (const q of queues) cache.set(q, this.countersOf(q.buckets, now));
    const agents = byId(this.agents);
    const teams = new Set<string>();
    for (const a of agents) if (a.team !== null) teams.add(a.team);
    // Sites that carry anything (the '' site only when something lacks a site).
    const sites = byId(this.sites).filter((s) => s.id !== '' || queues.some((q) => q.site === '') || agents.some((a) => a.site === ''));
    return {
      version: this.ver,
      now,
      queues: queues.map((q) => this.queueView(q, now, cache.get(q))),
      agents: agents.map((a) => this.agentView(a, now)),
      teams: [...teams].sort().map((t) => this.teamView(t, now)),
      sites: sites.map((s) => this.siteView(s, now, cache)),
      center: this.group(queues, [...this.sites.values()], agents, now, this.centerVersion, cache),
      help: this.help.map((h) => ({ ...h })),
    };
  }
}

function hasWait(list: readonly { queue: string; since: number }[], w: { queue: string; since: number }): boolean {
  for (const x of list) if (x.queue === w.queue && x.since === w.since) return true;
  return false;
}

function sameEntry(a: Entry, b: Entry): boolean {
  if (a.b !== b.b || a.day !== b.day || a.slot !== b.slot) return false;
  if (a.k === 'q' && b.k === 'q') return sameQueueCounters(a.c, b.c);
  if (a.k === 'a' && b.k === 'a') return sameAgentCounters(a.c, b.c);
  return false;
}
