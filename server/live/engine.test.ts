import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../schemas/validate.ts';
import { EventFactory, min, sec, shuffled } from '../contact-metrics/test-events.ts';
import { StaticDirectory } from './directory.ts';
import { LiveEngine, type LiveEngineOptions } from './engine.ts';
import { rebuildStartMs } from './rebuild.ts';
import type { LiveSnapshot } from './snapshot.ts';

const T0 = Date.parse('2026-03-10T09:00:00Z'); // 10:00 in Berlin, 05:00 in New York (EDT)

function engine(opts: LiveEngineOptions = {}): LiveEngine {
  return new LiveEngine({ defaultTimeZone: 'Europe/Berlin', ...opts });
}

/** Snapshot without the version numbers (they depend on the order of work). */
function strip<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'version' ? undefined : x))) as T;
}

const queueOf = (s: LiveSnapshot, id: string) => {
  const q = s.queues.find((x) => x.queue === id);
  if (!q) throw new Error(`no queue ${id}`);
  return q;
};
const agentOf = (s: LiveSnapshot, id: string) => {
  const a = s.agents.find((x) => x.agent === id);
  if (!a) throw new Error(`no agent ${id}`);
  return a;
};

/** A small morning: two agents, two queues, answered / abandoned / overflowed / transferred calls, states and holds. */
function morning(f = new EventFactory('m', 'berlin')): NormalizedEvent[] {
  const ev: NormalizedEvent[] = [
    f.state('a1', 'available', T0 - min(30), { queues: ['billing', 'sales'] }),
    f.state('a2', 'available', T0 - min(30), { queues: ['sales'] }),
    // c1: billing, answered by a1 after 12 s, 15 s hold, ends, 30 s wrap-up.
    f.offered('c1', T0 - sec(10)),
    f.queued('c1', 'billing', T0),
    f.ringing('c1', 'billing', 'a1', T0 + sec(10)),
    f.state('a1', 'ringing', T0 + sec(10)),
    f.answered('c1', 'a1', T0 + sec(12), 'billing'),
    f.state('a1', 'on_call', T0 + sec(12)),
    f.hold('c1', 'a1', T0 + sec(60)),
    f.unhold('c1', 'a1', T0 + sec(75)),
    f.ended('c1', T0 + sec(192)),
    f.state('a1', 'acw', T0 + sec(192)),
    f.wrapup('c1', 'a1', T0 + sec(222)),
    f.state('a1', 'available', T0 + sec(222)),
    // c2: sales, abandoned after 30 s.
    f.queued('c2', 'sales', T0 + sec(20)),
    f.abandoned('c2', T0 + sec(50), 'queue', 'sales'),
    f.ended('c2', T0 + sec(50)),
    // c3: sales → overflow to billing after 40 s → answered by a1 8 s later.
    f.queued('c3', 'sales', T0 + sec(200)),
    f.overflow('c3', 'sales', 'billing', T0 + sec(240)),
    f.queued('c3', 'billing', T0 + sec(240)),
    f.ringing('c3', 'billing', 'a1', T0 + sec(245)),
    f.state('a1', 'ringing', T0 + sec(245)),
    f.answered('c3', 'a1', T0 + sec(248), 'billing'),
    f.state('a1', 'on_call', T0 + sec(248)),
    // a2 takes a break.
    f.state('a2', 'not_ready', T0 + sec(100), { reason: 'break' }),
    // c4: still waiting in sales.
    f.queued('c4', 'sales', T0 + sec(280)),
    f.help('a1', T0 + sec(260), 'c3'),
  ];
  return ev;
}

