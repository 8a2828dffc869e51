/**
 * Push of live data over WebSocket `GET /v1/live` (protocol in the README "Live"):
 * - a client subscribes to a board (`{"subscribe":{"board":id}}`) or a filter
 *   (`{"subscribe":{"sites":[],"queues":[],"teams":[]}}`) and gets a full snapshot at once;
 * - each view is a uWS topic; changes are coalesced to at most one frame per
 *   `minFrameMs` (100 ms) per topic, the frame is built once per topic and fanned out
 *   with `publish` (one socket is on one view topic, so at most one delta per 100 ms each);
 *   the aggregates (sites, teams, center) ride along at most every `groupMinFrameMs` (500 ms);
 * - a heartbeat when a topic sent nothing for `heartbeatMs` (5 s);
 * - a slow socket (more than `slowBytes` unsent) leaves its topic and gets a fresh snapshot
 *   once it drains; `maxBackpressure` bounds what uWS ever buffers for it;
 * - board changes (and its ticker) as `{"type":"board"}`; a revoked display token or a
 *   signed-out session is closed with 4401.
 */
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { Authenticator, Credentials, Principal } from '../../platform/auth.ts';
import type { Logger } from '../../platform/log.ts';
import type { LiveChanges, LiveSnapshot } from '../live/index.ts';
import type { LiveBoard, LiveDirectory } from './directory.ts';
import type { LiveService, LiveUpdate } from './live-service.ts';
import { agentInView, filterSnapshot, isAll, normalizeFilter, queueInView, topicOf, withAcks, type ViewFilter } from './views.ts';

export interface LiveSocketData {
  principal: Principal;
  creds: Credentials;
  /** the view topic the socket is on (null before its first subscribe) */
  topic: string | null;
  board: string | null;
  /** skipped for being slow: gets a snapshot when it drains */
  stale: boolean;
  closed: boolean;
  /** subscribe requests answered, so an older async answer never overrides a newer one */
  seq: number;
  /** when its credentials are checked again (spread over `recheckMs`, set on open) */
  recheckAt?: number;
}

type LiveSocket = WebSocket<LiveSocketData>;

export interface HubOptions {
  /** at most one frame per topic per this many ms; default 100 */
  minFrameMs?: number;
  /** heartbeat after this long without a frame; default 5000 */
  heartbeatMs?: number;
  /**
   * site, team and center aggregates go at most this often per topic (default 500 ms):
   * they are the larger part of a frame and change with every event; queues and agents
   * (waiting calls, states) go every `minFrameMs`
   */
  groupMinFrameMs?: number;
  /** a socket with more unsent bytes is skipped until it drains; default 512 KiB */
  slowBytes?: number;
  /** credentials of open sockets are checked again this often; default 30 s */
  recheckMs?: number;
  /** told, per flush that published, how long (ms) its oldest change waited (coalescing + event-loop delay) */
  onPushDelay?: (ms: number) => void;
}

interface Topic {
  name: string;
  filter: ViewFilter;
  sockets: Set<LiveSocket>;
  /** engine version the last delta (or the first snapshot) covered */
  version: number;
  /** agents shown (filtered views), to tell `removed_agents` */
  members: Set<string> | null;
  /** sites and teams shown (filtered views) */
  siteIds: Set<string>;
  teamIds: Set<string>;
  /** group aggregates changed and not sent yet, and when (performance.now()) they last went */
  groups: { sites: Set<string>; teams: Set<string>; center: boolean; sentAt: number };
  lastFrameAt: number;
  /** snapshot `data` JSON at the current flush period (dropped at every flush), and its engine version */
  snapshotJson: string | null;
  snapshotVersion: number;
}

/** WebSocket close code for revoked or expired credentials. */
export const CLOSE_UNAUTHORIZED = 4401;
const MAX_MESSAGE_BYTES = 16 * 1024;

