/**
 * `npm run bench:reports` — history reports at scale (issue 10).
 *
 * 1. Builds `--days` (180) days of history for `--calls` (50M) calls over `--queues` (20) queues
 *    and `--agents` (200) agents straight into the tables with SQL (through the ingest it would
 *    take hours here): the per-call contribution rows (`--facts 1`, default; 4 rows per call)
 *    and the 15-minute rollup the reports read (queue, caller and agent scopes), with a daily
 *    shape; plus a month of `agent.state` events for every agent (about 40 changes a day) and
 *    their state intervals (`agent_state_intervals`, what the agent report reads).
 * 2. Times, `--runs` (20) times each: the 30-day 15-minute queue report (goal p50 ≤ 150 ms,
 *    must ≤ 300 ms), the 180-day monthly queue report, and a month's daily agent report for
 *    every agent. Prints p50/p99.
 * 3. The derivation rate while ingesting: `--derive-calls` (20k) realistic calls (6–8 events each)
 *    sent through the real writer, the deriver beside it; prints derived calls/s and events/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventWriter } from '../../ingest/writer.ts';
import { silentLogger } from '../../platform/log.ts';
import { Registry } from '../../platform/metrics.ts';
import { ChdbStore } from '../../platform/store/chdb-store.ts';
import { migrate } from '../../platform/store/migrate.ts';
import { resolveQueueSettings } from '../../server/contact-metrics/index.ts';
import { EventFactory } from '../../server/contact-metrics/test-events.ts';
import { HistoryDeriver } from '../../server/history/deriver.ts';
import { agentReport } from '../../server/reports/agent-report.ts';
import { queueReport, type QueueReportOptions, type ReportDirectory } from '../../server/reports/queue-report.ts';

const { values: flags } = parseArgs({
  options: {
    calls: { type: 'string', default: '50000000' },
    days: { type: 'string', default: '180' },
    queues: { type: 'string', default: '20' },
    agents: { type: 'string', default: '200' },
    facts: { type: 'string', default: '1' },
    runs: { type: 'string', default: '20' },
    'derive-calls': { type: 'string', default: '20000' },
    keep: { type: 'boolean', default: false },
  },
});
const CALLS = Number(flags.calls);
const DAYS = Number(flags.days);
const QUEUES = Number(flags.queues);
const AGENTS = Number(flags.agents);
const RUNS = Number(flags.runs);
const ZONE = 'Asia/Shanghai';
const DAY = 86_400_000;
// history ends at the last Shanghai midnight before now
const END = Math.floor((Date.now() + 8 * 3_600_000) / DAY) * DAY - 8 * 3_600_000;
const START = END - DAYS * DAY;
const BUCKETS = DAYS * 96;

const dir = mkdtempSync(join(tmpdir(), 'callboard-bench-reports-'));
const store = new ChdbStore(dir, 3_600_000);
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const ms = (t0: number) => Math.round(performance.now() - t0);

const directory: ReportDirectory = {
  queue: (id) => ({ site: `site${Number(id.slice(1)) % 3}`, settings: { slThresholdS: 20, shortAbandonS: 5 } }),
  site: () => ({ timeZone: ZONE }),
  listQueues: () => Array.from({ length: QUEUES }, (_, i) => ({ id: `q${i}`, site: `site${i % 3}` })),
  listAgents: () => Array.from({ length: AGENTS }, (_, i) => ({ id: `a${i}`, site: `site${i % 3}`, team: `t${i % 10}` })),
};

/** Calls per (queue, bucket) with a daily shape: quiet at night, two peaks by day (mean 1). */
const SHAPE = `(0.15 + 1.7 * greatest(0, sin((toHour(bucket + INTERVAL 8 HOUR) - 7) / 14 * pi())))`;