describe('live engine: queue view', () => {
  it('counts a morning: waiting calls, agents by state, today figures, current calls', () => {
    const e = engine();
    e.apply(morning());
    const now = T0 + sec(300);
    e.tick(now);
    const s = e.snapshot(now);
    const billing = queueOf(s, 'billing');
    expect(billing).toMatchObject({ site: 'berlin', waiting: 0, longest_wait_s: 0, agents: { available: 0, not_ready: 0, ringing: 0, on_call: 1, acw: 0 } });
    expect(billing.today).toMatchObject({ offered: 2, answered: 2, abandoned: 0, flowed_out: 0, service_level: 1, asa_s: 10, aht_s: 210, handled: 1 });
    const sales = queueOf(s, 'sales');
    expect(sales).toMatchObject({ waiting: 1, longest_wait_s: 20, oldest_waiting_since: T0 + sec(280), waiting_calls: [{ call: 'c4', since: T0 + sec(280) }] });
    expect(sales.agents).toEqual({ available: 0, not_ready: 1, ringing: 0, on_call: 1, acw: 0 });
    // offered = answered + abandoned + flowed_out + still waiting
    expect(sales.today).toMatchObject({ offered: 3, answered: 0, abandoned: 1, flowed_out: 1, service_level: 0, abandon_rate: 0.3333 });
    expect(agentOf(s, 'a1')).toMatchObject({ state: 'on_call', since: T0 + sec(248), call: 'c3', queue: 'billing', queues: ['billing', 'sales'] });
    expect(agentOf(s, 'a2')).toMatchObject({ state: 'not_ready', reason: 'break', since: T0 + sec(100), call: null, queue: null });
    expect(s.help).toEqual([{ id: expect.any(String), agent: 'a1', call: 'c3', ts: T0 + sec(260) }]);
    // The center counts each agent once.
    expect(s.center.agents).toEqual({ available: 0, not_ready: 1, ringing: 0, on_call: 1, acw: 0 });
  });

  it('matches the JSON of GET /v1/live/snapshot (issue 8)', () => {
    const e = engine({ directory: new StaticDirectory({ agents: { a1: { name: 'Ann', team: 'blue' } } }) });
    e.apply(morning());
    e.tick(T0 + sec(300));
    const s = JSON.parse(JSON.stringify(e.snapshot(T0 + sec(300)))) as Record<string, unknown>;
    const q = (s.queues as Record<string, unknown>[])[0] as Record<string, unknown>;
    for (const k of ['queue', 'site', 'waiting', 'longest_wait_s', 'agents', 'today']) expect(q).toHaveProperty(k);
    expect(Object.keys(q.agents as object).sort()).toEqual(['acw', 'available', 'not_ready', 'on_call', 'ringing']);
    for (const k of ['offered', 'answered', 'abandoned', 'flowed_out', 'service_level', 'asa_s', 'aht_s', 'abandon_rate']) {
      expect(q.today).toHaveProperty(k);
    }
    const a = (s.agents as Record<string, unknown>[]).find((x) => x.agent === 'a1') as Record<string, unknown>;
    for (const k of ['agent', 'name', 'team', 'state', 'reason', 'since', 'queue', 'call']) expect(a).toHaveProperty(k);
    expect(a).toMatchObject({ name: 'Ann', team: 'blue' });
    expect(s.teams).toEqual([expect.objectContaining({ team: 'blue', agents: { available: 0, not_ready: 0, ringing: 0, on_call: 1, acw: 0 } })]);
  });

  it('an agent in two queues counts in both, once in the totals; state changes and sign-out move the counts', () => {
    const f = new EventFactory('x');
    const e = engine();
    e.apply([f.state('a', 'available', T0, { queues: ['q1', 'q2'] }), f.state('b', 'available', T0, { queues: ['q2'] })]);
    let s = e.snapshot(T0 + 1);
    expect(queueOf(s, 'q1').agents.available).toBe(1);
    expect(queueOf(s, 'q2').agents.available).toBe(2);
    expect(s.center.agents.available).toBe(2);
    e.apply([f.state('a', 'not_ready', T0 + sec(10), { reason: 'break' })]);
    s = e.snapshot(T0 + sec(11));
    expect(queueOf(s, 'q1').agents).toMatchObject({ available: 0, not_ready: 1 });
    expect(queueOf(s, 'q2').agents).toMatchObject({ available: 1, not_ready: 1 });
    e.apply([f.state('a', 'logged_out', T0 + sec(20))]);
    s = e.snapshot(T0 + sec(21));
    expect(queueOf(s, 'q1').agents).toEqual({ available: 0, not_ready: 0, ringing: 0, on_call: 0, acw: 0 });
    expect(queueOf(s, 'q2').agents).toMatchObject({ available: 1, not_ready: 0 });
    // A new login with other queues replaces the list.
    e.apply([f.state('a', 'available', T0 + sec(30), { queues: ['q1'] })]);
    s = e.snapshot(T0 + sec(31));
    expect([queueOf(s, 'q1').agents.available, queueOf(s, 'q2').agents.available]).toEqual([1, 1]);
  });

  it('abandon while ringing counts as abandoned in that queue; short abandons leave the SL and abandon rate', () => {
    const f = new EventFactory('r');
    const e = engine();
    e.apply([
      f.queued('r1', 'q', T0),
      f.ringing('r1', 'q', 'a', T0 + sec(8)),
      f.abandoned('r1', T0 + sec(12), 'ringing', 'q'),
      f.ended('r1', T0 + sec(12)),
      ...f.abandonedCall('r2', 'q', T0 + sec(30), 3), // short (< 5 s)
      ...f.answeredCall('r3', 'q', 'a', T0 + sec(60), { waitS: 10 }),
    ]);
    const q = e.queue('q', T0 + min(10));
    expect(q?.today).toMatchObject({ offered: 3, answered: 1, abandoned: 2, short_abandoned: 1, abandoned_within_sl: 2 });
    // default: 1 within T ÷ (1 + 2 − 1); abandon rate: (2 − 1) ÷ (3 − 1)
    expect(q?.today.service_level).toBe(0.5);
    expect(q?.today.abandon_rate).toBe(0.5);
  });

  it('the four SL formulas and sl_flowouts: include from the queue settings, on a hand-computed example', () => {
    const build = (settings: { slFormula: 'default' | 'answered_only' | 'abandon_positive' | 'abandon_negative'; slFlowouts: 'exclude' | 'include' }) => {
      const f = new EventFactory('s');
      const e = engine({ directory: new StaticDirectory({ queues: { q: { settings } } }) });
      // 6 answered (5, 10, 15, 20, 25, 60 s), 3 abandoned (2 s short, 5 s, 40 s), 1 flowed out.
      [5, 10, 15, 20, 25, 60].forEach((w, i) => e.apply(f.answeredCall(`a${i}`, 'q', 'x', T0 + sec(i), { waitS: w })));
      [2, 5, 40].forEach((w, i) => e.apply(f.abandonedCall(`b${i}`, 'q', T0, w)));
      e.apply([f.queued('o', 'q', T0), f.overflow('o', 'q', 'callback', T0 + sec(30))]);
      return e.queue('q', T0 + min(30))?.today;
    };
    const r = (x: number) => Math.round(x * 10_000) / 10_000;
    expect(build({ slFormula: 'default', slFlowouts: 'exclude' })?.service_level).toBe(r(4 / 8));
    expect(build({ slFormula: 'default', slFlowouts: 'include' })?.service_level).toBe(r(4 / 9));
    expect(build({ slFormula: 'answered_only', slFlowouts: 'exclude' })?.service_level).toBe(r(4 / 6));
    expect(build({ slFormula: 'answered_only', slFlowouts: 'include' })?.service_level).toBe(r(4 / 7));
    expect(build({ slFormula: 'abandon_positive', slFlowouts: 'exclude' })?.service_level).toBe(r(6 / 9));
    expect(build({ slFormula: 'abandon_positive', slFlowouts: 'include' })?.service_level).toBe(r(6 / 10));
    expect(build({ slFormula: 'abandon_negative', slFlowouts: 'exclude' })?.service_level).toBe(r(4 / 9));
    const last = build({ slFormula: 'abandon_negative', slFlowouts: 'include' });
    expect(last?.service_level).toBe(r(4 / 10));
    expect(last?.service_level_by_formula).toEqual({ default: r(4 / 9), answered_only: r(4 / 7), abandon_positive: 0.6, abandon_negative: 0.4 });
    expect(last).toMatchObject({ asa_s: 22.5, max_wait_s: 60, abandon_rate: r(2 / 9) });
  });
});