export class LiveHub {
  private readonly topics = new Map<string, Topic>();
  private readonly sockets = new Set<LiveSocket>();
  private readonly minFrameMs: number;
  private readonly heartbeatMs: number;
  private readonly groupMinFrameMs: number;
  private groupTimer: NodeJS.Timeout | null = null;
  readonly slowBytes: number;
  private readonly recheckMs: number;
  private timer: NodeJS.Timeout | null = null;
  private immediate = false;
  private lastFlushAt = 0;
  private helpDirty = false;
  /** when the oldest change not yet pushed arrived */
  private pendingSince: number | null = null;
  private readonly onPushDelay: ((ms: number) => void) | undefined;
  private snap: LiveSnapshot | null = null;
  private clock: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  /** counters for /metrics and the bench */
  readonly stats = { frames: 0, snapshots: 0, heartbeats: 0, slowSkipped: 0, resynced: 0, flushMs: 0, bufferedMax: 0, bufferedNow: 0 };

  constructor(
    private readonly app: TemplatedApp,
    private readonly live: LiveService,
    private readonly directory: LiveDirectory,
    private readonly auth: Authenticator,
    private readonly log: Logger,
    opts: HubOptions = {},
  ) {
    this.minFrameMs = opts.minFrameMs ?? 100;
    this.heartbeatMs = opts.heartbeatMs ?? 5000;
    this.groupMinFrameMs = opts.groupMinFrameMs ?? 500;
    this.slowBytes = opts.slowBytes ?? 512 * 1024;
    this.recheckMs = opts.recheckMs ?? 30_000;
    this.onPushDelay = opts.onPushDelay;
    this.unsubscribe = live.onUpdate((u) => this.onUpdate(u));
    this.clock = setInterval(() => this.everySecond(), 1000);
    this.clock.unref();
  }

  get socketCount(): number {
    return this.sockets.size;
  }

