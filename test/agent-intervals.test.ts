/**
 * Agent state intervals on real chDB: `agent.state` events go through the real writer, the
 * agent-state deriver stores one signed row per state change, and the agent reports read
 * those rows. Checked: a day's intervals; a late event that splits an interval (and one that
 * merges two); the same event twice; events out of order and in batches; the catch-up of a
 * new deriver after a stop; and the report against numbers by hand and against a
 * second-by-second computation over the raw events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventWriter } from '../ingest/writer.ts';
import { silentLogger } from '../platform/log.ts';
import { Registry } from '../platform/metrics.ts';
import type { ChdbStore } from '../platform/store/chdb-store.ts';
import type { AgentReportRow } from '../schemas/reports.ts';
import { AGENT_STATES, type AgentStateName } from '../schemas/events.ts';
import type { NormalizedEvent } from '../schemas/validate.ts';
import { EventFactory } from '../server/contact-metrics/test-events.ts';
import { AgentStateDeriver } from '../server/history/agent-state-deriver.ts';
import { compareStateEntries } from '../server/live/agent-state.ts';
import { agentBreaks, agentReport, agentSessions } from '../server/reports/agent-report.ts';
import type { ReportPeriod } from '../server/reports/report-query.ts';
import { freshChdbStore } from './helpers/store.ts';

const ZONE = 'Asia/Shanghai';
const day = '2026-11-23';
const at = (hms: string) => Date.parse(`${day}T${hms}+08:00`);
const DAY_START = at('00:00:00');
const DAY_END = DAY_START + 86_400_000;
const AFTER = DAY_END + 86_400_000; // "now" for reports of a finished day
const f = new EventFactory('e', 'sh');

let store: ChdbStore;
let writer: EventWriter;
let deriver: AgentStateDeriver;
/** false: accepted events are not noted (the deriver is "down") */
let noting = true;

const newDeriver = () =>
  new AgentStateDeriver({ store, log: silentLogger, generations: { current: () => writer.currentGeneration, settled: () => writer.settledGeneration }, tickMs: 60_000 });

async function send(events: NormalizedEvent[]): Promise<void> {
  await writer.write(events, 'pbx');
  await deriver.drain();
}

interface Row {
  state: string;
  reason: string;
  prev: string;
  start: string;
  end: string;
}

const hms = (t: number) => (t >= Date.UTC(2299, 0, 1) ? 'open' : new Date(t + 8 * 3_600_000).toISOString().slice(11, 19));

/** The agent's current intervals (signs summed), in order; times as local hh:mm:ss. */
async function intervals(agent: string): Promise<Row[]> {
  const rows = await store.query<{ state: string; reason: string; prev_state: string; s: number; e: number; id: string; n: number }>(
    `SELECT state, reason, prev_state, event_id AS id, toUnixTimestamp64Milli(start_at) AS s, toUnixTimestamp64Milli(end_at) AS e, sum(sign) AS n
     FROM agent_state_intervals WHERE agent = {agent:String}
     GROUP BY agent, site, state, reason, prev_state, event_id, start_at, end_at HAVING n != 0
     SETTINGS output_format_json_quote_64bit_integers = 0`,
    { agent },
  );
  for (const r of rows) expect(r.n, `signs of ${JSON.stringify(r)}`).toBe(1);
  return rows
    .sort((a, b) => compareStateEntries({ ts: a.s, id: a.id }, { ts: b.s, id: b.id }))
    .map((r) => ({ state: r.state, reason: r.reason, prev: r.prev_state, start: hms(r.s), end: hms(r.e) }));
}

const period = (over: Partial<ReportPeriod> = {}): ReportPeriod => ({
  from: DAY_START,
  to: DAY_END,
  tz: ZONE,
  interval: '1d',
  sites: [],
  queues: [],
  agents: [],
  teams: [],
  format: 'json',
  ...over,
});

beforeAll(async () => {
  store = await freshChdbStore('agent-intervals');
  writer = new EventWriter(store, new Registry(), silentLogger, { flushMs: 10, onAccepted: (events) => noting && deriver.note(events) });
  await writer.start();
  deriver = newDeriver();
  await deriver.start();
}, 60_000);

afterAll(async () => {
  await deriver?.stop();
  await writer?.close();
  await store?.close();
});