describe('live engine: overflow, queue view and caller view', () => {
  it('flowed_out in the first queue, offered + answered in the second (wait from its own queued); the caller view counts one call from the first queued', () => {
    const f = new EventFactory('o');
    const e = engine({
      directory: new StaticDirectory({
        sites: { n: { timeZone: 'Europe/Berlin' }, s: { timeZone: 'Europe/Berlin' } },
        queues: { north: { site: 'n' }, south: { site: 's' } },
      }),
    });
    e.apply([
      f.offered('c', T0 - sec(20), 'inbound'),
      f.queued('c', 'north', T0, 'n'),
      f.overflow('c', 'north', 'south', T0 + sec(30)),
      f.queued('c', 'south', T0 + sec(30), 's'),
      f.ringing('c', 'south', 's1', T0 + sec(36)),
      f.answered('c', 's1', T0 + sec(40), 'south'),
      f.ended('c', T0 + sec(160)),
      f.wrapup('c', 's1', T0 + sec(170)),
    ]);
    const now = T0 + min(5);
    e.tick(now);
    const s = e.snapshot(now);
    expect(queueOf(s, 'north').today).toMatchObject({ offered: 1, answered: 0, abandoned: 0, flowed_out: 1, service_level: null, asa_s: null });
    expect(queueOf(s, 'south').today).toMatchObject({ offered: 1, answered: 1, flowed_out: 0, service_level: 1, asa_s: 10, aht_s: 130 });
    // Queue view of the center: two offers; caller view: one call, answered after 40 s (> T).
    expect(s.center.today).toMatchObject({ offered: 2, answered: 1, flowed_out: 1, service_level: 1, asa_s: 10 });
    expect(s.center.caller_view.today).toMatchObject({ offered: 1, answered: 1, flowed_out: 0, service_level: 0, asa_s: 40, aht_s: 130 });
    // The caller view belongs to the site of the first queue.
    const site = (id: string) => s.sites.find((x) => x.site === id);
    expect(site('n')?.caller_view.today).toMatchObject({ offered: 1, answered: 1, asa_s: 40 });
    expect(site('s')?.caller_view.today.offered).toBe(0);
    expect(site('n')?.today).toMatchObject({ offered: 1, flowed_out: 1 });
    expect(site('s')?.today).toMatchObject({ offered: 1, answered: 1 });
  });

  it('sl_flowouts include counts the flow-out as missed in the first queue', () => {
    const f = new EventFactory('i');
    const e = engine({ directory: new StaticDirectory({ queues: { a: { settings: { slFlowouts: 'include' } } } }) });
    e.apply([...f.answeredCall('x', 'a', 'p', T0, { waitS: 5 }), f.queued('y', 'a', T0), f.overflow('y', 'a', 'b', T0 + sec(25)), f.queued('y', 'b', T0 + sec(25))]);
    expect(e.queue('a', T0 + min(1))?.today).toMatchObject({ offered: 2, answered: 1, flowed_out: 1, service_level: 0.5 });
    expect(e.queue('b', T0 + min(1))).toMatchObject({ waiting: 1, longest_wait_s: 35 });
  });
});

