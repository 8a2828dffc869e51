/**
 * The feed audit (schemas/feed-audit/) and its CLI (`npm run check-feed`): a sound simulator feed
 * has no problems in any arrival order; each planted lifecycle mistake is found with its code,
 * count and example; a feed in seconds; two sources whose clocks are 90 s apart.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../acd/edges/scenario-file.ts';
import { ArraySink } from '../acd/sim/sink.ts';
import { Simulation } from '../acd/sim/simulator.ts';
import type { CallboardEvent } from '../schemas/events.ts';
import { auditFeed, PROBLEM_CODES, PROBLEMS, type FeedAudit, type FeedAuditOptions, type ProblemCode } from '../schemas/feed-audit/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FEEDS = `${ROOT}test/fixtures/feeds/`;
const T = Date.parse('2026-03-02T09:00:00Z');

type Ev = Record<string, unknown> & { id: string; type: string; ts: number };
const readNdjson = (name: string): Ev[] =>
  readFileSync(FEEDS + name, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Ev);
/** The sound fixture: answered with ringing, hold, wrap-up and survey; a ring-no-answer then abandon in queue; an overflow to voicemail. */
const sound = () => readNdjson('sound.ndjson');
const find = (feed: Ev[], pred: (e: Ev) => boolean): Ev => {
  const e = feed.find(pred);
  if (!e) throw new Error('fixture changed: event not found');
  return e;
};
const without = (feed: Ev[], ...drop: Ev[]) => feed.filter((e) => !drop.includes(e));
const counts = (a: FeedAudit) => Object.fromEntries(a.problems.map((p) => [p.code, p.count])) as Partial<Record<ProblemCode, number>>;
const problem = (a: FeedAudit, code: ProblemCode) => {
  const p = a.problems.find((x) => x.code === code);
  if (!p) throw new Error(`${code} not reported: ${JSON.stringify(counts(a))}`);
  return p;
};

function simulatorFeed(hours: number): CallboardEvent[] {
  const start = Date.parse('2025-03-03T00:00:00+01:00');
  const sink = new ArraySink();
  const sim = new Simulation(loadScenario(`${ROOT}acd/scenarios/demo-utility.json`), { startMs: start, sink });
  sim.runUntil(start + hours * 3600_000);
  sim.finish();
  return sink.events;
}

describe('a sound feed', () => {
  it('the problem table gives every code a severity, a title and advice', () => {
    for (const code of PROBLEM_CODES) {
      expect(['error', 'warning', 'info']).toContain(PROBLEMS[code].severity);
      expect(PROBLEMS[code].title.length, code).toBeGreaterThan(10);
      expect(PROBLEMS[code].advice.length, code).toBeGreaterThan(20);
    }
    expect(PROBLEMS.out_of_order.severity).toBe('info');
    expect(PROBLEMS.out_of_order.advice).toMatch(/callboard orders/);
  });

  it('the fixture has no problem at all', () => {
    const a = auditFeed(sound());
    expect(a).toMatchObject({ events: 31, valid: 31, invalid: 0, distinct: 31, calls: 3, agents: 2, open_calls: 0, status: 'ok', errors: 0, warnings: 0, infos: 0, problems: [] });
    expect(a.first_ts).toBe(T);
    expect(a.last_ts).toBe(T + 600_000);
  });

  it('days of the simulated demo center (100k+ events) have no problem, and arriving late only adds out_of_order', () => {
    const events = simulatorFeed(66);
    expect(events.length).toBeGreaterThan(100_000);
    const inOrder = auditFeed(events);
    expect(inOrder.problems).toEqual([]);
    expect(inOrder).toMatchObject({ status: 'ok', valid: events.length, open_calls: 0 });
    expect(inOrder.calls).toBe(events.filter((e) => e.type === 'call.offered').length);

    // A batch held back: 2,000 events from the middle arrive at the end (cut where ts changes, so no tie flips).
    let from = Math.floor(events.length / 2);
    while (events[from - 1]!.ts === events[from]!.ts) from++;
    let to = from + 2000;
    while (events[to - 1]!.ts === events[to]!.ts) to++;
    const late = [...events.slice(0, from), ...events.slice(to), ...events.slice(from, to)];
    const a = auditFeed(late);
    expect(a.status).toBe('ok');
    expect(a.errors + a.warnings).toBe(0);
    expect(Object.keys(counts(a))).toEqual(['out_of_order']);
    const ooo = problem(a, 'out_of_order');
    expect(ooo.severity).toBe('info');
    expect(ooo.count).toBeGreaterThan(100);
    expect(ooo.examples[0]!.index).toBeGreaterThanOrEqual(events.length - (to - from));
    expect(ooo.examples[0]!.message).toMatch(/arrived after .* though .* earlier/);
    expect(a.calls).toBe(inOrder.calls);
  });
});

