import { describe, expect, it } from 'vitest';
import type { CallboardEvent } from '../../schemas/events.ts';
import { EventAuditor } from '../check/audit.ts';
import { ArraySink } from './sink.ts';
import { loadScenario } from '../edges/scenario-file.ts';
import { parseScenario, type Scenario } from './scenario.ts';
import { Simulation } from './simulator.ts';

const MONDAY = Date.parse('2025-03-03T00:00:00+01:00');
const HOUR = 3_600_000;
const demoPath = new URL('../scenarios/demo-utility.json', import.meta.url).pathname;

function run(scenario: Scenario, hours: number, opts: { start?: number; seed?: string } = {}) {
  const sink = new ArraySink();
  const start = opts.start ?? MONDAY;
  const sim = new Simulation(scenario, { startMs: start, sink, ...(opts.seed ? { seed: opts.seed } : {}) });
  sim.runUntil(start + hours * HOUR);
  const unfinished = sim.finish();
  const auditor = new EventAuditor({ thresholds: new Map(scenario.queues.map((q) => [q.name, q])) });
  for (const e of sink.events) auditor.add(e);
  return { sim, events: sink.events, unfinished, report: auditor.report() };
}

const minimal = parseScenario({
  queues: [{ name: 'q1', sl_threshold_s: 20 }],
  agents: [{ id: 'a{n}', count: 5, queues: ['q1'] }],
  arrivals: [{ queue: 'q1', per_hour: 80 }],
  handle_time: { dist: 'exponential', mean_s: 180 },
  patience: { dist: 'exponential', mean_s: 120 },
  seed: 1,
});

const types = (events: CallboardEvent[]) => new Set(events.map((e) => e.type));