describe('live engine: order, duplicates, late events', () => {
  it('any order and any duplicates give the same state as the ordered stream', () => {
    const events = morning();
    const ordered = engine();
    ordered.apply(events);
    const now = T0 + sec(300);
    ordered.tick(now);
    const expected = strip(ordered.snapshot(now));
    for (let seed = 1; seed <= 12; seed++) {
      const e = engine();
      const mixed = shuffled([...events, ...shuffled(events, seed + 100).slice(0, 15)], seed);
      for (let i = 0; i < mixed.length; i += 7) e.apply(mixed.slice(i, i + 7));
      e.tick(now);
      expect(strip(e.snapshot(now))).toEqual(expected);
    }
  });

  it('counts duplicates and ignores them (same batch and later batches)', () => {
    const f = new EventFactory('d');
    const e = engine();
    const call = f.answeredCall('c', 'q', 'a', T0, { waitS: 4 });
    e.apply([...call, ...call]);
    e.apply(call);
    expect(e.queue('q', T0 + min(5))?.today).toMatchObject({ offered: 1, answered: 1, handled: 1 });
    expect(e.stats.duplicates).toBe(call.length * 2);
  });

  it('a late answer corrects a call that was counted as waiting', () => {
    const f = new EventFactory('l');
    const e = engine();
    e.apply([f.queued('c', 'q', T0)]);
    e.tick(T0 + sec(40));
    expect(e.queue('q', T0 + sec(40))).toMatchObject({ waiting: 1, longest_wait_s: 40, today: { offered: 1, answered: 0 } });
    const v0 = e.version;
    // The answer happened at +15 s but arrives only now.
    e.apply([f.answered('c', 'a', T0 + sec(15), 'q')]);
    const q = e.queue('q', T0 + sec(41));
    expect(q).toMatchObject({ waiting: 0, longest_wait_s: 0, today: { offered: 1, answered: 1, asa_s: 15, service_level: 1 } });
    expect(e.changedSince(v0).queues).toEqual(['q']);
    // And a late earlier abandon does not double count: the answer stays, the figures are stable.
    e.apply([f.ended('c', T0 + sec(100)), f.wrapup('c', 'a', T0 + sec(110))]);
    expect(e.queue('q', T0 + sec(120))?.today).toMatchObject({ offered: 1, answered: 1, abandoned: 0, handled: 1, aht_s: 95 });
  });

  it('an out-of-order agent state is placed by its time: the current state stays the latest', () => {
    const f = new EventFactory('s');
    const e = engine();
    e.apply([f.state('a', 'available', T0, { queues: ['q'] }), f.state('a', 'acw', T0 + sec(60))]);
    e.apply([f.state('a', 'on_call', T0 + sec(30))]);
    expect(e.agent('a', T0 + sec(90))).toMatchObject({ state: 'acw', since: T0 + sec(60) });
    const today = e.agent('a', T0 + sec(90))?.today;
    // available 30 s, on_call 30 s, acw 30 s → occupancy 60/90, utilization 60/90
    expect(today).toMatchObject({ logged_in_s: 90, occupancy: 0.6667, utilization: 0.6667 });
  });
});

