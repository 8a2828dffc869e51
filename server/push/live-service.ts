/**
 * The live engine of the server: one `LiveEngine`, fed by the live bus, ticked every
 * second, rebuilt from ClickHouse on start (today in every site zone, plus each agent's
 * latest state and login before that), in pages so start-up never blocks the event loop
 * for long. Live events keep being applied while it rebuilds (the engine tolerates the
 * overlap). The push layer listens to `onUpdate` and reads the engine.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from '../../platform/log.ts';
import type { Store } from '../../platform/store/store.ts';
import type { CallboardEvent, EventType } from '../../schemas/events.ts';
import type { NormalizedEvent } from '../../schemas/validate.ts';
import { resolveQueueSettings } from '../contact-metrics/settings.ts';
import { LiveEngine, rebuildStartMs, type LiveEngineOptions } from '../live/index.ts';
import type { LiveBus } from './bus.ts';
import type { DirectoryChange, LiveDirectory } from './directory.ts';
import { AGENT_STATE_BEFORE_SQL, type AgentStateBeforeParams, type AgentStateBeforeRow } from './queries/agent-state-before.ts';
import { REBUILD_EVENTS_SQL, type RebuildEventsParams, type StoredEventRow } from './queries/rebuild-events.ts';

/** directory changes of sites, queues, agents and teams are applied together, at most this often */
const DIRECTORY_BATCH_MS = 500;

export interface LiveServiceOptions {
  store: Store;
  bus: LiveBus;
  directory: LiveDirectory;
  log: Logger;
  /** zone of sites without one; default UTC */
  defaultTimeZone?: string;
  /** rows per rebuild page; default 5000 */
  rebuildPageRows?: number;
  /** how far back an agent's last state before today is looked for; default 7 days */
  agentLookbackMs?: number;
  engine?: Omit<LiveEngineOptions, 'directory' | 'defaultTimeZone'>;
  now?: () => number;
}

/** What changed, for the push layer. */
export type LiveUpdate =
  /** the engine's state moved (events applied, tick) */
  | { kind: 'changed' }
  /** the state was replaced (a rebuild began or ended): every subscriber needs a snapshot */
  | { kind: 'reset' }
  /** a help request was acknowledged */
  | { kind: 'help' }
  /** a board, display token or help ack changed in the directory */
  | { kind: 'directory'; change: DirectoryChange };

export function storedToNormalized(r: StoredEventRow): NormalizedEvent {
  const event = JSON.parse(r.payload) as CallboardEvent;
  // The engine reads the columns and the parsed event, not the payload text: free it.
  return { id: r.id, type: r.type as EventType, ts: Number(r.t), site: r.site, call: r.call, agent: r.agent, queue: r.queue, payload: '', event };
}

export class LiveService {
  readonly engine: LiveEngine;
  readonly defaultTimeZone: string;
  private readonly opts: LiveServiceOptions;
  private readonly now: () => number;
  private readonly listeners = new Set<(u: LiveUpdate) => void>();
  private readonly acks = new Map<string, string>();
  private unsubscribeBus: (() => void) | null = null;
  private unsubscribeDir: (() => void) | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private rebuildRun: Promise<void> | null = null;
  private directoryTimer: NodeJS.Timeout | null = null;
  private directoryPending: DirectoryChange[] = [];
  private rebuildAgain = false;
  private stopped = false;
  private _rebuilding = false;
  /** longest `tick` so far, ms (a sweep of forgotten calls runs in it) */
  tickMaxMs = 0;
  /** the last rebuild: events read, ms */
  lastRebuild: { events: number; ms: number; from: number } | null = null;

  constructor(opts: LiveServiceOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.defaultTimeZone = opts.defaultTimeZone ?? 'UTC';
    this.engine = new LiveEngine({ ...opts.engine, directory: opts.directory, defaultTimeZone: this.defaultTimeZone });
  }

  get rebuilding(): boolean {
    return this._rebuilding;
  }

  /** Subscribes to the bus, starts the clock, and starts the rebuild (resolves when it is done). */
  start(): Promise<void> {
    this.unsubscribeBus = this.opts.bus.subscribe((events) => {
      this.engine.apply(events);
      this.emit({ kind: 'changed' });
    });
    const unsub = this.opts.directory.onChange?.((change) => this.directoryChanged(change));
    this.unsubscribeDir = typeof unsub === 'function' ? unsub : null;
    this.ticker = setInterval(() => {
      const v = this.engine.version;
      const t0 = performance.now();
      this.engine.tick(this.now());
      const ms = performance.now() - t0;
      if (ms > this.tickMaxMs) this.tickMaxMs = ms;
      if (this.engine.version !== v) this.emit({ kind: 'changed' });
    }, 1000);
    this.ticker.unref();
    return this.rebuild();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribeBus?.();
    this.unsubscribeDir?.();
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    if (this.directoryTimer) clearTimeout(this.directoryTimer);
    this.directoryTimer = null;
  }