async function build(): Promise<void> {
  const perBucket = CALLS / (BUCKETS * QUEUES);
  let t0 = performance.now();
  // queue and caller scopes: one row per queue × bucket
  for (const scope of ['queue', 'caller']) {
    await store.command(`
      INSERT INTO history_15m
      SELECT '${scope}' AS scope, concat('q', toString(n % ${QUEUES})) AS key, bucket,
             offered, answered, abandoned, short_abandoned, flowed_out, answered_within_sl, abandoned_within_sl,
             answered * (8000 + rand32(1) % 20000) AS answer_wait_ms, abandoned * 40000 AS abandon_wait_ms,
             toUInt64(60000 + rand32(2) % 240000) AS max_wait_ms, answered AS handled,
             answered * 240000 AS talk_ms, answered * 20000 AS hold_ms, answered * 30000 AS acw_ms,
             0 AS ring_noanswer, 0 AS agent_hangups, toInt64(round(answered * 0.05)) AS transfers
      FROM (
        SELECT number AS n, toDateTime(${START / 1000} + intDiv(number, ${QUEUES}) * 900, 'UTC') AS bucket,
               toInt64(round(${perBucket} * ${SHAPE} * (0.7 + (rand32(3) % 600) / 1000))) AS offered,
               toInt64(round(offered * 0.9)) AS answered, offered - answered - toInt64(round(offered * 0.02)) AS abandoned,
               toInt64(round(abandoned * 0.3)) AS short_abandoned, toInt64(round(offered * 0.02)) AS flowed_out,
               toInt64(round(answered * 0.8)) AS answered_within_sl, short_abandoned AS abandoned_within_sl
        FROM numbers(${BUCKETS * QUEUES})
      )
      SETTINGS max_partitions_per_insert_block = 0`);
  }
  log(`rollup queue + caller: ${(2 * BUCKETS * QUEUES).toLocaleString()} rows in ${ms(t0)} ms`);
  t0 = performance.now();
  const perAgent = CALLS / (BUCKETS * AGENTS);
  await store.command(`
    INSERT INTO history_15m
    SELECT 'agent', concat('a', toString(n % ${AGENTS})), bucket,
           0, answered, 0, 0, 0, 0, 0, 0, 0, 0, answered, answered * 240000, answered * 20000, answered * 30000,
           toInt64(rand32(4) % 3 = 0), toInt64(rand32(5) % 20 = 0), toInt64(rand32(7) % 20 = 0)
    FROM (
      SELECT number AS n, toDateTime(${START / 1000} + intDiv(number, ${AGENTS}) * 900, 'UTC') AS bucket,
             toInt64(round(${perAgent} * ${SHAPE})) AS answered
      FROM numbers(${BUCKETS * AGENTS})
    )
    SETTINGS max_partitions_per_insert_block = 0`);
  log(`rollup agents: ${(BUCKETS * AGENTS).toLocaleString()} rows in ${ms(t0)} ms`);
  if (flags.facts === '1') {
    t0 = performance.now();
    // the rollup above stands for these calls: the view must not add them a second time
    await store.command('DETACH TABLE history_15m_mv');
    const rows = CALLS * 4;
    const chunk = 50_000_000;
    for (let off = 0; off < rows; off += chunk) {
      const n = Math.min(chunk, rows - off);
      // per call: its queue visit, its handle at the end, its caller view and its agent leg
      await store.command(`
        INSERT INTO call_contributions
        SELECT concat('c', toString(intDiv(number, 4))) AS call, 1 AS sign,
               ['queue', 'queue', 'caller', 'agent'][number % 4 + 1] AS scope,
               if(number % 4 = 3, concat('a', toString(intDiv(number, 4) % ${AGENTS})), concat('q', toString(intDiv(number, 4) % ${QUEUES}))) AS key,
               fromUnixTimestamp64Milli(toInt64(${START} + intDiv(number, 4) * ${(DAYS * DAY) / CALLS} + if(number % 4 = 1, 300000, 0))) AS at,
               number % 4 != 1 AND number % 4 != 3, number % 4 IN (0, 2, 3), 0, 0, 0, number % 4 IN (0, 2), 0,
               if(number % 4 IN (0, 2), 12000, 0), 0, if(number % 4 IN (0, 2), 12000, 0),
               number % 4 IN (1, 3), if(number % 4 IN (1, 3), 240000, 0), 0, if(number % 4 IN (1, 3), 30000, 0), 0, 0, 0,
               now64(3)
        FROM numbers(${off}, ${n})`);
      log(`facts: ${Math.min(off + n, rows).toLocaleString()} / ${rows.toLocaleString()} rows (${ms(t0)} ms)`);
    }
    await store.command('ATTACH TABLE history_15m_mv');
  }
  t0 = performance.now();
  // a month of agent states: ~40 changes a day per agent
  const monthStart = END - 30 * DAY;
  await store.command(`
    INSERT INTO events (id, type, ts, site, call, agent, queue, payload, received, source)
    SELECT concat('bs', toString(number)), 'agent.state', ts, '', '', agent, '', concat('{"state":"', state, '"', if(state = 'not_ready', ',"reason":"break"', ''), '}'), ts, 'bench'
    FROM (
      SELECT number, concat('a', toString(number % ${AGENTS})) AS agent,
             fromUnixTimestamp64Milli(toInt64(${monthStart} + intDiv(number, ${AGENTS}) * ${Math.floor(DAY / 40)} + rand32(6) % 60000)) AS ts,
             ['available', 'ringing', 'on_call', 'acw', 'available', 'not_ready', 'logged_out'][intDiv(number, ${AGENTS}) % 7 + 1] AS state
      FROM numbers(${AGENTS * 30 * 40})
    )`);
  log(`agent states: ${(AGENTS * 30 * 40).toLocaleString()} events in ${ms(t0)} ms`);
  t0 = performance.now();
  // their state intervals, as the agent-state deriver stores them: one row per change
  await store.command(`
    INSERT INTO agent_state_intervals (agent, sign, site, state, reason, prev_state, event_id, start_at, end_at, derived_at)
    SELECT agent, 1, site, state, reason, lagInFrame(state, 1, '') OVER w, id, ts,
           leadInFrame(ts, 1, toDateTime64('2299-12-31 00:00:00', 3, 'UTC')) OVER w, now64(3)
    FROM (
      SELECT agent, site, id, ts, state, reason,
             lagInFrame(concat(state, '/', reason), 1, '') OVER (PARTITION BY agent ORDER BY ts, length(id), id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS before
      FROM (
        SELECT agent, site, id, ts, JSONExtractString(payload, 'state') AS state, if(state = 'not_ready', JSONExtractString(payload, 'reason'), '') AS reason
        FROM events
        WHERE type = 'agent.state' AND agent != ''
      )
    )
    WHERE before != concat(state, '/', reason)
    WINDOW w AS (PARTITION BY agent ORDER BY ts, length(id), id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)`);
  const [{ n: intervalRows } = { n: 0 }] = await store.query<{ n: number }>('SELECT count() AS n FROM agent_state_intervals SETTINGS output_format_json_quote_64bit_integers = 0');
  log(`agent state intervals: ${Number(intervalRows).toLocaleString()} rows in ${ms(t0)} ms`);
  t0 = performance.now();
  await store.command('OPTIMIZE TABLE history_15m FINAL');
  log(`rollup merged in ${ms(t0)} ms`);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

async function time(name: string, goal: string, run: () => Promise<unknown>): Promise<void> {
  await run(); // warm
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await run();
    xs.push(performance.now() - t0);
  }
  console.log(`${name.padEnd(48)} p50 ${pct(xs, 50).toFixed(0).padStart(5)} ms   p99 ${pct(xs, 99).toFixed(0).padStart(5)} ms   ${goal}`);
}