describe('live engine: days, time zones and rolling windows', () => {
  const dir = () =>
    new StaticDirectory({
      sites: { berlin: { timeZone: 'Europe/Berlin' }, ny: { timeZone: 'America/New_York' } },
      queues: { be: { site: 'berlin' }, us: { site: 'ny' } },
    });

  it('each site rolls over at its own local midnight', () => {
    const f = new EventFactory('z');
    const e = engine({ directory: dir() });
    const t = Date.parse('2026-03-10T21:00:00Z'); // Berlin 22:00, New York 17:00
    e.apply([...f.answeredCall('b1', 'be', 'x', t, { waitS: 5 }), ...f.answeredCall('u1', 'us', 'y', t, { waitS: 5 })]);
    e.tick(t + min(10));
    expect([e.queue('be', t + min(10))?.today.offered, e.queue('us', t + min(10))?.today.offered]).toEqual([1, 1]);
    // 23:30Z: Berlin is at 00:30 on the 11th, New York still at 19:30 on the 10th.
    const afterBerlin = Date.parse('2026-03-10T23:30:00Z');
    e.tick(afterBerlin);
    expect(e.queue('be', afterBerlin)?.today.offered).toBe(0);
    expect(e.queue('us', afterBerlin)?.today.offered).toBe(1);
    expect(e.site('berlin', afterBerlin)).toMatchObject({ day: '2026-03-11', day_start: Date.parse('2026-03-10T23:00:00Z') });
    expect(e.site('ny', afterBerlin)).toMatchObject({ day: '2026-03-10', day_start: Date.parse('2026-03-10T04:00:00Z') });
    // New York's midnight (EDT): 04:00Z.
    e.tick(Date.parse('2026-03-11T03:59:00Z'));
    expect(e.queue('us', Date.parse('2026-03-11T03:59:00Z'))?.today.offered).toBe(1);
    const afterNy = Date.parse('2026-03-11T04:00:00Z');
    e.tick(afterNy);
    expect(e.queue('us', afterNy)?.today.offered).toBe(0);
    // A call that entered before midnight and arrives late is not counted in the new day.
    e.apply(f.answeredCall('late', 'us', 'y', afterNy - min(5), { waitS: 2 }));
    expect(e.queue('us', afterNy + 1000)?.today.offered).toBe(0);
  });

  it('the autumn DST day in Berlin is 25 h: calls at 00:30 and 23:30 local both count, midnight resets', () => {
    const f = new EventFactory('dst');
    const e = engine({ directory: dir() });
    const early = Date.parse('2026-10-24T22:30:00Z'); // 00:30 CEST, Oct 25
    const late = Date.parse('2026-10-25T22:30:00Z'); // 23:30 CET, Oct 25
    e.tick(early);
    e.apply(f.answeredCall('e1', 'be', 'x', early, { waitS: 5 }));
    e.tick(late);
    e.apply(f.answeredCall('e2', 'be', 'x', late, { waitS: 25 }));
    e.tick(late + min(5));
    const site = e.site('berlin', late + min(5));
    expect(site).toMatchObject({ day: '2026-10-25', day_start: Date.parse('2026-10-24T22:00:00Z'), day_end: Date.parse('2026-10-25T23:00:00Z') });
    expect(e.queue('be', late + min(5))?.today).toMatchObject({ offered: 2, answered: 2, service_level: 0.5 });
    const next = Date.parse('2026-10-25T23:00:00Z');
    e.tick(next);
    expect(e.queue('be', next)?.today.offered).toBe(0);
    // The agent's state times are clipped to the 25 h day as well.
    const g = new EventFactory('st');
    const e2 = engine({ directory: new StaticDirectory({ agents: { a: { site: 'berlin' } }, sites: { berlin: { timeZone: 'Europe/Berlin' } } }) });
    e2.apply([g.state('a', 'available', Date.parse('2026-10-24T20:00:00Z'), { queues: ['be'] })]);
    expect(e2.agent('a', next - 1000)?.today.logged_in_s).toBe(25 * 3600 - 1);
  });

  it('rolling 15/30/60-minute windows slide with the clock', () => {
    const f = new EventFactory('w');
    const e = engine();
    const now = T0 + min(120);
    for (const [i, ago] of [5, 20, 45, 70].entries()) e.apply(f.answeredCall(`w${i}`, 'q', 'x', now - min(ago), { waitS: 10 * (i + 1) }));
    e.tick(now);
    const q = e.queue('q', now);
    expect([q?.rolling['15m']?.offered, q?.rolling['30m']?.offered, q?.rolling['60m']?.offered]).toEqual([1, 2, 3]);
    // waits 10, 20 (= T, within) and 30 s
    expect(q?.rolling['60m']).toMatchObject({ answered: 3, asa_s: 20, service_level: 0.6667 });
    expect(q?.today.offered).toBe(4);
    const later = now + min(16);
    e.tick(later);
    const q2 = e.queue('q', later);
    expect([q2?.rolling['15m']?.offered, q2?.rolling['30m']?.offered, q2?.rolling['60m']?.offered]).toEqual([0, 1, 2]);
    expect(e.center(later).rolling['30m']?.offered).toBe(1);
  });
});