describe('planted mistakes, one per code', () => {
  const cases: { name: string; code: ProblemCode; feed: () => Ev[]; expect: Partial<Record<ProblemCode, number>>; example: Record<string, unknown>; options?: FeedAuditOptions }[] = [
    {
      name: 'an event the contract refuses',
      code: 'invalid_event',
      feed: () => sound().map((e) => (e.type === 'call.survey' ? { ...e, score: 9 } : e)),
      expect: { invalid_event: 1 },
      example: { event_ids: ['s-28'], message: 'score: expected integer to be less or equal to 5 (got 9)' },
    },
    {
      name: 'an event sent twice',
      code: 'duplicate_id',
      feed: () => [...sound(), { ...sound()[4]! }],
      expect: { duplicate_id: 1 },
      example: { index: 31, event_ids: ['s-5'], call: 'c1', message: 'event s-5 sent again, identical' },
    },
    {
      name: 'one id for two events',
      code: 'id_conflict',
      feed: () => [...sound(), { ...sound()[4]!, queue: 'billing' }],
      expect: { id_conflict: 1 },
      example: { index: 31, event_ids: ['s-5'], message: 'event id s-5 used again for a different event (call.queued); only the first is kept' },
    },
    {
      name: 'a call ended while queued (the overflow is missing)',
      code: 'queued_never_closed',
      feed: () => {
        const f = sound();
        return without(f, find(f, (e) => e.type === 'call.overflow'));
      },
      expect: { queued_never_closed: 1 },
      example: { call: 'c3', event_ids: ['s-15', 's-23'], message: 'call c3: ended while its visit of support was never closed (no answer, abandon or overflow)' },
    },
    {
      name: 'a visit still open where the feed ends',
      code: 'queued_open_at_feed_end',
      feed: () => {
        const f = sound();
        return without(f, find(f, (e) => e.type === 'call.overflow'), find(f, (e) => e.type === 'call.ended' && e.call === 'c3'));
      },
      expect: { queued_open_at_feed_end: 1 },
      example: { call: 'c3', event_ids: ['s-15'], message: 'call c3: still queued in support where the feed ends' },
    },
    {
      name: 'a call silent for longer than stalledCallMs without call.ended',
      code: 'call_never_ended',
      options: { stalledCallMs: 60_000 },
      feed: () => {
        const f = sound();
        return without(f, find(f, (e) => e.type === 'call.ended' && e.call === 'c3'));
      },
      expect: { call_never_ended: 1 },
      example: { call: 'c3', event_ids: ['s-22'], message: 'call c3: no call.ended; its last event came 8 min before the feed ends' },
    },
    {
      name: 'answered in a queue the call never entered',
      code: 'answered_without_queue',
      feed: () => sound().map((e) => (e.type === 'call.answered' ? { ...e, queue: 'billing' } : e)),
      expect: { answered_without_queue: 1, queued_never_closed: 1 },
      example: { call: 'c1', agent: 'ann', message: 'call c1: answered in queue billing while queued in sales' },
    },
    {
      name: 'a queue event for another queue than the open visit',
      code: 'queue_event_without_visit',
      feed: () => sound().map((e) => (e.type === 'call.abandoned' ? { ...e, queue: 'sales' } : e)),
      expect: { queue_event_without_visit: 1, queued_never_closed: 1 },
      example: { call: 'c2', message: 'call c2: call.abandoned for queue sales while queued in support' },
    },
    {
      name: 'call events without call.offered',
      code: 'call_without_offer',
      feed: () => {
        const f = sound();
        return without(f, find(f, (e) => e.type === 'call.offered' && e.call === 'c2'));
      },
      expect: { call_without_offer: 1 },
      example: { call: 'c2', message: 'call c2: call.queued with no call.offered before it' },
    },
    {
      name: 'call.offered twice',
      code: 'call_offered_twice',
      feed: () => [...sound(), { id: 'x-1', type: 'call.offered', ts: T + 12_000, call: 'c1', direction: 'inbound' }],
      // Stamped before events of the call that came earlier in the feed.
      expect: { call_offered_twice: 1, out_of_order: 1 },
      example: { call: 'c1', event_ids: ['x-1'] },
    },
    {
      name: 'call.ended twice',
      code: 'call_ended_twice',
      feed: () => [...sound(), { id: 'x-1', type: 'call.ended', ts: T + 60_000, call: 'c2', by: 'system' }],
      expect: { call_ended_twice: 1 },
      example: { call: 'c2', event_ids: ['x-1'], message: 'call c2: call.ended again' },
    },
    {
      name: 'a call event after the end (survey and wrap-up after it are fine)',
      code: 'events_after_end',
      feed: () => [...sound(), { id: 'x-1', type: 'call.ivr', ts: T + 60_000, call: 'c2', node: 'goodbye' }],
      expect: { events_after_end: 1 },
      example: { call: 'c2', event_ids: ['x-1', 's-19'], message: 'call c2: call.ivr after call.ended' },
    },
    {
      name: 'an agent answering a second call while on the first',
      code: 'agent_on_two_calls',
      feed: () => [
        ...sound(),
        { id: 'x-1', type: 'call.offered', ts: T + 76_000, call: 'c4', direction: 'inbound' },
        { id: 'x-2', type: 'call.queued', ts: T + 77_000, call: 'c4', queue: 'sales' },
        { id: 'x-3', type: 'call.answered', ts: T + 80_000, call: 'c4', queue: 'sales', agent: 'ann' },
        { id: 'x-4', type: 'call.ended', ts: T + 100_000, call: 'c4', by: 'caller' },
      ],
      expect: { agent_on_two_calls: 1 },
      example: { agent: 'ann', call: 'c4', event_ids: ['x-3'], message: 'agent ann: connected to call c4 (call.answered) while on call c1' },
    },
    {
      name: 'answering while logged out',
      code: 'illegal_state_transition',
      feed: () => [
        ...sound(),
        { id: 'x-1', type: 'call.offered', ts: T + 610_000, call: 'c5', direction: 'inbound' },
        { id: 'x-2', type: 'call.queued', ts: T + 611_000, call: 'c5', queue: 'support' },
        { id: 'x-3', type: 'call.answered', ts: T + 615_000, call: 'c5', queue: 'support', agent: 'bob' },
        { id: 'x-4', type: 'call.ended', ts: T + 650_000, call: 'c5', by: 'caller' },
      ],
      expect: { illegal_state_transition: 1 },
      example: { agent: 'bob', call: 'c5', event_ids: ['x-3'], message: 'agent bob: call.answered on call c5 while logged_out' },
    },
    {
      name: 'no on_call (nor acw) around an answered call',
      code: 'state_gap',
      feed: () => {
        const f = sound();
        return without(f, find(f, (e) => e.agent === 'ann' && e.state === 'on_call'), find(f, (e) => e.agent === 'ann' && e.state === 'acw'));
      },
      expect: { state_gap: 1 },
      example: { agent: 'ann', call: 'c1', message: 'agent ann: answered call c1 but went available without agent.state on_call' },
    },
    {
      name: 'hold by an agent who is not on the call',
      code: 'agent_not_on_call',
      feed: () => sound().map((e) => (e.type === 'call.hold' ? { ...e, agent: 'bob' } : e)),
      expect: { agent_not_on_call: 1 },
      example: { call: 'c1', agent: 'bob', message: 'call c1: call.hold by agent bob, who is not on the call' },
    },
  ];

  for (const c of cases) {
    it(`${c.code}: ${c.name}`, () => {
      const a = auditFeed(c.feed(), c.options);
      expect(counts(a)).toEqual(c.expect);
      const p = problem(a, c.code);
      expect(p.severity).toBe(PROBLEMS[c.code].severity);
      expect(p.advice).toBe(PROBLEMS[c.code].advice);
      expect(p.examples[0]).toMatchObject(c.example);
      expect(a.status).toBe(a.errors > 0 ? 'error' : a.warnings > 0 ? 'warning' : 'ok');
      if (c.example.call) expect(a.by_call.map((s) => s.id)).toContain(c.example.call);
      if (c.example.agent) expect(a.by_agent.find((s) => s.id === c.example.agent)?.codes[c.code]).toBeGreaterThan(0);
    });
  }

  it('the planted codes cover every code the audit has (out_of_order, seconds and skew below)', () => {
    const planted = new Set<string>([...cases.map((c) => c.code), 'out_of_order', 'timestamps_in_seconds', 'clock_skew']);
    expect(PROBLEM_CODES.filter((code) => !planted.has(code))).toEqual([]);
  });

  it('a feed that starts mid-stream takes calls and agents as begun before it', () => {
    const f = sound().filter((e) => e.ts >= T + 22_000);
    expect(Object.keys(counts(auditFeed(f))).sort()).toEqual(['call_without_offer', 'illegal_state_transition']);
    expect(auditFeed(f, { startsMidStream: true }).problems).toEqual([]);
  });

  it('keeps the first examples only, and counts all', () => {
    const f = [...sound(), ...Array.from({ length: 30 }, (_, i) => ({ id: `x-${i}`, type: 'call.bogus', ts: T }))];
    const p = problem(auditFeed(f, { maxExamples: 3 }), 'invalid_event');
    expect(p.count).toBe(30);
    expect(p.examples.map((e) => e.index)).toEqual([31, 32, 33]);
    expect(p.examples[0]!.message).toBe('type: unknown event type "call.bogus"');
  });
});

