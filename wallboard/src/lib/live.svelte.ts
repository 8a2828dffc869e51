/**
 * The live data of one board or filter: a WebSocket to `GET /v1/live`, the snapshot it
 * sends first (and after any gap) with the deltas applied on top, the server clock offset,
 * freshness (stale after 2× the heartbeat, delayed after 60 s, UX.md 1.6) and reconnection
 * with back-off. A revoked display token (close code 4401) stops reconnecting.
 */
import { clock } from '$ui/clock.svelte.ts';
import type { Board, HelpRequest, LiveAgent, LiveFrame, LiveGroup, LiveQueue, LiveSite, LiveTeam, Snapshot } from './contract.ts';

/** Heartbeat period of the server (contract: every 5 s when nothing changed). */
export const HEARTBEAT_MS = 5000;
export const STALE_MS = 2 * HEARTBEAT_MS;
export const DELAYED_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

export type Subscription = { board: string } | { sites: string[]; queues: string[]; teams: string[] };
export type LiveStatus = 'idle' | 'connecting' | 'open' | 'closed' | 'revoked';

function byKey<T>(list: readonly T[], key: (t: T) => string): Map<string, T> {
  return new Map(list.map((x) => [key(x), x]));
}

function merge<T>(current: readonly T[], changed: readonly T[] | undefined, key: (t: T) => string, removed: readonly string[] = []): T[] {
  if (!changed?.length && !removed.length) return current as T[];
  const m = byKey(current, key);
  for (const c of changed ?? []) m.set(key(c), c);
  for (const r of removed) m.delete(r);
  return [...m.values()];
}

export class LiveStore {
  queues = $state.raw<LiveQueue[]>([]);
  agents = $state.raw<LiveAgent[]>([]);
  sites = $state.raw<LiveSite[]>([]);
  teams = $state.raw<LiveTeam[]>([]);
  center = $state.raw<LiveGroup | null>(null);
  help = $state.raw<HelpRequest[]>([]);
  /** the board as the server last sent it (ticker edits arrive this way) */
  board = $state.raw<Board | null>(null);
  status = $state<LiveStatus>('idle');
  /** local time of the last frame of any kind (ms), null before the first */
  lastFrameAt = $state<number | null>(null);
  /** server time of the last frame, for "Updated hh:mm:ss" */
  lastFrameServerAt = $state<number | null>(null);
  /** local time, ticking every second (freshness must not depend on the frozen server clock) */
  tick = $state(Date.now());
  /** seconds until the next reconnect attempt, while waiting for it */
  retryIn = $state<number | null>(null);
  /** the server is still rebuilding today from the store after a start: figures are partial */
  rebuilding = $state(false);
  /** the server refused the subscription (e.g. unknown board): its message */
  error = $state<string | null>(null);
  /** frames received (tests and diagnostics) */
  frames = 0;

  #ws: WebSocket | null = null;
  #sub: Subscription | null = null;
  #token: string | null = null;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #tickTimer: ReturnType<typeof setInterval> | null = null;
  #closed = true;
  #froze = false;

  get hasData(): boolean {
    return this.center !== null;
  }

  /** ms since the last frame (0 before the first frame). */
  get silenceMs(): number {
    return this.lastFrameAt === null ? 0 : Math.max(0, this.tick - this.lastFrameAt);
  }
  get stale(): boolean {
    return this.lastFrameAt !== null && this.silenceMs > STALE_MS;
  }
  get delayed(): boolean {
    return this.lastFrameAt !== null && this.silenceMs > DELAYED_MS;
  }