describe('live engine: transfers, agents and change tracking', () => {
  it('blind transfer to a queue is a new offer there; the first agent is in acw for the call', () => {
    const f = new EventFactory('t');
    const e = engine();
    e.apply([
      f.state('a1', 'available', T0 - min(1), { queues: ['sales'] }),
      f.state('a2', 'available', T0 - min(1), { queues: ['billing'] }),
      f.queued('c', 'sales', T0),
      f.answered('c', 'a1', T0 + sec(5), 'sales'),
      f.state('a1', 'on_call', T0 + sec(5)),
      f.transferToQueue('c', 'a1', 'billing', T0 + sec(65)),
      f.queued('c', 'billing', T0 + sec(65)),
      f.state('a1', 'acw', T0 + sec(65)),
      f.answered('c', 'a2', T0 + sec(70), 'billing'),
      f.state('a2', 'on_call', T0 + sec(70)),
    ]);
    let s = e.snapshot(T0 + sec(80));
    expect(queueOf(s, 'sales').today).toMatchObject({ offered: 1, answered: 1, handled: 0 });
    expect(queueOf(s, 'billing').today).toMatchObject({ offered: 1, answered: 1, asa_s: 5 });
    expect(agentOf(s, 'a1')).toMatchObject({ state: 'acw', call: 'c', queue: 'sales' });
    expect(agentOf(s, 'a2')).toMatchObject({ state: 'on_call', call: 'c', queue: 'billing' });
    e.apply([f.wrapup('c', 'a1', T0 + sec(85)), f.state('a1', 'available', T0 + sec(85)), f.ended('c', T0 + sec(130)), f.state('a2', 'available', T0 + sec(130))]);
    s = e.snapshot(T0 + sec(140));
    // Handle counts once the call ended: a1 60 s talk + 20 s acw in sales; a2 60 s talk in billing.
    expect(queueOf(s, 'sales').today).toMatchObject({ handled: 1, aht_s: 80 });
    expect(queueOf(s, 'billing').today).toMatchObject({ handled: 1, aht_s: 60 });
    expect(agentOf(s, 'a1')).toMatchObject({ state: 'available', call: null, today: { answered: 1, handled: 1, handle_s: 80 } });
  });

  it('changedSince names only what changed', () => {
    const f = new EventFactory('v');
    const e = engine({ directory: new StaticDirectory({ agents: { a: { team: 't1' } } }) });
    e.apply([f.queued('c1', 'q1', T0), f.queued('c2', 'q2', T0), f.state('a', 'available', T0, { queues: ['q1'] })]);
    const v = e.version;
    expect(e.changedSince(v)).toMatchObject({ queues: [], agents: [], center: false });
    e.apply([f.answered('c2', 'b', T0 + sec(3), 'q2')]);
    const c = e.changedSince(v);
    expect(c.queues).toEqual(['q2']);
    expect(c.agents).toEqual(['b']);
    expect(c.center).toBe(true);
    expect(c.teams).toEqual([]);
    e.apply([f.state('a', 'not_ready', T0 + sec(5))]);
    expect(e.changedSince(c.version)).toMatchObject({ queues: ['q1'], agents: ['a'], teams: ['t1'] });
  });
});