describe('a day of one agent', () => {
  const x1 = [
    f.state('x1', 'available', at('08:00:00')),
    f.state('x1', 'on_call', at('08:10:00')),
    f.state('x1', 'acw', at('08:15:00')),
    f.state('x1', 'available', at('08:16:00')),
    f.state('x1', 'available', at('08:30:00')), // a repeat: no change
    f.state('x1', 'not_ready', at('12:00:00'), { reason: 'break' }),
    f.state('x1', 'available', at('12:30:00')),
    f.state('x1', 'logged_out', at('17:00:00')),
  ];
  const late = f.state('x1', 'not_ready', at('10:00:00'), { reason: 'manual_busy' });

  it('stores one interval per change, the last one open', async () => {
    await send(x1);
    expect(await intervals('x1')).toEqual([
      { state: 'available', reason: '', prev: '', start: '08:00:00', end: '08:10:00' },
      { state: 'on_call', reason: '', prev: 'available', start: '08:10:00', end: '08:15:00' },
      { state: 'acw', reason: '', prev: 'on_call', start: '08:15:00', end: '08:16:00' },
      { state: 'available', reason: '', prev: 'acw', start: '08:16:00', end: '12:00:00' },
      { state: 'not_ready', reason: 'break', prev: 'available', start: '12:00:00', end: '12:30:00' },
      { state: 'available', reason: '', prev: 'not_ready', start: '12:30:00', end: '17:00:00' },
      { state: 'logged_out', reason: '', prev: 'available', start: '17:00:00', end: 'open' },
    ]);
  });

  it('reports the day by hand, and clips the open state to now', async () => {
    const [row] = (await agentReport(store, period(), ['x1'], AFTER)).rows;
    expect(row).toMatchObject({
      interval_start: '2026-11-23T00:00:00+08:00',
      sign_ins: 1,
      sign_outs: 1,
      breaks: 1,
      break_s: 1800,
      not_ready_count: 1,
      not_ready_s: 1800,
      logged_in_s: 9 * 3600,
      occupancy: 0.0118, // (5 min on call + 1 min acw) ÷ (10 + 224 + 270 min available + 6 min)
      utilization: 0.0111, // 6 min ÷ 9 h
    });
    expect(await agentSessions(store, period(), ['x1'], AFTER)).toEqual([{ agent: 'x1', sign_in: '2026-11-23T08:00:00+08:00', sign_out: '2026-11-23T17:00:00+08:00', duration_s: 9 * 3600 }]);
    // at 12:10 the break is still open and the agent still signed in
    const noon = at('12:10:00');
    expect(await agentBreaks(store, period(), ['x1'], noon)).toEqual([{ agent: 'x1', start: '2026-11-23T12:00:00+08:00', end: null, duration_s: 600 }]);
    expect(await agentSessions(store, period(), ['x1'], noon)).toEqual([{ agent: 'x1', sign_in: '2026-11-23T08:00:00+08:00', sign_out: null, duration_s: 4 * 3600 + 600 }]);
    expect((await agentReport(store, period(), ['x1'], noon)).rows[0]).toMatchObject({ sign_outs: 0, logged_in_s: 4 * 3600 + 600, break_s: 600 });
  });

  it('splits an interval when a late event falls inside it, and the report follows', async () => {
    const before = (await agentReport(store, period(), ['x1'], AFTER)).rows[0] as AgentReportRow;
    await send([late]);
    expect(await intervals('x1')).toEqual([
      { state: 'available', reason: '', prev: '', start: '08:00:00', end: '08:10:00' },
      { state: 'on_call', reason: '', prev: 'available', start: '08:10:00', end: '08:15:00' },
      { state: 'acw', reason: '', prev: 'on_call', start: '08:15:00', end: '08:16:00' },
      { state: 'available', reason: '', prev: 'acw', start: '08:16:00', end: '10:00:00' },
      { state: 'not_ready', reason: 'manual_busy', prev: 'available', start: '10:00:00', end: '12:00:00' },
      { state: 'not_ready', reason: 'break', prev: 'not_ready', start: '12:00:00', end: '12:30:00' },
      { state: 'available', reason: '', prev: 'not_ready', start: '12:30:00', end: '17:00:00' },
      { state: 'logged_out', reason: '', prev: 'available', start: '17:00:00', end: 'open' },
    ]);
    const after = (await agentReport(store, period(), ['x1'], AFTER)).rows[0] as AgentReportRow;
    expect([before.not_ready_count, before.not_ready_s, before.breaks, before.logged_in_s]).toEqual([1, 1800, 1, 9 * 3600]);
    expect([after.not_ready_count, after.not_ready_s, after.breaks, after.logged_in_s]).toEqual([2, 1800 + 7200, 1, 9 * 3600]);
    expect(after.occupancy).toBe(0.0154); // 6 min ÷ (10 + 104 + 270 min available + 6 min)
  });

  it('merges two intervals when a late event makes the next change a repeat', async () => {
    await send([f.state('x1', 'not_ready', at('11:00:00'), { reason: 'break' })]);
    expect((await intervals('x1')).slice(4, 7)).toEqual([
      { state: 'not_ready', reason: 'manual_busy', prev: 'available', start: '10:00:00', end: '11:00:00' },
      { state: 'not_ready', reason: 'break', prev: 'not_ready', start: '11:00:00', end: '12:30:00' },
      { state: 'available', reason: '', prev: 'not_ready', start: '12:30:00', end: '17:00:00' },
    ]);
    expect(await agentBreaks(store, period(), ['x1'], AFTER)).toEqual([{ agent: 'x1', start: '2026-11-23T11:00:00+08:00', end: '2026-11-23T12:30:00+08:00', duration_s: 5400 }]);
  });

  it('changes nothing for the same event twice, or the same state again under another id', async () => {
    const rows = await intervals('x1');
    const written = deriver.stats.rowsWritten;
    await send([late, x1[3] as NormalizedEvent]); // duplicates: the ingest drops them…
    deriver.note([late, x1[3] as NormalizedEvent]); // …and if they reach the deriver anyway
    await deriver.drain();
    await send([f.state('x1', 'acw', at('08:15:00')), f.state('x1', 'available', at('14:00:00'))]);
    expect(deriver.stats.rowsWritten).toBe(written);
    expect(await intervals('x1')).toEqual(rows);
  });
});

