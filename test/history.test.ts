/**
 * The history deriver and the queue report on real chDB: events go through the real writer,
 * the deriver writes signed contribution rows and the 15-minute rollup, and the report's
 * figures are checked against numbers worked out by hand from the events below (waits at the
 * threshold, short and long abandons, an overflow between queues, a call whose events arrive
 * out of order and twice, and the repeated hour of the autumn DST change).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventWriter } from '../ingest/writer.ts';
import { silentLogger } from '../platform/log.ts';
import { Registry } from '../platform/metrics.ts';
import type { ChdbStore } from '../platform/store/chdb-store.ts';
import { TABLES } from '../schemas/tables.ts';
import { resolveQueueSettings } from '../server/contact-metrics/index.ts';
import { EventFactory } from '../server/contact-metrics/test-events.ts';
import { AgentStateDeriver } from '../server/history/agent-state-deriver.ts';
import { HistoryDeriver } from '../server/history/deriver.ts';
import { agentBreaks, agentReport, agentSessions } from '../server/reports/agent-report.ts';
import { abandonReport, heatmapReport, volumeReport } from '../server/reports/call-mix.ts';
import { callsReport } from '../server/reports/calls-report.ts';
import { queueReport, type QueueReportOptions, type ReportDirectory } from '../server/reports/queue-report.ts';
import { freshChdbStore } from './helpers/store.ts';

const ZONE = 'Europe/Berlin';
const t = (iso: string) => Date.parse(iso);
const f = new EventFactory('h', 'berlin');

let store: ChdbStore;
let writer: EventWriter;
let deriver: HistoryDeriver;
let agentStates: AgentStateDeriver;

const directory: ReportDirectory = {
  queue: (id) => (id === 'A' || id === 'B' ? { site: 'berlin', settings: { slThresholdS: 20, shortAbandonS: 5 } } : undefined),
  site: (id) => (id === 'berlin' ? { timeZone: ZONE } : undefined),
  listQueues: () => [
    { id: 'A', site: 'berlin' },
    { id: 'B', site: 'berlin' },
  ],
  listAgents: () => [
    { id: 'ag1', site: 'berlin', team: 't1' },
    { id: 'ag2', site: 'berlin', team: 't2' },
  ],
};

async function send(events: ReturnType<EventFactory['make']>[]): Promise<void> {
  await writer.write(events, 'pbx');
}

const day = '2026-11-23';
const at = (hms: string) => t(`${day}T${hms}+01:00`);

// call 6 arrives out of order, in three batches, with one event twice
const c6 = {
  queued: f.queued('c6', 'B', at('11:10:00')),
  answered: f.answered('c6', 'ag2', at('11:10:40'), 'B'),
  ended: f.ended('c6', at('11:12:00'), 'caller'),
  wrapup: f.wrapup('c6', 'ag2', at('11:12:30')),
};

beforeAll(async () => {
  store = await freshChdbStore('history');
  writer = new EventWriter(store, new Registry(), silentLogger, {
    flushMs: 10,
    onAccepted: (events) => {
      deriver.note(events);
      agentStates.note(events);
    },
  });
  deriver = new HistoryDeriver({
    store,
    log: silentLogger,
    settingsOf: (q) => resolveQueueSettings(directory.queue(q)?.settings),
    generations: { current: () => writer.currentGeneration, settled: () => writer.settledGeneration },
    tickMs: 60_000,
  });
  await deriver.start();
  agentStates = new AgentStateDeriver({ store, log: silentLogger, generations: { current: () => writer.currentGeneration, settled: () => writer.settledGeneration }, tickMs: 60_000 });
  await agentStates.start();
  await send([
    // 1: answered in 10 s, 30 s on hold, agent hangs up, 20 s wrap-up
    f.make(at('10:00:00'), { type: 'call.offered', call: 'c1', direction: 'inbound', from: '+8613800001111', to: '95598' }),
    f.ivr('c1', at('10:00:00'), 'menu'),
    f.queued('c1', 'A', at('10:00:00')),
    f.answered('c1', 'ag1', at('10:00:10'), 'A'),
    f.hold('c1', 'ag1', at('10:01:00')),
    f.unhold('c1', 'ag1', at('10:01:30')),
    f.ended('c1', at('10:03:00'), 'agent'),
    f.wrapup('c1', 'ag1', at('10:03:20'), 'billing_question'),
    f.make(at('10:04:00'), { type: 'call.survey', call: 'c1', score: 4, resolved: true }),
    // 2: short abandon (3 s)
    f.queued('c2', 'A', at('10:05:00')),
    f.abandoned('c2', at('10:05:03'), 'queue', 'A'),
    f.ended('c2', at('10:05:03'), 'caller'),
    // 3: answered at exactly T = 20 s
    f.queued('c3', 'A', at('10:20:00')),
    f.answered('c3', 'ag1', at('10:20:20'), 'A'),
    f.ended('c3', at('10:25:00'), 'caller'),
    f.wrapup('c3', 'ag1', at('10:25:10')),
    // 4: abandon after 30 s
    f.queued('c4', 'A', at('10:40:00')),
    f.abandoned('c4', at('10:40:30'), 'queue', 'A'),
    f.ended('c4', at('10:40:30'), 'caller'),
    // 5: overflow A → B after 60 s, answered in B 5 s later
    f.queued('c5', 'A', at('10:50:00')),
    f.overflow('c5', 'A', 'B', at('10:51:00')),
    f.queued('c5', 'B', at('10:51:00')),
    f.answered('c5', 'ag2', at('10:51:05'), 'B'),
    f.ended('c5', at('10:55:00'), 'caller'),
    f.wrapup('c5', 'ag2', at('10:55:00')),
  ]);
  await send([c6.answered, c6.ended]);
  await deriver.drain();
  await send([c6.queued]);
  await deriver.drain();
  await send([c6.wrapup, c6.answered]);
  // ag1's day: signed in before the period, a break, manual busy, signed out; a help request
  await send([
    f.state('ag1', 'available', at('09:55:00'), { queues: ['A'] }),
    f.state('ag1', 'ringing', at('10:00:05')),
    f.state('ag1', 'on_call', at('10:00:10')),
    f.state('ag1', 'acw', at('10:03:00')),
    f.state('ag1', 'available', at('10:03:20')),
    f.state('ag1', 'not_ready', at('10:10:00'), { reason: 'break' }),
    f.state('ag1', 'available', at('10:19:00')),
    f.state('ag1', 'ringing', at('10:20:15')),
    f.state('ag1', 'on_call', at('10:20:20')),
    f.state('ag1', 'acw', at('10:25:00')),
    f.state('ag1', 'available', at('10:25:10')),
    f.state('ag1', 'available', at('10:30:00')),
    f.make(at('10:30:00'), { type: 'agent.help', agent: 'ag1' }),
    f.state('ag1', 'not_ready', at('10:40:00'), { reason: 'manual_busy' }),
    f.state('ag1', 'logged_out', at('10:45:00')),
  ]);
  // the autumn DST change: 02:30 local twice, an hour apart
  await send([f.queued('d1', 'A', t('2026-10-25T00:30:00Z')), f.answered('d1', 'ag1', t('2026-10-25T00:30:05Z'), 'A')]);
  await send([f.queued('d2', 'A', t('2026-10-25T01:30:00Z')), f.answered('d2', 'ag1', t('2026-10-25T01:30:05Z'), 'A')]);
  await deriver.drain();
  await agentStates.drain();
}, 120_000);

afterAll(async () => {
  await deriver?.stop();
  await agentStates?.stop();
  await writer?.close();
  await store?.close();
});

const period = (over: Partial<QueueReportOptions> = {}): QueueReportOptions => ({
  from: at('10:00:00'),
  to: at('12:00:00'),
  tz: ZONE,
  interval: '1h',
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

describe('queue report from the derived history', () => {
  it('counts queue A by hand: offered, outcomes, SL with a wait exactly at T, ASA, AHT, max wait, abandon rate', async () => {
    const r = await queueReport(store, directory, period({ queues: ['A'] }));
    expect(r.source).toBe('rollup');
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({
      interval_start: '2026-11-23T10:00:00+01:00',
      queue: 'A',
      offered: 5,
      answered: 2,
      abandoned: 2,
      short_abandoned: 1,
      flowed_out: 1,
      answered_within_sl: 2,
      handled: 2,
      service_level: 0.6667, // 2 ÷ (2 + 2 − 1)
      asa_s: 15, // (10 + 20) ÷ 2
      aht_s: 240, // (140 talk + 30 hold + 20 acw + 280 talk + 10 acw) ÷ 2
      max_wait_s: 30,
      abandon_rate: 0.25, // (2 − 1) ÷ (5 − 1)
    });
  });

  it('counts queue B per hour, including the call whose events came out of order and twice', async () => {
    const r = await queueReport(store, directory, period({ queues: ['B'] }));
    expect(r.rows.map((x) => [x.interval_start, x.offered, x.answered, x.answered_within_sl, x.service_level, x.asa_s, x.aht_s])).toEqual([
      ['2026-11-23T10:00:00+01:00', 1, 1, 1, 1, 5, 235],
      ['2026-11-23T11:00:00+01:00', 1, 1, 0, 0, 40, 110],
    ]);
    // each call's current contribution is in the table exactly once
    const [dup] = await store.query<{ n: number | string }>(
      `SELECT count() AS n FROM (SELECT call, scope, key, at, sum(sign) AS s FROM ${TABLES.callContributions} GROUP BY call, scope, key, at HAVING s NOT IN (0, 1))`,
    );
    expect(Number(dup?.n)).toBe(0);
  });

  it('counts the caller view once per call, by its first queue, per site and for the center', async () => {
    const r = await queueReport(store, directory, period({ interval: '1d' }));
    const center = r.caller.rows.find((x) => x.site === null);
    // calls 1–6: answered 1, 3, 5, 6; call 5 waited 65 s from its first queue
    expect(center).toMatchObject({ interval_start: '2026-11-23T00:00:00+01:00', offered: 6, answered: 4, abandoned: 2, short_abandoned: 1, answered_within_sl: 2 });
    expect(r.caller.rows.find((x) => x.site === 'berlin')).toMatchObject({ offered: 6, answered: 4 });
    expect(r.totals).toMatchObject({ offered: 7, answered: 4, flowed_out: 1 });
  });

  it('answers a what-if T from the per-call rows, and agrees with the rollup at the queue’s own T', async () => {
    const at10 = await queueReport(store, directory, period({ queues: ['A'], slThresholdS: 10 }));
    expect(at10.source).toBe('calls');
    expect(at10.rows[0]).toMatchObject({ answered_within_sl: 1, service_level: 0.3333 });
    const own = await queueReport(store, directory, period({ slThresholdS: 20, shortAbandonS: 5 }));
    const rollup = await queueReport(store, directory, period());
    expect(own.rows).toEqual(rollup.rows);
    expect(own.caller).toEqual(rollup.caller);
  });

  it('shows every SL formula side by side on request', async () => {
    const r = await queueReport(store, directory, period({ queues: ['A'], slFormula: 'all' }));
    expect(r.rows[0]?.service_level_by_formula).toEqual({
      default: 0.6667,
      answered_only: 1, // 2 ÷ 2
      abandon_positive: 0.75, // (2 + 1 abandoned within T: the 3 s one) ÷ (5 − 1 flowed out)
      abandon_negative: 0.5, // 2 ÷ 4
    });
  });

  it('gives the repeated autumn hour two rows with their own offsets', async () => {
    const r = await queueReport(store, directory, period({ from: t('2026-10-24T22:00:00Z'), to: t('2026-10-25T23:00:00Z'), queues: ['A'] }));
    expect(r.rows.map((x) => [x.interval_start, x.offered])).toEqual([
      ['2026-10-25T02:00:00+02:00', 1],
      ['2026-10-25T02:00:00+01:00', 1],
    ]);
  });
});

describe('agent report from the stored states and the derived history', () => {
  it('counts ag1 by hand: sign-outs, breaks, not-ready periods, state times, occupancy, utilization and call figures', async () => {
    const r = await agentReport(store, period({ interval: '1h' }), ['ag1']);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toEqual({
      interval_start: '2026-11-23T10:00:00+01:00',
      agent: 'ag1',
      sign_ins: 0, // signed in at 09:55, before the period
      sign_outs: 1,
      breaks: 1,
      break_s: 540,
      not_ready_count: 2, // the break and manual busy; "available" again at 10:30 is no change
      not_ready_s: 840,
      answered: 2,
      talk_s: 420,
      hold_s: 30,
      acw_s: 30,
      handle_s: 480,
      ring_noanswer: 0,
      agent_hangups: 1,
      transfers: 0,
      help_requests: 1,
      logged_in_s: 2700,
      occupancy: 0.2634, // (10 ringing + 450 on call + 30 acw) ÷ (1370 available + 490)
      utilization: 0.1778, // (450 + 30) ÷ 2700
    });
    expect(r.total).toMatchObject({ agent: null, answered: 2, logged_in_s: 2700 });
  });

  it('lists the sign-in session and the break', async () => {
    expect(await agentSessions(store, period(), ['ag1'])).toEqual([{ agent: 'ag1', sign_in: null, sign_out: '2026-11-23T10:45:00+01:00', duration_s: 2700 }]);
    expect(await agentBreaks(store, period(), ['ag1'])).toEqual([{ agent: 'ag1', start: '2026-11-23T10:10:00+01:00', end: '2026-11-23T10:19:00+01:00', duration_s: 540 }]);
  });

  it('splits state time at interval edges', async () => {
    const r = await agentReport(store, period({ interval: '15m', to: at('10:30:00') }), ['ag1']);
    expect(r.rows.map((x) => [x.interval_start.slice(11, 16), x.logged_in_s, x.breaks, x.break_s])).toEqual([
      ['10:00', 900, 1, 300],
      ['10:15', 900, 0, 240],
    ]);
  });
});

describe('transfers', () => {
  // The next day: c7 answered by ag1 in A and blind-transferred to queue B, where ag2 answers;
  // c8 answered by ag2 in B and transferred attended to ag1 (who joins the same visit).
  const next = (hms: string) => t(`2026-11-24T${hms}+01:00`);
  const day2 = (over: Partial<QueueReportOptions> = {}) => period({ from: next('00:00:00'), to: t('2026-11-25T00:00:00+01:00'), interval: '1d', ...over });
  beforeAll(async () => {
    await send([
      f.queued('c7', 'A', next('09:00:00')),
      f.answered('c7', 'ag1', next('09:00:10'), 'A'),
      f.transferToQueue('c7', 'ag1', 'B', next('09:02:00')),
      f.queued('c7', 'B', next('09:02:00')),
      f.answered('c7', 'ag2', next('09:02:20'), 'B'),
      f.ended('c7', next('09:05:00'), 'caller'),
      f.wrapup('c7', 'ag1', next('09:02:30')),
      f.wrapup('c7', 'ag2', next('09:05:10')),
      f.queued('c8', 'B', next('10:00:00')),
      f.answered('c8', 'ag2', next('10:00:05'), 'B'),
      f.transferToAgent('c8', 'ag2', 'ag1', next('10:01:00')),
      f.answered('c8', 'ag1', next('10:01:10')),
      f.ended('c8', next('10:04:00'), 'caller'),
      f.wrapup('c8', 'ag2', next('10:01:20')),
      f.wrapup('c8', 'ag1', next('10:04:10')),
    ]);
    await deriver.drain();
  });

  it('counts each transfer once for the queue of the visit the transferring agent answered, from the rollup and the per-call rows', async () => {
    for (const over of [{}, { slThresholdS: 30 }]) {
      const r = await queueReport(store, directory, day2(over));
      expect(r.source).toBe('slThresholdS' in over ? 'calls' : 'rollup');
      const byQueue = Object.fromEntries(r.rows.map((x) => [x.queue, [x.offered, x.answered, x.handled, x.transfers]]));
      // A: c7 offered, answered, handled by ag1, transferred. B: c7 again (a new offer) and c8,
      // whose attended transfer stays with B's visit.
      expect(byQueue).toEqual({ A: [1, 1, 1, 1], B: [2, 2, 2, 1] });
      expect(r.totals.transfers).toBe(2);
      // caller view: two calls, each transferred once
      expect(r.caller.rows.find((x) => x.site === null)).toMatchObject({ offered: 2, transfers: 2 });
    }
  });

  it('counts the transferring agent’s transfers in the agent report', async () => {
    const r = await agentReport(store, day2(), ['ag1', 'ag2']);
    const byAgent = Object.fromEntries(r.rows.map((x) => [x.agent, [x.answered, x.transfers]]));
    expect(byAgent).toEqual({ ag1: [2, 1], ag2: [2, 1] });
  });
});

describe('call-detail list from the per-call history rows', () => {
  const list = (over: Partial<Parameters<typeof callsReport>[2]> = {}, p: Partial<QueueReportOptions> = {}) =>
    callsReport(store, period({ ...p }), { outcomes: [], caller: '', disposition: '', limit: 100, offset: 0, ...over });

  it('lists each call once, newest first, with its number, path, outcome and times', async () => {
    const r = await list();
    expect(r.total).toBe(6);
    expect(r.rows.map((x) => x.call)).toEqual(['c6', 'c5', 'c4', 'c3', 'c2', 'c1']);
    expect(r.rows.find((x) => x.call === 'c1')).toEqual({
      call: 'c1',
      started_at: '2026-11-23T10:00:00+01:00',
      site: 'berlin',
      direction: 'inbound',
      caller: '+8613800001111',
      service_number: '95598',
      service: 'A',
      outcome: 'answered',
      abandon_stage: '',
      wait_s: 10,
      talk_s: 140,
      hold_s: 30,
      acw_s: 20,
      duration_s: 180,
      agent: 'ag1',
      queues: ['A'],
      disposition: 'billing_question',
      survey_score: 4,
      survey_resolved: true,
      transfers: 0,
      ivr_path: ['menu'],
    });
    expect(r.rows.find((x) => x.call === 'c5')).toMatchObject({ outcome: 'answered', queues: ['A', 'B'], wait_s: 65, agent: 'ag2' });
  });

  it('filters by outcome, queue, caller number and pages', async () => {
    expect((await list({ outcomes: ['abandoned', 'ivr_abandoned'] })).rows.map((x) => [x.call, x.abandon_stage, x.wait_s])).toEqual([
      ['c4', 'queue', 30],
      ['c2', 'queue', 3],
    ]);
    expect((await list({}, { queues: ['B'] })).rows.map((x) => x.call)).toEqual(['c6', 'c5']);
    expect((await list({ caller: '0001111' })).rows.map((x) => x.call)).toEqual(['c1']);
    const page = await list({ limit: 2, offset: 2 });
    expect(page.rows.map((x) => x.call)).toEqual(['c4', 'c3']);
    expect(page.total).toBe(6);
  });
});

describe('what callers wanted and how the calls went', () => {
  it('counts volume, reasons, IVR look-ups, containment and surveys per interval', async () => {
    const r = await volumeReport(store, period({ interval: '1h' }));
    expect(r.rows.map((x) => [x.interval_start, x.calls, x.answered, x.abandoned])).toEqual([
      ['2026-11-23T10:00:00+01:00', 5, 3, 2],
      ['2026-11-23T11:00:00+01:00', 1, 1, 0],
    ]);
    expect(r.totals).toEqual({
      calls: 6,
      answered: 4,
      abandoned: 2,
      self_service: 0,
      ivr_calls: 1,
      containment: 0,
      surveys: 1,
      avg_survey_score: 4,
      resolution_rate: 1,
      reasons: { billing_question: 1 },
      ivr_nodes: { menu: 1 },
    });
  });

  it('breaks abandons down by stage and wait, and calls by weekday and hour', async () => {
    const a = await abandonReport(store, period());
    expect(a).toMatchObject({ total: 2, by_stage: { queue: 2 }, buckets: [{ stage: 'queue', wait_bucket: '0-10', calls: 1 }, { stage: 'queue', wait_bucket: '30-60', calls: 1 }] });
    const h = await heatmapReport(store, period());
    expect(h.cells).toEqual([
      { weekday: 1, hour: 10, calls: 5, answered: 3 },
      { weekday: 1, hour: 11, calls: 1, answered: 1 },
    ]);
  });
});