describe('live engine: memory bounds and rebuild', () => {
  it('forgets completed calls after the retention, keeps their counts, drops later events for them', () => {
    const f = new EventFactory('g');
    const e = engine({ retainCompleteMs: min(5) });
    for (let i = 0; i < 50; i++) e.apply(f.answeredCall(`c${i}`, 'q', 'x', T0 + sec(i), { waitS: 3, talkS: 30 }));
    e.apply([f.queued('open', 'q', T0)]);
    e.tick(T0 + min(2));
    expect(e.callCount).toBe(51);
    e.tick(T0 + min(10));
    expect(e.callCount).toBe(1); // the waiting call stays
    expect(e.queue('q', T0 + min(10))?.today).toMatchObject({ offered: 51, answered: 50, handled: 50 });
    e.apply([f.ended('c3', T0 + min(9)), f.answered('c3', 'y', T0 + sec(10), 'q')]);
    expect(e.stats.lateDropped).toBe(2);
    expect(e.queue('q', T0 + min(10))?.today).toMatchObject({ offered: 51, answered: 50 });
  });

  it('a call with no event for the stale limit stops counting as waiting', () => {
    const f = new EventFactory('st');
    const e = engine({ staleOpenMs: min(60) });
    e.apply([f.queued('lost', 'q', T0)]);
    e.tick(T0 + min(59));
    expect(e.queue('q', T0 + min(59))?.waiting).toBe(1);
    e.tick(T0 + min(61));
    expect(e.queue('q', T0 + min(61))?.waiting).toBe(0);
    expect(e.callCount).toBe(0);
  });

  it('rebuildFrom gives the state of the live stream; rebuildStartMs is the earliest local midnight', () => {
    const events = morning();
    const now = T0 + sec(300);
    const live = engine();
    for (const ev of events) live.apply([ev]);
    live.tick(now);
    const rebuilt = engine();
    rebuilt.apply(morning(new EventFactory('other', 'berlin'))); // replaced by the rebuild
    rebuilt.rebuildFrom([...events].sort((a, b) => a.ts - b.ts), now);
    expect(strip(rebuilt.snapshot(now))).toEqual(strip(live.snapshot(now)));
    // Streaming, in pages, with live events overlapping the query.
    const paged = engine();
    paged.beginRebuild(now);
    const sorted = [...events].sort((a, b) => a.ts - b.ts);
    paged.apply(sorted.slice(-5));
    for (let i = 0; i < sorted.length; i += 4) paged.rebuildChunk(sorted.slice(i, i + 4));
    paged.tick(now);
    expect(strip(paged.snapshot(now))).toEqual(strip(live.snapshot(now)));
    expect(rebuildStartMs(['Europe/Berlin', 'America/New_York'], Date.parse('2026-03-10T12:00:00Z'))).toBe(Date.parse('2026-03-09T23:00:00Z'));
    expect(rebuildStartMs(['Asia/Shanghai'], Date.parse('2026-03-10T16:30:00Z'))).toBe(Date.parse('2026-03-10T15:30:00Z'));
  });
});