describe('time units and clocks', () => {
  it('a feed with ts in epoch seconds: each event named, and its lifecycle still checked', () => {
    const f = sound().map((e) => ({ ...e, ts: Math.floor(e.ts / 1000) }));
    const a = auditFeed(f);
    expect(counts(a)).toEqual({ timestamps_in_seconds: 31 });
    expect(a.invalid).toBe(0);
    expect(a.calls).toBe(3);
    expect(problem(a, 'timestamps_in_seconds').examples[0]).toMatchObject({
      index: 0,
      message: `ts ${T / 1000} is 2026-03-02T09:00:00.000Z if read as seconds, 1970-01-21T12:20:42.000Z as milliseconds`,
    });
    expect(a.status).toBe('error');
  });

  it('a source whose clock leads the server by 90 s (received known)', () => {
    const f = sound().map((e) => {
      const fromB = e.type.startsWith('call.') && e.call === 'c2';
      return { ...e, source: fromB ? 'pbx-b' : 'pbx-a', received: fromB ? e.ts - 90_000 : e.ts + 200 };
    });
    const a = auditFeed(f);
    expect(counts(a)).toEqual({ clock_skew: 6 });
    expect(problem(a, 'clock_skew').examples).toEqual([
      { event_ids: ['s-10'], index: 9, source: 'pbx-b', message: 'source pbx-b: 6 events stamped ahead of the server clock, up to 90 s (ts − received)' },
    ]);
    expect(a.sources.map((s) => [s.source, s.events, s.max_lead_ms])).toEqual([
      ['pbx-a', 25, -200],
      ['pbx-b', 6, 90_000],
    ]);
  });

  it('two sources on the same calls, the second 90 s behind (no received)', () => {
    // Site A offers and queues each call and overflows it to site B, whose PBX stamps 90 s early.
    const f: Ev[] = [];
    for (let i = 0; i < 10; i++) {
      const t = T + i * 600_000;
      const call = `c${i}`;
      f.push(
        { id: `a${i}-1`, source: 'pbx-a', type: 'call.offered', ts: t, call, direction: 'inbound' },
        { id: `a${i}-2`, source: 'pbx-a', type: 'call.queued', ts: t + 1000, call, queue: 'a-sales' },
        { id: `a${i}-3`, source: 'pbx-a', type: 'call.overflow', ts: t + 31_000, call, from_queue: 'a-sales', to_queue: 'b-sales' },
        { id: `b${i}-1`, source: 'pbx-b', type: 'call.queued', ts: t + 31_000 - 90_000, call, queue: 'b-sales' },
        { id: `b${i}-2`, source: 'pbx-b', type: 'call.abandoned', ts: t + 50_000 - 90_000, call, queue: 'b-sales', stage: 'queue' },
        { id: `b${i}-3`, source: 'pbx-b', type: 'call.ended', ts: t + 50_000 - 90_000, call, by: 'caller' },
      );
    }
    const a = auditFeed(f);
    const skew = problem(a, 'clock_skew');
    expect(skew).toMatchObject({ severity: 'warning', count: 10 });
    expect(skew.examples[0]).toMatchObject({ source: 'pbx-b', call: 'c0', event_ids: ['b0-1', 'a0-1'] });
    expect(skew.examples[0]!.message).toBe(
      'call c0: source pbx-b stamps call.queued 59 s before source pbx-a\u2019s call.offered: its clock is at least that far behind (10 calls, median −59 s)',
    );
    // The skew also breaks the calls' order as callboard sees them.
    expect(a.errors).toBeGreaterThan(0);
    // Without the skew the same feed is sound.
    const fixed = f.map((e) => (e.source === 'pbx-b' ? { ...e, ts: e.ts + 90_000 } : e));
    expect(auditFeed(fixed).problems).toEqual([]);
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
function checkFeed(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/check-feed.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run check-feed', () => {
  it('passes a sound feed (NDJSON or JSON array) with exit 0', async () => {
    const r = await checkFeed(`${FEEDS}sound.ndjson`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('31 events (31 valid, 0 invalid), 3 calls, 2 agents');
    expect(r.stdout).toContain('OK: 0 errors, 0 warnings, 0 info');
    const arr = await checkFeed(`${FEEDS}sound-array.json`, '--json');
    expect(arr.code).toBe(0);
    expect(JSON.parse(arr.stdout)).toMatchObject({ events: 31, status: 'ok', problems: [] });
  });

  it('exits 1 on errors, naming code, severity, the line of each example and the fix', async () => {
    const r = await checkFeed(`${FEEDS}planted.ndjson`, '--max-examples', '1');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ERRORS: 6 errors, 0 warnings, 0 info');
    expect(r.stdout).toMatch(/^ERROR {3}queued_never_closed × 1: call ended while a queue visit was still open$/m);
    expect(r.stdout).toContain('line 23: call c3: ended while its visit of support was never closed');
    expect(r.stdout).toContain('line 34: ts 1772442800 is 2026-03-02T09:13:20.000Z if read as seconds');
    expect(r.stdout).toContain('line 35: by: is required [p-3]');
    expect(r.stdout).toContain(`fix: ${PROBLEMS.id_conflict.advice}`);
    const json = await checkFeed(`${FEEDS}planted.ndjson`, '--json');
    expect(json.code).toBe(1);
    const audit = JSON.parse(json.stdout) as FeedAudit;
    expect(counts(audit)).toEqual({ invalid_event: 1, id_conflict: 1, timestamps_in_seconds: 1, call_without_offer: 1, queued_never_closed: 1, illegal_state_transition: 1 });
  });

  it('exits 2 on input it cannot read, naming the line, never with a stack trace', async () => {
    const broken = await checkFeed(`${FEEDS}broken-line.ndjson`);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken-line\.ndjson: line 4 is not valid JSON \(/);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    const missing = await checkFeed(`${FEEDS}no-such-feed.ndjson`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no-such-feed.ndjson: cannot read (ENOENT)');
    const usage = await checkFeed('--max-examples', 'many', `${FEEDS}sound.ndjson`);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--max-examples: must be a whole number from 0 to 1000 (got "many")');
    expect(usage.stderr).toContain('usage: npm run check-feed');
  });
});
