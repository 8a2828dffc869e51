/**
 * Live routes: WebSocket `GET /v1/live`, `GET /v1/live/snapshot`,
 * `GET /v1/live/history`, `POST /v1/live/help/:id/ack`. Every route checks the caller:
 * live data needs the `live` scope (admin, supervisor, manager, qa) or a display token;
 * acknowledging help needs the admin or supervisor role.
 */
import type { TemplatedApp } from 'uWebSockets.js';
import type { Authenticator, Credentials, Principal } from '../../platform/auth.ts';
import { guard, requestInfo, sendError, sendJson, type Reply, type RequestInfo } from '../../platform/http/uws.ts';
import type { Logger } from '../../platform/log.ts';
import type { Registry } from '../../platform/metrics.ts';
import type { Store } from '../../platform/store/store.ts';
import { resolveQueueSettings, type QueueSettings } from '../contact-metrics/index.ts';
import type { LiveDirectory } from './directory.ts';
import { LiveHistory, type HistoryScope } from './history.ts';
import { LiveHub, type HubOptions, type LiveSocketData } from './hub.ts';
import type { LiveService } from './live-service.ts';
import { filterSnapshot, normalizeFilter } from './views.ts';

export interface LiveRouteDeps {
  live: LiveService;
  directory: LiveDirectory;
  auth: Authenticator;
  store: Store;
  log: Logger;
  metrics?: Registry;
  hub?: HubOptions;
}

const HELP_ACK_ROLES = new Set(['admin', 'supervisor']);
/** unsent bytes after which uWS drops frames for a socket (the hub resyncs it well before) */
const MAX_BACKPRESSURE = 4 * 1024 * 1024;

function rolesOf(p: Principal): readonly string[] {
  return p.roles ?? (p.role !== undefined ? [p.role] : []);
}

function credsOf(info: RequestInfo): Credentials {
  return { authorization: info.authorization, cookie: info.cookie, queryToken: info.query.get('token') ?? undefined };
}

/** The caller if it may see live data (a user or key with `live`, or a display token); else answers 401/403 and returns null. */
async function authorizeLive(reply: Reply, auth: Authenticator, creds: Credentials): Promise<Principal | null> {
  const p = await auth.authenticate(creds);
  if (!p) {
    sendError(reply, 401, 'missing or invalid credentials', { 'WWW-Authenticate': 'Bearer' });
    return null;
  }
  if (!p.scopes.has('live') && p.kind !== 'display') {
    sendError(reply, 403, 'requires the live permission');
    return null;
  }
  return p;
}