describe('live engine: directory and defaults', () => {
  it('unknown ids get defaults and are announced once; formula changes apply at once, a T change asks for a rebuild', () => {
    const seen: string[] = [];
    const dir = new StaticDirectory();
    dir.firstSeen = (kind, id, site) => seen.push(`${kind}:${id}@${site}`);
    const f = new EventFactory('y', 'paris');
    const e = engine({ directory: dir });
    e.apply([...f.answeredCall('c1', 'q', 'a', T0, { waitS: 30 }), ...f.answeredCall('c2', 'q', 'a', T0 + min(5), { waitS: 5 })]);
    expect(seen.sort()).toEqual(['agent:a@', 'queue:q@paris', 'site:paris@paris']);
    const q = e.queue('q', T0 + min(10));
    expect(q).toMatchObject({ name: 'q', site: 'paris', sl_threshold_s: 20, sl_formula: 'default', today: { service_level: 0.5 } });
    expect(e.site('paris', T0 + min(10))?.time_zone).toBe('Europe/Berlin'); // the default zone
    dir.queues.set('q', { name: 'Billing', settings: { slFormula: 'answered_only' } });
    expect(e.directoryChanged()).toEqual({ rebuildNeeded: false });
    expect(e.queue('q', T0 + min(10))).toMatchObject({ name: 'Billing', sl_formula: 'answered_only', today: { service_level: 0.5 } });
    dir.queues.set('q', { name: 'Billing', settings: { slThresholdS: 40 } });
    expect(e.directoryChanged()).toEqual({ rebuildNeeded: true });
  });

  it('an IVR abandon is no offer; help requests are listed once, newest first', () => {
    const f = new EventFactory('h');
    const e = engine();
    e.apply([f.offered('i', T0), f.ivr('i', T0 + sec(2)), f.abandoned('i', T0 + sec(9), 'ivr'), f.ended('i', T0 + sec(9))]);
    expect(e.snapshot(T0 + min(1)).center.today.offered).toBe(0);
    const h1 = f.help('a', T0 + sec(10));
    const h2 = f.help('a', T0 + sec(20), 'i');
    e.apply([h2, h1, h2]);
    const s = e.snapshot(T0 + min(1));
    expect(s.help.map((h) => h.ts)).toEqual([T0 + sec(20), T0 + sec(10)]);
    expect(agentOf(s, 'a').today.help_requests).toBe(2);
  });
});