  /** Opens the socket (or re-subscribes an open one) for `sub`; `token` is a display token (TV mode). */
  connect(sub: Subscription, token: string | null = null): void {
    const sameSocket = this.#ws && this.#token === token && this.#ws.readyState === WebSocket.OPEN;
    this.#sub = sub;
    this.#token = token;
    this.#closed = false;
    if (!this.#tickTimer) {
      this.#tickTimer = setInterval(() => {
        this.tick = Date.now();
        this.#watch();
      }, 1000);
    }
    if (sameSocket) {
      this.#send({ subscribe: sub });
      return;
    }
    this.#open();
  }

  /** Closes for good (leaving the page). */
  close(): void {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    if (this.#tickTimer) clearInterval(this.#tickTimer);
    this.#retryTimer = null;
    this.#tickTimer = null;
    const ws = this.#ws;
    this.#ws = null;
    ws?.close(1000);
    this.status = 'idle';
    if (this.#froze) clock.freeze(null);
    this.#froze = false;
  }

  #url(): string {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = this.#token ? `?token=${encodeURIComponent(this.#token)}` : '';
    return `${proto}//${location.host}/v1/live${q}`;
  }

  #open(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.retryIn = null;
    const old = this.#ws;
    this.#ws = null;
    old?.close(1000);
    this.status = 'connecting';
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.#url());
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      this.status = 'open';
      if (this.#sub) this.#send({ subscribe: this.#sub });
    };
    ws.onmessage = (e: MessageEvent) => {
      if (this.#ws !== ws || typeof e.data !== 'string') return;
      let frame: LiveFrame;
      try {
        frame = JSON.parse(e.data) as LiveFrame;
      } catch {
        return;
      }
      this.#apply(frame);
    };
    ws.onclose = (e: CloseEvent) => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      if (e.code === 4401 || e.code === 4403) {
        this.status = 'revoked';
        return;
      }
      this.status = 'closed';
      if (!this.#closed) this.#scheduleReconnect();
    };
  }

  #send(msg: unknown): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(msg));
  }

  /** Exponential back-off with jitter: 1, 2, 4 … 30 s; a successful snapshot resets it. */
  #scheduleReconnect(): void {
    if (this.#closed || this.#retryTimer) return;
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.#attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.#attempt++;
    const at = Date.now() + delay;
    this.retryIn = Math.ceil(delay / 1000);
    const count = setInterval(() => {
      if (this.retryIn === null) return clearInterval(count);
      this.retryIn = Math.max(0, Math.ceil((at - Date.now()) / 1000));
    }, 1000);
    this.#retryTimer = setTimeout(() => {
      clearInterval(count);
      this.#retryTimer = null;
      this.#open();
    }, delay);
  }

  /** A socket that stays open but silent past the stale limit is dead (server hung, proxy): reopen it. */
  #watch(): void {
    const silent = this.silenceMs;
    // Timers freeze with the data; only the store that froze the shared clock thaws it.
    if (this.delayed) {
      clock.freeze(this.lastFrameServerAt);
      this.#froze = true;
    } else if (this.#froze) {
      clock.freeze(null);
      this.#froze = false;
    }
    if (this.status === 'open' && silent > STALE_MS + HEARTBEAT_MS) {
      this.#scheduleReconnect();
    }
  }

  #apply(frame: LiveFrame): void {
    this.frames++;
    this.lastFrameAt = Date.now();
    this.tick = this.lastFrameAt;
    if (this.#froze) {
      clock.freeze(null);
      this.#froze = false;
    }
    switch (frame.type) {
      case 'snapshot': {
        this.#attempt = 0;
        this.error = null;
        this.rebuilding = frame.rebuilding === true;
        this.#load(frame.data);
        if (frame.board) this.board = frame.board;
        break;
      }
      case 'error':
        this.error = frame.error;
        break;
      case 'delta': {
        if (typeof frame.now === 'number') clock.sync(frame.now);
        this.queues = merge(this.queues, frame.queues, (q) => q.queue);
        this.agents = merge(this.agents, frame.agents, (a) => a.agent, frame.removed_agents);
        this.sites = merge(this.sites, frame.sites, (s) => s.site);
        this.teams = merge(this.teams, frame.teams, (t) => t.team);
        if (frame.center) this.center = frame.center;
        if (frame.help) this.help = frame.help;
        break;
      }
      case 'board':
        this.board = frame.board;
        break;
      case 'heartbeat':
        clock.sync(frame.now);
        break;
    }
    this.lastFrameServerAt = this.lastFrameAt + clock.offset;
  }

  #load(s: Snapshot): void {
    clock.sync(s.now);
    this.queues = s.queues ?? [];
    this.agents = s.agents ?? [];
    this.sites = s.sites ?? [];
    this.teams = s.teams ?? [];
    this.center = s.center ?? null;
    this.help = s.help ?? [];
  }
}