describe('Simulation', () => {
  it('is deterministic for a seed and start, and differs for another seed', () => {
    const a = run(minimal, 5).events;
    const b = run(minimal, 5).events;
    const c = run(minimal, 5, { seed: 'other' }).events;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
    // Another start is another run: no id is shared.
    const d = run(minimal, 5, { start: MONDAY + 1 }).events;
    const ids = new Set(a.map((e) => e.id));
    expect(d.some((e) => ids.has(e.id))).toBe(false);
  });

  it('the minimal form is a plain M/M/c+M queue: no IVR, ringing, hold or wrap-up', () => {
    const { events, report, unfinished } = run(minimal, 24);
    expect([...types(events)].sort()).toEqual(['agent.state', 'call.abandoned', 'call.answered', 'call.ended', 'call.offered', 'call.queued']);
    expect(report.problems).toEqual([]);
    expect(report.openCalls).toBe(0);
    expect(unfinished).toBe(0);
    expect(report.calls).toBeGreaterThan(1500);
    // Agent busy time is the handle time: each answered call puts its agent on_call and back, nothing else.
    const states = events.filter((e) => e.type === 'agent.state').map((e) => (e as { state: string }).state);
    expect(new Set(states)).toEqual(new Set(['available', 'on_call', 'logged_out']));
  });

  it('runs a week of the demo center with every feature and a sound event stream', () => {
    const scenario = loadScenario(demoPath);
    const { sim, events, report, unfinished } = run(scenario, 7 * 24);
    expect(report.problems).toEqual([]);
    // Only callbacks requested on Sunday night can still wait: nobody is signed in until Monday.
    expect(unfinished).toBeLessThanOrEqual(3);
    expect(report.openCalls).toBe(0);
    for (const t of ['call.ivr', 'call.ringing', 'call.ring_noanswer', 'call.hold', 'call.transferred', 'call.overflow', 'call.wrapup', 'call.survey', 'agent.help']) {
      expect(types(events), t).toContain(t);
    }
    const reasons = new Set(events.flatMap((e) => (e.type === 'agent.state' && e.reason ? [e.reason] : [])));
    expect(reasons).toEqual(new Set(['break', 'manual_busy', 'ring_noanswer']));
    expect(events.some((e) => e.type === 'call.transferred' && e.kind === 'attended')).toBe(true);
    expect(events.some((e) => e.type === 'call.offered' && e.direction === 'outbound')).toBe(true);
    expect(events.every((e) => e.site === 'berlin' || e.site === 'leipzig')).toBe(true);

    // Shifts: each early-shift agent signs in once per weekday, and nobody is signed in on Sunday.
    const signIns = events.filter((e) => e.type === 'agent.state' && e.agent === 'bln-bill-e1' && e.queues !== undefined);
    expect(signIns).toHaveLength(5);
    const sunday = MONDAY + 6 * 24 * HOUR;
    expect(events.some((e) => e.type === 'call.answered' && Number(e.ts) >= sunday)).toBe(false);
    // Night mode: after 19:00 local, calls are queued at Leipzig only.
    const evening = events.filter((e) => e.type === 'call.queued' && new Date(Number(e.ts)).getUTCHours() >= 18 && new Date(Number(e.ts)).getUTCHours() < 19);
    expect(evening.length).toBeGreaterThan(0);
    expect(evening.every((e) => e.site === 'leipzig')).toBe(true);

    // Counted calls include the outbound callbacks; call ids are never event ids.
    expect(sim.stats.calls).toBe(events.filter((e) => e.type === 'call.offered').length);
    const eventIds = new Set(events.map((e) => e.id));
    expect(events.some((e) => e.type === 'call.offered' && eventIds.has(e.call))).toBe(false);
    // Surveys only follow calls that ended in a conversation: never one that was abandoned (after a transfer).
    const abandoned = new Set(events.flatMap((e) => (e.type === 'call.abandoned' ? [e.call] : [])));
    const surveyed = events.flatMap((e) => (e.type === 'call.survey' ? [e.call] : []));
    expect(surveyed.length).toBeGreaterThan(100);
    expect(surveyed.filter((c) => abandoned.has(c))).toEqual([]);
    // Outbound callbacks never reach max wait (no voicemail, no callback of a callback).
    const outbound = new Set(events.flatMap((e) => (e.type === 'call.offered' && e.direction === 'outbound' ? [e.call] : [])));
    expect(events.some((e) => e.type === 'call.overflow' && outbound.has(e.call) && (e.to_queue === 'voicemail' || e.to_queue === 'callback'))).toBe(false);
  });

  it('walks the closed-hours branch of the demo flow at night and on a public holiday', () => {
    // Wednesday 24 December 2025 from 18:00 (open until 20:00), then Christmas Day (closed all day).
    const start = Date.parse('2025-12-24T18:00:00+01:00');
    const closing = Date.parse('2025-12-24T20:00:00+01:00');
    const { events, report } = run(loadScenario(demoPath), 30, { start });
    expect(report.problems).toEqual([]);
    const calls = new Map<string, { at: number; nodes: string[]; queued: boolean }>();
    for (const e of events) {
      if (e.type === 'call.offered' && e.direction === 'inbound') calls.set(e.call, { at: Number(e.ts), nodes: [], queued: false });
      const call = 'call' in e && e.call !== undefined ? calls.get(e.call) : undefined;
      if (call && e.type === 'call.ivr') call.nodes.push(e.node);
      if (call && e.type === 'call.queued') call.queued = true;
    }
    const open = [...calls.values()].filter((c) => c.at < closing);
    const closed = [...calls.values()].filter((c) => c.at >= closing);
    expect(open.length).toBeGreaterThan(50);
    expect(closed.length).toBeGreaterThan(200);
    for (const c of open) expect(c.nodes.slice(0, 3)).toEqual(['welcome', 'hours', 'main']);
    // Every call after closing time takes the closed branch, and none reaches a queue.
    for (const c of closed) {
      expect(c.nodes.slice(0, 3)).toEqual(['welcome', 'hours', 'closed_menu']);
      expect(c.nodes).not.toContain('main');
      expect(c.queued).toBe(false);
    }
    // The branch is walked to its ends: self-service, messages and callback requests.
    const walked = new Set(closed.flatMap((c) => c.nodes));
    for (const node of ['closed_balance', 'closed_balance_play', 'closed_outage_area', 'closed_outage_lookup', 'closed_more', 'voicemail', 'callback_request', 'goodbye']) {
      expect(walked, node).toContain(node);
    }
  });

  it('a break that falls while the agent is ringing still lasts its minutes after the ring-no-answer', () => {
    const scenario = parseScenario({
      queues: [{ name: 'q1' }],
      agents: [{ id: 'a1', queues: ['q1'], shift: { start: '08:00', end: '16:00', jitter_min: 1, breaks: [{ at: '10:00', minutes: 15 }] } }],
      arrivals: [{ queue: 'q1', per_hour: 120 }],
      handle_time: { dist: 'exponential', mean_s: 120 },
      // the agent never answers and is ready again at once: it is ringing at 10:00
      routing: { ring_timeout_s: 20, no_answer_prob: 1, rna_recover: { dist: 'fixed', mean_s: 0 } },
      timezone: 'Europe/Berlin',
      seed: 5,
    });
    const { events, report } = run(scenario, 12);
    expect(report.problems).toEqual([]);
    const states = events.filter((e) => e.type === 'agent.state');
    const i = states.findIndex((e) => e.reason === 'break');
    const onBreak = states[i];
    const next = states[i + 1];
    // asked for within 10:00 ± 1 min while ringing; taken at the ring-no-answer, at most 20 s later
    expect(states[i - 1]?.reason).toBe('ring_noanswer');
    expect(Number(onBreak?.ts)).toBeGreaterThan(MONDAY + 10 * HOUR - 60_000);
    expect(Number(onBreak?.ts)).toBeLessThan(MONDAY + 10 * HOUR + 80_000);
    // the break ends after its 15 minutes, not at the end of the shift
    expect(Number(next?.ts) - Number(onBreak?.ts)).toBe(15 * 60_000);
  });

  it('keeps agents of a site at home on its holidays', () => {
    const scenario = parseScenario({
      sites: [{ name: 'north', timezone: 'Europe/Berlin', holidays: ['2025-03-04'] }],
      queues: [{ name: 'q1', site: 'north' }],
      agents: [{ id: 'a{n}', count: 2, site: 'north', queues: ['q1'], shift: { start: '08:00', end: '16:00', days: ['mon', 'tue', 'wed'] } }],
      arrivals: [{ queue: 'q1', site: 'north', per_hour: 20, weekday_factor: { sun: 0 } }],
      handle_time: { dist: 'exponential', mean_s: 120 },
      seed: 3,
    });
    const { events, report } = run(scenario, 72);
    expect(report.problems).toEqual([]);
    const day = (e: CallboardEvent) => new Date(Number(e.ts) + HOUR).toISOString().slice(0, 10); // local date (CET)
    const signIns = events.filter((e) => e.type === 'agent.state' && e.agent === 'a1' && e.queues !== undefined);
    // Monday and Wednesday; Tuesday 4 March is the site's holiday
    expect(signIns.map(day)).toEqual(['2025-03-03', '2025-03-05']);
    // and the site's callers call as on a Sunday
    const offeredDays = new Set(events.filter((e) => e.type === 'call.offered').map(day));
    expect([...offeredDays]).toEqual(['2025-03-03', '2025-03-05']);
  });
});