/** A seeded pseudo-random day: whole seconds, repeats, several changes in one second. */
function randomDay(seed: number, n: number): { ts: number; state: AgentStateName; reason: string }[] {
  let s = seed;
  const next = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const out: { ts: number; state: AgentStateName; reason: string }[] = [];
  let t = DAY_START + 6 * 3_600_000;
  for (let i = 0; i < n; i++) {
    t += next() < 0.15 ? 0 : Math.floor(next() * 1800) * 1000;
    const state = AGENT_STATES[Math.floor(next() * AGENT_STATES.length)] as AgentStateName;
    out.push({ ts: t, state, reason: state === 'not_ready' ? (['break', 'manual_busy', 'lunch'][Math.floor(next() * 3)] as string) : '' });
  }
  return out;
}

const eventsFor = (agent: string, idPrefix: string, day: ReturnType<typeof randomDay>) =>
  day.map((e, i) => f.make(e.ts, { type: 'agent.state', agent, state: e.state, ...(e.reason ? { reason: e.reason } : {}), id: `${idPrefix}${String(i).padStart(3, '0')}` }));

/** Straightforward figures over raw events: the state second by second, counts at each change. */
function byHand(events: NormalizedEvent[], starts: number[], end: number) {
  const sorted = [...events].sort(compareStateEntries);
  const changes: { ts: number; prev: string; state: string; reason: string }[] = [];
  for (const e of sorted) {
    const p = JSON.parse(e.payload) as { state: string; reason?: string };
    const reason = p.state === 'not_ready' ? (p.reason ?? '') : '';
    const last = changes[changes.length - 1];
    if (!last || last.state !== p.state || last.reason !== reason) changes.push({ ts: e.ts, prev: last?.state ?? 'logged_out', state: p.state, reason });
  }
  const slot = (t: number) => starts.filter((s) => s <= t).length - 1;
  const rows = starts.map(() => ({ sign_ins: 0, sign_outs: 0, breaks: 0, not_ready_count: 0, logged_in_s: 0, not_ready_s: 0, break_s: 0, ringing_s: 0, talk_acw_s: 0, available_s: 0 }));
  for (const c of changes) {
    if (c.ts < (starts[0] as number) || c.ts >= end) continue;
    const r = rows[slot(c.ts)] as (typeof rows)[number];
    if (c.prev === 'logged_out' && c.state !== 'logged_out') r.sign_ins++;
    if (c.prev !== 'logged_out' && c.state === 'logged_out') r.sign_outs++;
    if (c.state === 'not_ready') r.not_ready_count++;
    if (c.state === 'not_ready' && c.reason === 'break') r.breaks++;
  }
  let i = -1;
  for (let t = starts[0] as number; t < end; t += 1000) {
    while (i + 1 < changes.length && (changes[i + 1] as (typeof changes)[number]).ts <= t) i++;
    const c = changes[i];
    if (!c || c.state === 'logged_out') continue;
    const r = rows[slot(t)] as (typeof rows)[number];
    r.logged_in_s++;
    if (c.state === 'not_ready') r.not_ready_s++;
    if (c.state === 'not_ready' && c.reason === 'break') r.break_s++;
    if (c.state === 'available') r.available_s++;
    if (c.state === 'ringing') r.ringing_s++;
    if (c.state === 'on_call' || c.state === 'acw') r.talk_acw_s++;
  }
  return rows;
}