  onUpdate(listener: (u: LiveUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Who acknowledged help request `id`, if anyone. */
  helpAckedBy(id: string): string | undefined {
    return this.acks.get(id) ?? this.opts.directory.helpAckedBy?.(id);
  }

  /** Acknowledges a help request: recorded by the directory when it can, pushed to every board. */
  async ackHelp(id: string, by: string): Promise<void> {
    await this.opts.directory.ackHelp?.(id, by);
    this.acks.set(id, by);
    if (this.acks.size > 10_000) this.acks.delete(this.acks.keys().next().value as string);
    this.emit({ kind: 'help' });
  }

  /**
   * Rebuilds the engine from the store (serialised: a request during a rebuild runs one
   * more after it). Logs the events read and the time.
   */
  rebuild(): Promise<void> {
    if (this.rebuildRun) {
      this.rebuildAgain = true;
      return this.rebuildRun;
    }
    this.rebuildRun = (async () => {
      do {
        this.rebuildAgain = false;
        await this.rebuildOnce();
      } while (this.rebuildAgain && !this.stopped);
    })().finally(() => {
      this.rebuildRun = null;
    });
    return this.rebuildRun;
  }

  private async rebuildOnce(): Promise<void> {
    const { store, log } = this.opts;
    const pageRows = this.opts.rebuildPageRows ?? 5000;
    const started = performance.now();
    const now = this.now();
    const zones = new Set<string>([this.defaultTimeZone, ...this.engine.timeZones(), ...(this.opts.directory.timeZones?.() ?? [])]);
    const from = rebuildStartMs(zones, now);
    this._rebuilding = true;
    this.engine.beginRebuild(now);
    this.emit({ kind: 'reset' });
    let events = 0;
    try {
      // Agents signed in before the range: their state (and queues) at its start.
      const lookback = from - (this.opts.agentLookbackMs ?? 7 * 86_400_000);
      for (const loginOnly of [1, 0] as const) {
        const rows = await store.query<AgentStateBeforeRow>(AGENT_STATE_BEFORE_SQL, { from: lookback, before: from, loginOnly } satisfies AgentStateBeforeParams);
        this.engine.rebuildChunk(rows.map(storedToNormalized));
        events += rows.length;
      }
      // Then the range itself, page by page, each page a short slice of the event loop.
      const to = now + 86_400_000;
      let afterTs = from - 1;
      let afterId = '';
      for (;;) {
        if (this.stopped) return;
        const rows = await store.query<StoredEventRow>(REBUILD_EVENTS_SQL, { from, to, afterTs, afterId, limit: pageRows } satisfies RebuildEventsParams);
        if (rows.length === 0) break;
        this.engine.rebuildChunk(rows.map(storedToNormalized));
        events += rows.length;
        const last = rows[rows.length - 1] as StoredEventRow;
        afterTs = Number(last.t);
        afterId = last.id;
        if (rows.length < pageRows) break;
        await yieldToLoop();
      }
    } catch (err) {
      log('error', 'live rebuild failed: boards show only the events received since', { error: String(err), events });
    } finally {
      this.engine.tick(this.now());
      this._rebuilding = false;
      const ms = Math.round(performance.now() - started);
      this.lastRebuild = { events, ms, from };
      log('info', 'live engine rebuilt', { events, ms, from: new Date(from).toISOString(), zones: [...zones] });
      this.emit({ kind: 'reset' });
    }
  }

  /**
   * Names, sites, teams and settings: the engine re-reads the whole directory, so changes
   * (hundreds at once when first-seen rows are written) are applied together, at most once
   * per `DIRECTORY_BATCH_MS`, and only when one of them changes what the engine shows; the
   * next delta then carries every entity. Boards, display tokens
   * and help acks go to the push layer at once.
   */
  private directoryChanged(change: DirectoryChange): void {
    if (change.kind === 'site' || change.kind === 'queue' || change.kind === 'agent' || change.kind === 'team') {
      this.directoryPending.push(change);
      if (this.directoryTimer !== null || this.stopped) return;
      this.directoryTimer = setTimeout(() => {
        this.directoryTimer = null;
        const pending = this.directoryPending;
        this.directoryPending = [];
        // A re-read touches every entity (a full delta to every board): only when something differs.
        if (this.stopped || !pending.some((c) => this.differs(c))) return;
        const { rebuildNeeded } = this.engine.directoryChanged();
        if (rebuildNeeded) void this.rebuild();
        this.emit({ kind: 'changed' });
      }, DIRECTORY_BATCH_MS);
      return;
    }
    this.emit({ kind: 'directory', change });
  }

  /** Whether a directory change would change what the engine shows (rows rewritten unchanged, e.g. first-seen ones, do not). */
  private differs(c: DirectoryChange): boolean {
    const now = this.now();
    const dir = this.opts.directory;
    if (c.kind === 'agent') {
      const info = dir.agent(c.id);
      const cur = this.engine.agent(c.id, now);
      if (!cur) return false; // not shown yet: read when first seen
      const queues = info?.queues ? [...info.queues] : null;
      return (info?.name ?? c.id) !== cur.name || (info?.team ?? null) !== cur.team || (info?.site !== undefined && info.site !== cur.site) || (queues !== null && cur.queues.join() !== queues.join());
    }
    if (c.kind === 'queue') {
      const info = dir.queue(c.id);
      const cur = this.engine.queue(c.id, now);
      if (!cur) return false;
      const st = resolveQueueSettings(info?.settings);
      return (
        (info?.name ?? c.id) !== cur.name ||
        (info?.site !== undefined && info.site !== cur.site) ||
        st.slThresholdS !== cur.sl_threshold_s ||
        st.shortAbandonS !== cur.short_abandon_s ||
        st.slFormula !== cur.sl_formula ||
        st.slFlowouts !== cur.sl_flowouts
      );
    }
    if (c.kind === 'site') {
      const info = dir.site(c.id);
      const cur = this.engine.site(c.id, now);
      if (!cur) return false;
      return (info?.name ?? c.id) !== cur.name || (info?.timeZone !== undefined && info.timeZone !== cur.time_zone);
    }
    return true;
  }

  private emit(u: LiveUpdate): void {
    for (const l of this.listeners) {
      try {
        l(u);
      } catch (err) {
        this.opts.log('error', 'live listener failed', { error: String(err) });
      }
    }
  }
}
