import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import uWS from 'uWebSockets.js';
import { registerIngestRoutes } from '../ingest/http/routes.ts';
import { authorize } from '../platform/http/authorize.ts';
import { guard, rejectMalformedUrls, requestInfo, send, sendError, sendJson } from '../platform/http/uws.ts';
import type { Logger } from '../platform/log.ts';
import type { Registry } from '../platform/metrics.ts';
import type { Store } from '../platform/store/store.ts';
import type { EventWriter } from '../ingest/writer.ts';
import type { AuthService } from './auth/auth-service.ts';
import { registerAuthRoutes } from './routes/auth-routes.ts';
import { registerStaticApps } from './static-apps.ts';
import { registerSettingsRoutes } from './routes/settings-routes.ts';
import type { DirectoryService } from './directory/directory-service.ts';
import { registerLiveRoutes, type LiveDirectory, type LiveService } from './push/index.ts';
import { registerRecordingUpload } from '../ingest/recordings/routes.ts';
import type { RecordingService } from '../ingest/recordings/service.ts';
import { registerRecordingRoutes } from './routes/recording-routes.ts';
import { registerQaRoutes } from './routes/qa-routes.ts';
import { registerReportRoutes, type ReportDeps } from './routes/report-routes.ts';
import { registerFeedHealthRoutes } from './routes/feed-health-routes.ts';
import type { QaDeps } from './qa/deps.ts';

const LOGIN_PAGE = readFileSync(new URL('./static/login.html', import.meta.url), 'utf8');
const HEALTH_CACHE_MS = 1000;

export interface ServerDeps {
  store: Store;
  writer: EventWriter;
  auth: AuthService;
  metrics: Registry;
  log: Logger;
  maxBodyBytes: number;
  credentialRecheckMs: number;
  cookieSecure: boolean;
  /** most events in one batch; default DEFAULT_MAX_BATCH_EVENTS (ingest/parse-body.ts) */
  maxBatchEvents?: number | undefined;
  maxFutureSkewMs?: number | undefined;
  /** live engine and its directory (server/push/); without it no /v1/live routes */
  live?: { service: LiveService; directory: LiveDirectory } | undefined;
  /** settings and directory (server/directory/); without it no directory, board or display-token routes */
  directory?: DirectoryService | undefined;
  /** recordings: upload, pipeline, read APIs; without it no /v1/recordings routes */
  recordings?: RecordingService | undefined;
  /** history reports: without it only the staffing calculator */
  reports?: ReportDeps | undefined;
  /** QA (server/qa/): without it no /v1/qa routes */
  qa?: QaDeps | undefined;
}

export interface RunningServer {
  port: number;
  /** Stops accepting connections and closes ingest sockets. */
  stopListening(): void;
}

/** The HTTP/WS application: ingest, auth and operational endpoints, on one uWS app. */
export async function createApp(deps: ServerDeps) {
  // Every route, here and in the modules it registers, answers 400 to a malformed URL
  // before its handler runs, so no handler's decoding can turn a client's bad URL into a 500.
  const app = rejectMalformedUrls(uWS.App());
  const { log } = deps;
  const ingest = registerIngestRoutes(app, {
    auth: deps.auth,
    writer: deps.writer,
    store: deps.store,
    metrics: deps.metrics,
    log,
    maxBodyBytes: deps.maxBodyBytes,
    credentialRecheckMs: deps.credentialRecheckMs,
    maxBatchEvents: deps.maxBatchEvents,
    maxFutureSkewMs: deps.maxFutureSkewMs,
  });
  registerAuthRoutes(app, deps.auth, log, { cookieSecure: deps.cookieSecure });
  if (deps.directory) registerSettingsRoutes(app, deps.auth, deps.directory, log);
  if (deps.recordings) {
    registerRecordingUpload(app, { auth: deps.auth, recordings: deps.recordings, log });
    registerRecordingRoutes(app, deps.auth, deps.recordings, log);
  }
  if (deps.qa) await registerQaRoutes(app, deps.auth, deps.qa);
  registerReportRoutes(app, deps.auth, log, deps.reports);
  registerFeedHealthRoutes(app, deps.auth, deps.store, log, deps.maxFutureSkewMs);
  const live = deps.live && registerLiveRoutes(app, { live: deps.live.service, directory: deps.live.directory, auth: deps.auth, store: deps.store, log, metrics: deps.metrics });

  let health: { ok: boolean; at: number; error?: string } = { ok: false, at: 0 };
  app.get('/healthz', (res) => {
    const reply = guard(res);
    void (async () => {
      if (Date.now() - health.at > HEALTH_CACHE_MS) {
        try {
          await deps.store.ping();
          health = { ok: true, at: Date.now() };
        } catch (err) {
          health = { ok: false, at: Date.now(), error: (err as Error).message };
        }
      }
      if (health.ok) sendJson(reply, 200, { status: 'ok', store: deps.store.kind });
      else sendJson(reply, 503, { status: 'unavailable', store: deps.store.kind, error: health.error });
    })().catch((err: unknown) => {
      log('error', 'health check failed', { error: String(err) });
      sendJson(reply, 503, { status: 'unavailable', store: deps.store.kind, error: 'health check failed' });
    });
  });

  app.get('/metrics', (res, req) => {
    const reply = guard(res);
    const info = requestInfo(req, res);
    void (async () => {
      if (!(await authorize(reply, deps.auth, info, 'metrics'))) return;
      send(reply, 200, await deps.metrics.render(), {}, 'text/plain; version=0.0.4');
    })().catch((err: unknown) => {
      log('error', 'metrics failed', { error: String(err) });
      sendError(reply, 500, 'internal error');
    });
  });

  app.get('/login', (res) => send(guard(res), 200, LOGIN_PAGE, {}, 'text/html; charset=utf-8'));
  app.get('/', (res) => send(guard(res), 302, '', { Location: '/wallboard/' }, 'text/plain'));
  registerStaticApps(app, { root: fileURLToPath(new URL('..', import.meta.url)) });
  app.any('/*', (res, req) => sendError(guard(res), 404, `no route ${req.getMethod().toUpperCase()} ${req.getUrl()}`));

  return {
    listen(host: string, port: number): Promise<RunningServer> {
      return new Promise((resolve, reject) => {
        app.listen(host, port, (socket) => {
          if (!socket) return reject(new Error(`PORT: cannot listen on ${host}:${port}`));
          resolve({
            port: uWS.us_socket_local_port(socket),
            stopListening() {
              uWS.us_listen_socket_close(socket);
              ingest.closeAll();
              live?.closeAll();
            },
          });
        });
      });
    },
  };
}
