import { createLogger } from '../platform/log.ts';
import { Registry } from '../platform/metrics.ts';
import { applyEventsRetention, migrate } from '../platform/store/migrate.ts';
import { openStore } from '../platform/store/open.ts';
import { EventWriter } from '../ingest/writer.ts';
import { TABLES } from '../schemas/tables.ts';
import { createApp } from './app.ts';
import { AuthService } from './auth/auth-service.ts';
import { ConfigError, loadConfig } from './config.ts';
import { checkScenario, startSimulator } from './simulator.ts';

const log = createLogger('server');

async function main(): Promise<void> {
  const cfg = loadConfig();
  if (cfg.simulator) {
    const problems = checkScenario(cfg.simulatorScenario);
    if (problems) throw new ConfigError(`SIMULATOR_SCENARIO: ${cfg.simulatorScenario} is not a valid scenario:\n${problems}`);
  }
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
  const writer = new EventWriter(store, metrics, log, {
    flushMinRows: cfg.flushMinRows,
    flushMs: cfg.flushMs,
    maxPendingRows: cfg.maxPendingRows,
    dedupMemoryIds: cfg.dedupMemoryIds,
  });
  await writer.start(cfg.maxFutureSkewMs);

  const server = await createApp({
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
  }).listen(cfg.host, cfg.port);
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
    if (!flushed) log('error', 'shutdown timeout: some accepted events were not written and were not acknowledged', { pending: writer.pendingRows });
    await store.close();
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

main().catch((err: unknown) => {
  if (err instanceof ConfigError) log('error', `configuration error: ${err.message}`);
  else log('error', 'failed to start', { err });
  process.exit(err instanceof ConfigError ? 2 : 1);
});