  get topicCount(): number {
    return this.topics.size;
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.clock) clearInterval(this.clock);
    if (this.timer) clearTimeout(this.timer);
    if (this.groupTimer) clearTimeout(this.groupTimer);
    for (const ws of [...this.sockets]) {
      ws.getUserData().closed = true;
      ws.end(1001, 'server shutting down');
    }
  }

  // ---- socket life ---------------------------------------------------------

  opened(ws: LiveSocket): void {
    this.sockets.add(ws);
    // Spread the checks: a thousand sockets opened together must not all be checked in one turn.
    ws.getUserData().recheckAt = Date.now() + this.recheckMs * (0.5 + Math.random());
  }

  closed(ws: LiveSocket): void {
    const d = ws.getUserData();
    d.closed = true;
    this.sockets.delete(ws);
    if (d.topic !== null) this.topics.get(d.topic)?.sockets.delete(ws);
  }

  drained(ws: LiveSocket): void {
    const d = ws.getUserData();
    if (d.stale && !d.closed && ws.getBufferedAmount() < this.slowBytes / 2) this.resync(ws);
  }

  message(ws: LiveSocket, raw: ArrayBuffer): void {
    const d = ws.getUserData();
    if (raw.byteLength > MAX_MESSAGE_BYTES) return this.error(ws, 'message: too large');
    let msg: unknown;
    try {
      msg = JSON.parse(Buffer.from(raw).toString('utf8'));
    } catch {
      return this.error(ws, 'message: must be JSON');
    }
    const sub = (msg as { subscribe?: unknown } | null)?.subscribe;
    if (typeof sub !== 'object' || sub === null || Array.isArray(sub)) {
      return this.error(ws, 'subscribe: expected {"subscribe":{"board":"<id>"}} or {"subscribe":{"sites":[],"queues":[],"teams":[]}}');
    }
    const seq = ++d.seq;
    const s = sub as { board?: unknown; sites?: unknown; queues?: unknown; teams?: unknown };
    if (s.board !== undefined) {
      if (typeof s.board !== 'string' || s.board === '') return this.error(ws, 'subscribe.board: must be a board id');
      const boardId = s.board;
      if (d.principal.kind === 'display' && !(d.principal.boards ?? []).includes(boardId)) {
        return this.error(ws, `subscribe.board: this display token may not show board ${boardId}`);
      }
      void this.loadBoard(boardId)
        .then((board) => {
          if (d.closed || seq !== d.seq) return;
          if (board === undefined) return this.error(ws, `subscribe.board: unknown board ${boardId}`);
          this.subscribe(ws, normalizeFilter(board.filter), board);
        })
        .catch((err: unknown) => {
          this.log('error', 'live: reading a board failed', { board: boardId, error: String(err) });
          this.error(ws, 'subscribe.board: cannot read the board now, retry');
        });
      return;
    }
    if (d.principal.kind === 'display') return this.error(ws, 'subscribe: a display token subscribes to its boards only');
    for (const k of ['sites', 'queues', 'teams'] as const) {
      const v = s[k];
      if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) return this.error(ws, `subscribe.${k}: must be an array of ids`);
    }
    this.subscribe(ws, normalizeFilter(s as { sites?: string[]; queues?: string[]; teams?: string[] }), null);
  }

  // ---- subscriptions ---------------------------------------------------------

  private async loadBoard(id: string): Promise<LiveBoard | undefined> {
    if (!this.directory.board) return undefined;
    return await this.directory.board(id);
  }

  private subscribe(ws: LiveSocket, filter: ViewFilter, board: LiveBoard | null): void {
    const d = ws.getUserData();
    this.leave(ws);
    if (d.board !== null && d.board !== board?.id) ws.unsubscribe(`board:${d.board}`);
    d.board = board?.id ?? null;
    if (board) ws.subscribe(`board:${board.id}`);
    const topic = this.topicFor(filter);
    d.topic = topic.name;
    topic.sockets.add(ws);
    this.sendSnapshot(ws, topic, board);
  }

  /** Takes the socket off its view topic (it stays assigned to it). */
  private leave(ws: LiveSocket): void {
    const d = ws.getUserData();
    if (d.topic === null) return;
    const t = this.topics.get(d.topic);
    if (t) {
      t.sockets.delete(ws);
      if (t.sockets.size === 0) this.topics.delete(t.name);
    }
    ws.unsubscribe(d.topic);
  }

  private topicFor(filter: ViewFilter): Topic {
    const name = topicOf(filter);
    let t = this.topics.get(name);
    if (!t) {
      // version -1: set by its first snapshot, so its first delta starts where that snapshot ends
      t = { name, filter, sockets: new Set(), version: -1, members: isAll(filter) ? null : new Set(), siteIds: new Set(), teamIds: new Set(), groups: { sites: new Set(), teams: new Set(), center: false, sentAt: 0 }, lastFrameAt: Date.now(), snapshotJson: null, snapshotVersion: 0 };
      this.topics.set(name, t);
    }
    return t;
  }

  /** Sends the view's snapshot and (re)joins its topic; a slow socket stays off it until it drains. */
  private sendSnapshot(ws: LiveSocket, topic: Topic, board: LiveBoard | null): void {
    const d = ws.getUserData();
    if (d.closed) return;
    if (topic.snapshotJson === null) {
      // Built after the topic's last flush, so its next delta (changes since that flush) covers
      // everything after this snapshot; a new topic's deltas start at this snapshot.
      const snap = this.engineSnapshot();
      const data = filterSnapshot(snap, topic.filter, (id) => this.live.helpAckedBy(id));
      if (topic.members) topic.members = new Set(data.agents.map((a) => a.agent));
      topic.siteIds = new Set([...topic.filter.sites, ...data.sites.map((x) => x.site)]);
      topic.teamIds = new Set([...topic.filter.teams, ...data.teams.map((x) => x.team)]);
      topic.snapshotJson = JSON.stringify(data);
      topic.snapshotVersion = snap.version;
      if (topic.version < 0) topic.version = snap.version;
    }
    const version = topic.snapshotVersion;
    const rebuilding = this.live.rebuilding ? ',"rebuilding":true' : '';
    const boardJson = board ? `,"board":${JSON.stringify(board)}` : '';
    const frame = `{"type":"snapshot","version":${version}${rebuilding}${boardJson},"data":${topic.snapshotJson}}`;
    d.stale = false;
    ws.send(frame);
    this.stats.snapshots++;
    if (ws.getBufferedAmount() > this.slowBytes) {
      // Still behind: stay off the topic; `drain` tries again.
      d.stale = true;
      return;
    }
    ws.subscribe(topic.name);
  }

  /** A fresh snapshot for a socket that missed frames (slow, rebuilt engine, directory change). */
  private resync(ws: LiveSocket): void {
    const d = ws.getUserData();
    if (d.closed || d.topic === null) return;
    const topic = this.topics.get(d.topic) ?? this.topicFor(this.filterOf(d.topic));
    topic.sockets.add(ws);
    this.stats.resynced++;
    if (d.board !== null) {
      const boardId = d.board;
      void this.loadBoard(boardId)
        .then((board) => {
          if (d.closed) return;
          if (board === undefined) return this.error(ws, `board: board ${boardId} was deleted`);
          const filter = normalizeFilter(board.filter);
          if (topicOf(filter) !== topic.name) this.subscribe(ws, filter, board);
          else this.sendSnapshot(ws, topic, board);
        })
        .catch((err: unknown) => this.log('error', 'live: reading a board failed', { board: boardId, error: String(err) }));
      return;
    }
    this.sendSnapshot(ws, topic, null);
  }

  private filterOf(name: string): ViewFilter {
    for (const t of this.topics.values()) if (t.name === name) return t.filter;
    if (name === 'center') return normalizeFilter(undefined);
    const [kind, id] = [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)];
    if (kind === 'site') return normalizeFilter({ sites: [id] });
    if (kind === 'queue') return normalizeFilter({ queues: [id] });
    if (kind === 'team') return normalizeFilter({ teams: [id] });
    const [sites, queues, teams] = JSON.parse(id) as [string[], string[], string[]];
    return normalizeFilter({ sites, queues, teams });
  }

  private error(ws: LiveSocket, error: string): void {
    if (!ws.getUserData().closed) ws.send(JSON.stringify({ type: 'error', error }));
  }

  private engineSnapshot(): LiveSnapshot {
    this.snap ??= this.live.engine.snapshot(Date.now());
    return this.snap;
  }

  // ---- updates -----------------------------------------------------------------

  private onUpdate(u: LiveUpdate): void {
    switch (u.kind) {
      case 'changed':
        this.requestFlush();
        break;
      case 'help':
        this.helpDirty = true;
        this.requestFlush();
        break;
      case 'reset':
        // A rebuild began (nothing is pushed while it runs) or ended: everyone gets a snapshot.
        if (!this.live.rebuilding) this.resyncAll();
        break;
      case 'directory':
        this.directoryChanged(u.change.kind, u.change.id);
        break;
    }
  }

  private resyncAll(): void {
    this.dropCaches();
    for (const t of this.topics.values()) t.version = -1;
    for (const ws of this.sockets) if (ws.getUserData().topic !== null) this.resync(ws);
  }

  private directoryChanged(kind: string, id: string): void {
    if (kind === 'help') {
      this.helpDirty = true;
      this.requestFlush();
    } else if (kind === 'board') {
      for (const ws of this.sockets) {
        const d = ws.getUserData();
        if (d.board !== id || d.closed) continue;
        void this.loadBoard(id)
          .then((board) => {
            if (d.closed || d.board !== id) return;
            if (board === undefined) return this.error(ws, `board: board ${id} was deleted`);
            const filter = normalizeFilter(board.filter);
            if (topicOf(filter) !== d.topic) this.subscribe(ws, filter, board);
            else ws.send(JSON.stringify({ type: 'board', board }));
          })
          .catch((err: unknown) => this.log('error', 'live: reading a board failed', { board: id, error: String(err) }));
      }
    } else if (kind === 'display_token') {
      for (const ws of this.sockets) {
        const p = ws.getUserData().principal;
        if (p.kind === 'display' && p.id === id) void this.recheck(ws);
      }
    }
  }

  /** Closes the socket with 4401 when its credentials no longer give live access. */
  private async recheck(ws: LiveSocket, principal?: Promise<Principal | null>): Promise<void> {
    const d = ws.getUserData();
    let p: Principal | null = null;
    try {
      p = await (principal ?? this.auth.authenticate(d.creds));
    } catch (err) {
      this.log('warn', 'live: credential check failed', { error: String(err) });
      return;
    }
    if (d.closed) return;
    const boardGone = p?.kind === 'display' && d.board !== null && !(p.boards ?? []).includes(d.board);
    if (!p || !p.scopes.has('live') || boardGone) {
      d.closed = true;
      ws.end(CLOSE_UNAUTHORIZED, 'credentials revoked');
      return;
    }
    d.principal = p;
  }

  private everySecond(): void {
    const now = Date.now();
    for (const t of this.topics.values()) {
      if (now - t.lastFrameAt >= this.heartbeatMs && !this.live.rebuilding) {
        t.lastFrameAt = now;
        this.app.publish(t.name, `{"type":"heartbeat","now":${now}}`);
        this.stats.heartbeats++;
      }
    }
    for (const ws of this.sockets) {
      const d = ws.getUserData();
      if (d.stale && !d.closed && ws.getBufferedAmount() < this.slowBytes / 2) this.resync(ws);
    }
    // Credentials due for a check: one look-up per distinct credential (a wall of displays shares a few).
    const byCreds = new Map<string, Promise<Principal | null>>();
    for (const ws of this.sockets) {
      const d = ws.getUserData();
      if (d.closed || (d.recheckAt ?? 0) > now) continue;
      d.recheckAt = now + this.recheckMs;
      const key = `${d.creds.authorization}\u0000${d.creds.cookie}\u0000${d.creds.queryToken ?? ''}`;
      let p = byCreds.get(key);
      if (!p) {
        p = this.auth.authenticate(d.creds);
        p.catch(() => undefined);
        byCreds.set(key, p);
      }
      void this.recheck(ws, p);
    }
  }

  // ---- deltas --------------------------------------------------------------------

  private requestFlush(): void {
    this.pendingSince ??= performance.now();
    if (this.timer !== null || this.immediate) return;
    const wait = this.lastFlushAt + this.minFrameMs - performance.now();
    if (wait <= 0) {
      // Let the rest of this turn's events join the frame.
      this.immediate = true;
      setImmediate(() => {
        this.immediate = false;
        this.flush();
      });
    } else {
      // +1: timers may fire up to a millisecond early against performance.now()
      this.timer = setTimeout(() => {
        this.timer = null;
        if (performance.now() - this.lastFlushAt < this.minFrameMs) this.requestFlush();
        else this.flush();
      }, Math.ceil(wait) + 1);
    }
  }

  private dropCaches(): void {
    this.snap = null;
    for (const t of this.topics.values()) t.snapshotJson = null;
  }

  /** Builds one delta per topic with changes and publishes it. */
  flush(): void {
    const started = performance.now();
    const now = Date.now();
    this.lastFlushAt = started;
    if (this.live.rebuilding) return;
    this.snap = null; // help lists come from a snapshot at this flush's version
    const engine = this.live.engine;
    const version = engine.version;
    const helpDirty = this.helpDirty;
    this.helpDirty = false;
    const pendingSince = this.pendingSince;
    this.pendingSince = null;
    let published = false;
    let buffered = 0;
    let groupsWaiting = false;
    const nowMono = started;
    const changes = new Map<number, LiveChanges>();
    const queueJson = new Map<string, { json: string; site: string; queue: string } | null>();
    const agentJson = new Map<string, { json: string; site: string; team: string | null; queues: string[]; queue: string | null } | null>();
    const siteJson = new Map<string, string | null>();
    const teamJson = new Map<string, string | null>();
    let centerJson: string | null = null;
    let help: LiveSnapshot['help'] | null = null;
    for (const t of this.topics.values()) {
      if (t.sockets.size === 0) {
        this.topics.delete(t.name);
        continue;
      }
      if (t.version < 0 || (t.version === version && !helpDirty)) continue;
      let ch = changes.get(t.version);
      if (!ch) changes.set(t.version, (ch = engine.changedSince(t.version)));
      t.version = version;
      const f = t.filter;
      const all = isAll(f);
      const queues: string[] = [];
      const siteIds = t.siteIds;
      const teamIds = t.teamIds;
      for (const id of ch.queues) {
        let q = queueJson.get(id);
        if (q === undefined) {
          const v = engine.queue(id, now);
          q = v ? { json: JSON.stringify(v), site: v.site, queue: v.queue } : null;
          queueJson.set(id, q);
        }
        if (q && (all || queueInView(f, q))) {
          queues.push(q.json);
          if (f.sites.length === 0) siteIds.add(q.site);
        }
      }
      const agents: string[] = [];
      const removed: string[] = [];
      for (const id of ch.agents) {
        let a = agentJson.get(id);
        if (a === undefined) {
          const v = engine.agent(id, now);
          a = v ? { json: JSON.stringify(v), site: v.site, team: v.team, queues: v.queues, queue: v.queue } : null;
          agentJson.set(id, a);
        }
        if (!a) continue;
        if (all || agentInView(f, a)) {
          agents.push(a.json);
          t.members?.add(id);
          if (f.teams.length === 0 && a.team !== null) teamIds.add(a.team);
        } else if (t.members?.delete(id)) removed.push(JSON.stringify(id));
      }
      // Group aggregates (sites, teams, center) wait for `groupMinFrameMs` since they last went.
      for (const id of ch.sites) if ((all && id !== '') || (!all && siteIds.has(id))) t.groups.sites.add(id);
      for (const id of ch.teams) if (all || teamIds.has(id)) t.groups.teams.add(id);
      if (ch.center) t.groups.center = true;
      const groupsDue = nowMono - t.groups.sentAt >= this.groupMinFrameMs;
      const pendingGroups = t.groups.sites.size + t.groups.teams.size > 0 || t.groups.center;
      if (pendingGroups && !groupsDue) groupsWaiting = true;
      const sites: string[] = [];
      for (const id of groupsDue ? t.groups.sites : []) {
        let s = siteJson.get(id);
        if (s === undefined) {
          const v = engine.site(id, now);
          s = v ? JSON.stringify(v) : null;
          siteJson.set(id, s);
        }
        if (s) sites.push(s);
      }
      const teams: string[] = [];
      for (const id of groupsDue ? t.groups.teams : []) {
        let s = teamJson.get(id);
        if (s === undefined) {
          const v = engine.team(id, now);
          s = v ? JSON.stringify(v) : null;
          teamJson.set(id, s);
        }
        if (s) teams.push(s);
      }
      let helpPart = '';
      if (ch.help || helpDirty) {
        help ??= withAcks(this.engineSnapshot().help, (id) => this.live.helpAckedBy(id));
        const list = all ? help : help.filter((h) => t.members?.has(h.agent));
        helpPart = `,"help":${JSON.stringify(list)}`;
      }
      let centerPart = '';
      if (groupsDue && t.groups.center) {
        centerJson ??= JSON.stringify(engine.center(now));
        centerPart = `,"center":${centerJson}`;
      }
      if (groupsDue && pendingGroups) {
        t.groups = { sites: new Set(), teams: new Set(), center: false, sentAt: nowMono };
      }
      if (queues.length + agents.length + removed.length + sites.length + teams.length === 0 && centerPart === '' && helpPart === '') continue;
      const frame =
        `{"type":"delta","version":${version},"now":${now},"queues":[${queues.join(',')}],"agents":[${agents.join(',')}],` +
        `"removed_agents":[${removed.join(',')}],"sites":[${sites.join(',')}],"teams":[${teams.join(',')}]${centerPart}${helpPart}}`;
      this.app.publish(t.name, frame);
      published = true;
      t.lastFrameAt = now;
      this.stats.frames++;
      // Sockets that fell behind leave the topic (no unbounded buffer) and resync on drain.
      for (const ws of t.sockets) {
        const d = ws.getUserData();
        const unsent = ws.getBufferedAmount();
        buffered += unsent;
        if (unsent > this.stats.bufferedMax) this.stats.bufferedMax = unsent;
        if (!d.stale && unsent > this.slowBytes) {
          d.stale = true;
          ws.unsubscribe(t.name);
          this.stats.slowSkipped++;
        }
      }
    }
    if (published) this.stats.bufferedNow = buffered;
    // Group changes held back: make sure a flush comes for them even if nothing else changes.
    if (groupsWaiting && this.groupTimer === null) {
      this.groupTimer = setTimeout(() => {
        this.groupTimer = null;
        this.requestFlush();
      }, this.groupMinFrameMs);
    }
    this.dropCaches();
    const ended = performance.now();
    // The next frame of any topic goes at least minFrameMs after this one's last publish.
    this.lastFlushAt = ended;
    this.stats.flushMs += ended - started;
    if (published && pendingSince !== null) this.onPushDelay?.(ended - pendingSince);
  }
}