const base = (over: Partial<QueueReportOptions>): QueueReportOptions => ({
  from: END - 30 * DAY,
  to: END,
  tz: ZONE,
  interval: '15m',
  sites: [],
  queues: [],
  agents: [],
  teams: [],
  format: 'json',
  slFormula: null,
  slThresholdS: null,
  shortAbandonS: null,
  ...over,
});

async function deriveRate(): Promise<void> {
  const n = Number(flags['derive-calls']);
  const f = new EventFactory('d');
  let deriver: HistoryDeriver | null = null;
  const writer = new EventWriter(store, new Registry(), silentLogger, { onAccepted: (e) => deriver?.note(e) });
  await writer.start();
  deriver = new HistoryDeriver({
    store,
    log: silentLogger,
    settingsOf: () => resolveQueueSettings(null),
    generations: { current: () => writer.currentGeneration, settled: () => writer.settledGeneration },
    tickMs: 200,
    coalesceMs: 0,
  });
  await deriver.start();
  const t = Date.now() - 2 * 3_600_000;
  const batches: ReturnType<EventFactory['make']>[][] = [];
  let batch: ReturnType<EventFactory['make']>[] = [];
  let events = 0;
  for (let i = 0; i < n; i++) {
    const c = `dc${i}`;
    const at = t + i * 300;
    const q = `q${i % QUEUES}`;
    const a = `a${i % AGENTS}`;
    batch.push(f.offered(c, at), f.queued(c, q, at), f.ringing(c, q, a, at + 5000), f.answered(c, a, at + 8000, q), f.ended(c, at + 200_000), f.wrapup(c, a, at + 230_000));
    if (i % 3 === 0) batch.push(f.hold(c, a, at + 60_000), f.unhold(c, a, at + 80_000));
    if (batch.length >= 5000) {
      events += batch.length;
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length) {
    events += batch.length;
    batches.push(batch);
  }
  const t0 = performance.now();
  for (const b of batches) await writer.write(b, 'bench');
  const ingested = performance.now() - t0;
  await deriver.drain();
  const total = (performance.now() - t0) / 1000;
  console.log(
    `derivation while ingesting: ${n.toLocaleString()} calls (${events.toLocaleString()} events) ingested in ${(ingested / 1000).toFixed(1)} s, all derived in ${total.toFixed(1)} s → ${Math.round(n / total).toLocaleString()} calls/s, ${Math.round(events / total).toLocaleString()} events/s (${deriver.stats.rowsWritten.toLocaleString()} rows in ${deriver.stats.batches} batches)`,
  );
  await deriver.stop();
  await writer.close();
}

async function main(): Promise<void> {
  await migrate(store);
  log(`building ${CALLS.toLocaleString()} calls over ${DAYS} days, ${QUEUES} queues, ${AGENTS} agents in ${dir}`);
  await build();
  await time('30-day 15-minute queue report (all queues)', 'goal ≤ 150 ms, must ≤ 300 ms', () => queueReport(store, directory, base({})));
  await time('30-day 15-minute queue report (one queue)', '', () => queueReport(store, directory, base({ queues: ['q3'] })));
  await time(`${DAYS}-day monthly queue report`, '', () => queueReport(store, directory, base({ from: START, interval: '1M' })));
  await time(`month's daily agent report (${AGENTS} agents)`, '', () => agentReport(store, { ...base({ interval: '1d' }) }, []));
  await time('30-day what-if T = 30 s (per-call rows)', '', () => queueReport(store, directory, base({ interval: '1d', slThresholdS: 30 })));
  await deriveRate();
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await store.close();
    if (!flags.keep) rmSync(dir, { recursive: true, force: true });
  });
