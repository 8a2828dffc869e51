import { createLogger } from '../platform/log.ts';
import { Registry } from '../platform/metrics.ts';
import { applyEventsRetention, migrate } from '../platform/store/migrate.ts';
import { settleEmbeddedEngine } from '../platform/store/chdb-store.ts';
import { openStore } from '../platform/store/open.ts';
import { EventWriter } from '../ingest/writer.ts';
import { TABLES } from '../schemas/tables.ts';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.ts';
import { ensureAppsBuilt } from './static-apps.ts';
import { AuthService } from './auth/auth-service.ts';
import { ConfigError, loadConfig } from './config.ts';
import { checkScenario, scenarioSiteZones, startSimulator } from './simulator.ts';
import { DirectoryService, FIRST_SEEN_BY } from './directory/directory-service.ts';
import { InProcessLiveBus, LiveService, type LiveDirectory } from './push/index.ts';
import { FfmpegUnavailableError, resolveFfmpeg } from '../ingest/recordings/ffmpeg.ts';
import { RecordingService } from '../ingest/recordings/service.ts';
import { AgentStateDeriver } from './history/agent-state-deriver.ts';
import { HistoryDeriver } from './history/deriver.ts';
import { resolveQueueSettings } from './contact-metrics/index.ts';

const log = createLogger('server');