/** Ids of a query parameter given repeated or comma-separated. */
function ids(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function registerLiveRoutes(app: TemplatedApp, deps: LiveRouteDeps): { hub: LiveHub; closeAll(): void } {
  const { live, auth, log } = deps;
  const delay = deps.metrics?.summary('callboard_live_push_delay_seconds', 'Time from the oldest change waiting to its delta being published (coalescing included)');
  const hub = new LiveHub(app, live, deps.directory, auth, log, { ...deps.hub, ...(delay ? { onPushDelay: (ms: number) => delay.observe(ms / 1000) } : {}) });
  const history = new LiveHistory(deps.store);
  const m = deps.metrics;
  if (m) {
    m.gauge('callboard_live_sockets', 'Open /v1/live sockets', () => hub.socketCount);
    m.gauge('callboard_live_topics', 'Views (uWS topics) with subscribers', () => hub.topicCount);
    m.gauge('callboard_live_frames_total', 'Delta frames published (once per topic)', () => hub.stats.frames);
    m.gauge('callboard_live_snapshots_total', 'Snapshots sent', () => hub.stats.snapshots);
    m.gauge('callboard_live_slow_skipped_total', 'Sockets taken off their topic for being slow', () => hub.stats.slowSkipped);
    m.gauge('callboard_live_flush_seconds_total', 'Time spent building and publishing deltas', () => hub.stats.flushMs / 1000);
    m.gauge('callboard_live_buffered_bytes', 'Bytes queued in uWS for live sockets after the last delta', () => hub.stats.bufferedNow);
    m.gauge('callboard_live_buffered_max_bytes', 'Most bytes ever queued in uWS for one live socket', () => hub.stats.bufferedMax);
    m.gauge('callboard_live_tick_max_seconds', 'Longest engine tick (clock, rollover, sweep) since start', () => live.tickMaxMs / 1000);
    m.gauge('callboard_live_rebuild_events', 'Events read by the last rebuild', () => live.lastRebuild?.events ?? 0);
    m.gauge('callboard_live_rebuild_seconds', 'Duration of the last rebuild', () => (live.lastRebuild?.ms ?? 0) / 1000);
  }
  const fail = (reply: Reply, what: string) => (err: unknown) => {
    log('error', `${what} failed`, { error: String(err) });
    sendError(reply, 500, 'internal error');
  };

  app.ws<LiveSocketData>('/v1/live', {
    maxPayloadLength: 16 * 1024,
    idleTimeout: 60,
    maxBackpressure: MAX_BACKPRESSURE,
    closeOnBackpressureLimit: 0,
    upgrade: (res, req, context) => {
      const reply = guard(res);
      const info = requestInfo(req, res);
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const creds = credsOf(info);
      void (async () => {
        const principal = await authorizeLive(reply, auth, creds);
        if (!principal || reply.aborted) return;
        const data: LiveSocketData = { principal, creds, topic: null, board: null, stale: false, closed: false, seq: 0 };
        reply.aborted = true;
        res.cork(() => res.upgrade<LiveSocketData>(data, key, protocol, extensions, context));
      })().catch(fail(reply, 'live upgrade'));
    },
    open: (ws) => hub.opened(ws),
    message: (ws, message) => hub.message(ws, message),
    drain: (ws) => hub.drained(ws),
    close: (ws) => hub.closed(ws),
  });

  app.get('/v1/live/snapshot', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    void (async () => {
      if (!(await authorizeLive(reply, auth, credsOf(info)))) return;
      const filter = normalizeFilter({ sites: ids(info.query, 'site'), queues: ids(info.query, 'queue'), teams: ids(info.query, 'team') });
      const snap = filterSnapshot(live.engine.snapshot(Date.now()), filter, (id) => live.helpAckedBy(id));
      sendJson(reply, 200, live.rebuilding ? { ...snap, rebuilding: true } : snap);
    })().catch(fail(reply, 'live snapshot'));
  });

  app.get('/v1/live/history', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    void (async () => {
      if (!(await authorizeLive(reply, auth, credsOf(info)))) return;
      const site = info.query.get('site') ?? '';
      const queue = info.query.get('queue') ?? '';
      const now = Date.now();
      sendJson(reply, 200, await history.series(historyScope(site, queue, now), now));
    })().catch(fail(reply, 'live history'));
  });

  app.post('/v1/live/help/:id/ack', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    const id = decodeURIComponent(req.getParameter(0) ?? '');
    res.onData(() => undefined); // no body is read
    void (async () => {
      const p = await auth.authenticate(credsOf(info));
      if (!p) return sendError(reply, 401, 'missing or invalid credentials', { 'WWW-Authenticate': 'Bearer' });
      if (p.kind !== 'user' || !rolesOf(p).some((r) => HELP_ACK_ROLES.has(r))) return sendError(reply, 403, 'requires the supervisor or admin role');
      const known = live.engine.snapshot(Date.now()).help.some((h) => h.id === id);
      if (!known) return sendError(reply, 404, `id: no help request ${id}`);
      await live.ackHelp(id, p.name);
      sendJson(reply, 200, { id, acked_by: p.name });
    })().catch(fail(reply, 'help ack'));
  });

  /** Queues, zone and settings of a history request (`site` and/or `queue`; neither = the center). */
  function historyScope(site: string, queue: string, now: number): HistoryScope {
    const engine = live.engine;
    const settingsOf = (q: string): QueueSettings => {
      const v = engine.queue(q, now);
      if (v) return { slThresholdS: v.sl_threshold_s, shortAbandonS: v.short_abandon_s, slFormula: v.sl_formula, slFlowouts: v.sl_flowouts };
      return resolveQueueSettings(deps.directory.queue(q)?.settings);
    };
    const zoneOfSite = (s: string) => engine.site(s, now)?.time_zone ?? live.defaultTimeZone;
    if (queue !== '') {
      const qSite = engine.queue(queue, now)?.site ?? deps.directory.queue(queue)?.site ?? site;
      return { queues: [queue], zone: zoneOfSite(qSite), settingsOf };
    }
    const snap = engine.snapshot(now);
    if (site !== '') {
      const queues = snap.queues.filter((q) => q.site === site).map((q) => q.queue);
      // no queue at this site: a queue id nobody uses, so nothing is counted (empty would mean all)
      return { queues: queues.length > 0 ? queues : ['\u0000'], zone: zoneOfSite(site), settingsOf };
    }
    const zones = new Set(snap.sites.map((s) => s.time_zone));
    return { queues: [], zone: zones.size === 1 ? ([...zones][0] as string) : live.defaultTimeZone, settingsOf };
  }

  return { hub, closeAll: () => hub.stop() };
}