describe('any order, any batches', () => {
  const plan = randomDay(7, 60);
  const inOrder = eventsFor('yi', 'i', plan);
  const shuffled = eventsFor('yo', 'o', plan);

  beforeAll(async () => {
    for (let i = 0; i < inOrder.length; i += 15) await send(inOrder.slice(i, i + 15));
    // the same events for another agent: reversed in three batches, one of them sent twice
    const reversed = [...shuffled].reverse();
    const batches = [reversed.filter((_, i) => i % 3 === 0), reversed.filter((_, i) => i % 3 === 1), reversed.filter((_, i) => i % 3 === 2)];
    for (const b of batches) await send(b);
    deriver.note(batches[1] as NormalizedEvent[]);
    await deriver.drain();
  }, 60_000);

  it('gives the same intervals as in order', async () => {
    const a = await intervals('yi');
    expect(a.length).toBeGreaterThan(20);
    expect(await intervals('yo')).toEqual(a);
  });

  it('reports every figure as a second-by-second computation over the raw events', async () => {
    const p = period({ from: DAY_START, to: DAY_END, interval: '1h' });
    const now = at('20:30:00');
    const r = await agentReport(store, p, ['yi', 'yo'], now);
    const starts = Array.from({ length: 24 }, (_, h) => DAY_START + h * 3_600_000);
    const expected = byHand(inOrder, starts, now);
    for (const agent of ['yi', 'yo']) {
      const got = starts.map((s) => r.rows.find((x) => x.agent === agent && Date.parse(x.interval_start) === s));
      starts.forEach((_, i) => {
        const e = expected[i] as (typeof expected)[number];
        const g = got[i];
        const counted = { sign_ins: g?.sign_ins ?? 0, sign_outs: g?.sign_outs ?? 0, breaks: g?.breaks ?? 0, not_ready_count: g?.not_ready_count ?? 0, logged_in_s: g?.logged_in_s ?? 0, not_ready_s: g?.not_ready_s ?? 0, break_s: g?.break_s ?? 0 };
        const { ringing_s, talk_acw_s, available_s, ...figures } = e;
        const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
        expect(counted, `${agent} ${hms(starts[i] as number)}`).toEqual(figures);
        expect([g?.occupancy ?? null, g?.utilization ?? null], `${agent} ${hms(starts[i] as number)} occupancy, utilization`).toEqual([
          ratio(ringing_s + talk_acw_s, available_s + ringing_s + talk_acw_s),
          ratio(talk_acw_s, e.logged_in_s),
        ]);
      });
    }
    expect(r.agents.map((a) => a.agent)).toEqual(['yi', 'yo']);
  });
});

describe('expired events', () => {
  it('goes on from the stored interval when the event that began it is gone', async () => {
    const signedOut = f.state('w1', 'logged_out', at('09:00:00'));
    await send([f.state('w1', 'available', at('08:00:00')), signedOut]);
    await store.command(`ALTER TABLE events DELETE WHERE id = {id:String} SETTINGS mutations_sync = 2`, { id: signedOut.id });
    await send([f.state('w1', 'available', at('20:00:00'))]);
    expect(await intervals('w1')).toEqual([
      { state: 'available', reason: '', prev: '', start: '08:00:00', end: '09:00:00' },
      { state: 'logged_out', reason: '', prev: 'available', start: '09:00:00', end: '20:00:00' },
      { state: 'available', reason: '', prev: 'logged_out', start: '20:00:00', end: 'open' },
    ]);
    expect((await agentReport(store, period(), ['w1'], AFTER)).rows[0]).toMatchObject({ sign_ins: 2, sign_outs: 1, logged_in_s: 3600 + 4 * 3600 });
  });
});

describe('restart', () => {
  it('derives on start the events received while no deriver ran', async () => {
    await deriver.stop();
    noting = false;
    await writer.write([f.state('z1', 'available', at('09:00:00')), f.state('z1', 'logged_out', at('09:30:00'))], 'pbx');
    await writer.write([f.state('x1', 'on_call', at('16:00:00'))], 'pbx');
    noting = true;
    expect(await intervals('z1')).toEqual([]);
    deriver = newDeriver();
    await deriver.start();
    await deriver.drain();
    expect(await intervals('z1')).toEqual([
      { state: 'available', reason: '', prev: '', start: '09:00:00', end: '09:30:00' },
      { state: 'logged_out', reason: '', prev: 'available', start: '09:30:00', end: 'open' },
    ]);
    expect((await intervals('x1')).slice(-3)).toEqual([
      { state: 'available', reason: '', prev: 'not_ready', start: '12:30:00', end: '16:00:00' },
      { state: 'on_call', reason: '', prev: 'available', start: '16:00:00', end: '17:00:00' },
      { state: 'logged_out', reason: '', prev: 'on_call', start: '17:00:00', end: 'open' },
    ]);
  });
});