async function main(): Promise<void> {
  const cfg = loadConfig();
  if (cfg.simulator) {
    const problems = checkScenario(cfg.simulatorScenario);
    if (problems) throw new ConfigError(`SIMULATOR_SCENARIO: ${cfg.simulatorScenario} is not a valid scenario:\n${problems}`);
  }
  // ffmpeg is checked before anything opens: a bad FFMPEG_PATH stops start-up while no store
  // operation is running (chDB aborts the process if it exits mid-operation).
  let ffmpeg;
  try {
    ffmpeg = resolveFfmpeg(cfg.ffmpegPath);
  } catch (err) {
    if (err instanceof FfmpegUnavailableError) throw new ConfigError(`FFMPEG_PATH: ${err.message}`);
    throw err;
  }
  if (cfg.recordingsRendition === 'opus' && !ffmpeg.hasLibopus) throw new ConfigError(`RECORDINGS_RENDITION: opus needs an ffmpeg with libopus (${ffmpeg.path} has none)`);
  const store = await openStore(cfg);
  const applied = await migrate(store);
  await applyEventsRetention(store, cfg.eventsTtlDays);
  log('info', 'store ready', { store: store.kind, data_dir: store.kind === 'chdb' ? cfg.dataDir : undefined, migrations_applied: applied });

  const metrics = new Registry();
  const auth = new AuthService(store, log, cfg.sessionTtlHours * 3600_000);
  metrics.gauge('callboard_auth_failed_logins', 'Sign-ins refused for a wrong username or password since start', () => auth.failedLogins);
  metrics.gauge('callboard_auth_throttled_logins', 'Sign-ins answered 429 (locked out, or too many in progress) since start', () => auth.throttledLogins);
  metrics.gauge('callboard_auth_login_lockouts', 'Sign-in lockouts started (username or address) since start', () => auth.loginLockouts);
  await auth.bootstrap({ adminPassword: cfg.adminPassword, ingestKey: cfg.ingestKey });
  // Settings and directory: sites, queues, teams, agents, boards in memory; display-token changes re-emitted.
  const directory = new DirectoryService(store, {
    log,
    audit: (actor, action, target, detail) => auth.audit(actor, action, target, detail),
    defaultTimeZone: cfg.defaultTimeZone,
    displayTokens: auth.displayTokens,
  });
  await directory.start();
  if (cfg.simulator) {
    // The demo's sites get the zones the simulator runs them in (an admin's own setting is kept).
    for (const { site, timeZone } of scenarioSiteZones(cfg.simulatorScenario)) {
      const known = directory.getSite(site);
      if (!known || (known.updated_by === FIRST_SEEN_BY && known.time_zone !== timeZone)) {
        await directory.putSite(site, { name: known?.name ?? site, time_zone: timeZone }, 'simulator');
      }
    }
  }
  // Live engine: accepted events go over the bus to the engine before the insert.
  const liveBus = new InProcessLiveBus((err) => log('error', 'live bus listener failed', { error: String(err) }));
  const writer = new EventWriter(store, metrics, log, {
    flushMinRows: cfg.flushMinRows,
    flushMs: cfg.flushMs,
    maxPendingRows: cfg.maxPendingRows,
    dedupMemoryIds: cfg.dedupMemoryIds,
    onAccepted: (events, source) => {
      liveBus.publish(events, source);
      history.note(events);
      agentStates.note(events);
    },
  });
  // History: every call's figures derived into ClickHouse once its events are stored (reports read them).
  const history = new HistoryDeriver({
    store,
    log,
    settingsOf: (queue) => resolveQueueSettings(directory.queue(queue)?.settings),
    generations: { current: () => writer.currentGeneration, settled: () => writer.settledGeneration },
  });
  // Agent state intervals: each agent's states as stored rows once its events are stored (the agent reports read them).
  const agentStates = new AgentStateDeriver({
    store,
    log,
    generations: { current: () => writer.currentGeneration, settled: () => writer.settledGeneration },
  });
  await writer.start(cfg.maxFutureSkewMs);
  await history.start();
  await agentStates.start();
  metrics.gauge('callboard_history_backlog_calls', 'Calls waiting to be derived into the history tables', () => history.backlog);
  metrics.gauge('callboard_history_derived_calls', 'Calls derived into the history tables since start', () => history.stats.calls);
  metrics.gauge('callboard_history_backlog_agents', 'Agents whose state intervals wait to be derived', () => agentStates.backlog);
  // The live engine reads names, sites, zones and settings from the directory, and is told of its changes.
  const liveDirectory: LiveDirectory = directory;
  const live = new LiveService({ store, bus: liveBus, directory: liveDirectory, log, defaultTimeZone: directory.defaultTimeZone }); // same zone as first-seen sites
  // Rebuilds today from the store in pages while the server already listens (live events apply meanwhile).
  void live.start().catch((err: unknown) => log('error', 'live engine start failed', { err }));
  metrics.gauge('callboard_live_events_total', 'Events applied to the live engine since its last rebuild', () => live.engine.stats.events);

  // Recordings: rows left processing by a previous run are queued again.
  const recordings = new RecordingService({
    dataDir: cfg.dataDir,
    ffmpeg,
    store,
    log,
    audit: (actor, action, target, detail) => auth.audit(actor, action, target, detail),
    maxJobs: cfg.recordingsJobs,
    maxQueue: cfg.recordingsQueue,
    maxBytes: cfg.recordingsMaxBytes,
    ttlDays: cfg.recordingsTtlDays,
    maxGb: cfg.recordingsMaxGb,
    rendition: cfg.recordingsRendition,
  });
  await recordings.start();
  log('info', 'recordings ready', { ffmpeg: ffmpeg.version, rendition: cfg.recordingsRendition });
  metrics.gauge('callboard_recordings_queued', 'Recording jobs waiting for ffmpeg', () => recordings.queued);
  metrics.gauge('callboard_recordings_running', 'Recording jobs running', () => recordings.active);
  metrics.gauge('callboard_recordings_processed_total', 'Recordings processed to ready since start', () => recordings.stats.processed);
  metrics.gauge('callboard_recordings_failed_total', 'Recordings that ended failed since start', () => recordings.stats.failed);
  metrics.gauge('callboard_recordings_refused_total', 'Uploads refused with 429 (queue full) since start', () => recordings.stats.refused);

  // `npm start` stays one command: the web apps are built when missing or older than their sources.
  await ensureAppsBuilt(log, { root: fileURLToPath(new URL('..', import.meta.url)) });
  const server = await (await createApp({
    store,
    writer,
    auth,
    metrics,
    log,
    maxBodyBytes: cfg.maxBodyBytes,
    credentialRecheckMs: cfg.credentialRecheckMs,
    cookieSecure: cfg.cookieSecure,
    maxBatchEvents: cfg.maxBatchEvents,
    maxFutureSkewMs: cfg.maxFutureSkewMs,
    live: { service: live, directory: liveDirectory },
    directory,
    recordings,
    reports: { store, directory, defaultTimeZone: cfg.defaultTimeZone },
    qa: { store, directory, recordings, audit: (actor, action, target, detail) => auth.audit(actor, action, target, detail), log, timeZone: cfg.defaultTimeZone },
  })).listen(cfg.host, cfg.port);
  log('info', 'listening', { port: server.port, url: `http://localhost:${server.port}/` });

  let simulator: { stop(): Promise<void> } | null = null;
  if (cfg.simulator) {
    await auth.revokeKeysNamed('simulator', 'server');
    const { key } = await auth.createKey('simulator', ['ingest'], 'server');
    const [{ n }] = (await store.query<{ n: number | string }>(`SELECT count() AS n FROM ${TABLES.events}`)) as [{ n: number }];
    simulator = startSimulator({
      scenario: cfg.simulatorScenario,
      ingestUrl: `ws://127.0.0.1:${server.port}/v1/ingest`,
      key,
      backfillDays: Number(n) === 0 ? cfg.simulatorBackfillDays : 0,
      ...(cfg.simulatorRecordings
        ? { recordings: { share: cfg.simulatorRecordShare, backfillShare: cfg.simulatorRecordBackfillShare, backfillMax: cfg.simulatorRecordBackfillMax } }
        : {}),
      log,
    });
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutting down', { signal });
    await simulator?.stop();
    server.stopListening();
    const flushed = await writer.close(cfg.shutdownTimeoutMs);
    live.stop();
    await history.stop();
    await agentStates.stop();
    recordings.close(); // running jobs are queued again on the next start
    await directory.close(); // first-seen rows still waiting
    if (!flushed) log('error', 'shutdown timeout: some accepted events were not written and were not acknowledged', { pending: writer.pendingRows });
    await store.close();
    await settleEmbeddedEngine();
    log('info', 'stopped');
    process.exit(flushed ? 0 : 1);
  };
  const stop = (signal: string) =>
    void shutdown(signal).catch((err: unknown) => {
      log('error', 'shutdown failed', { err });
      process.exit(1);
    });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

// An unhandled rejection is a bug: log it loudly and keep serving (a crash would let one request take the ingest down).
process.on('unhandledRejection', (reason: unknown) => {
  log('error', 'BUG: unhandled promise rejection', { err: reason });
});

main().catch(async (err: unknown) => {
  if (err instanceof ConfigError) log('error', `configuration error: ${err.message}`);
  else log('error', 'failed to start', { err });
  await settleEmbeddedEngine(); // a start-up failure may come while a store operation runs
  process.exit(err instanceof ConfigError ? 2 : 1);
});
