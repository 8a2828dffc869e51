import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CallboardEvent } from '../../schemas/events.ts';
import { SIMULATED_TIME_LIMITS, validateEvent } from '../../schemas/validate.ts';
import { parseScenario } from '../sim/scenario.ts';
import { ArraySink } from '../sim/sink.ts';
import { Simulation } from '../sim/simulator.ts';
import { createDemoDataSource, DEMO_LOOKUP_KINDS } from './demo-data.ts';
import { ivrInput, ivrPlayed, ivrStart, type IvrOutcome } from './engine.ts';
import { parseIvrFlow } from './flow.ts';

const flowJson: unknown = JSON.parse(readFileSync(new URL('./flows/utility.json', import.meta.url), 'utf8'));
const flow = parseIvrFlow(flowJson);
const data = createDemoDataSource();

// Berlin local times: Tuesday 2026-11-24 10:00 CET; Sunday 2026-11-29; Christmas Friday 2026-12-25.
const TUESDAY_10 = Date.parse('2026-11-24T09:00:00Z');
const SUNDAY_10 = Date.parse('2026-11-29T09:00:00Z');
const CHRISTMAS_10 = Date.parse('2026-12-25T09:00:00Z');
const SATURDAY_1230 = Date.parse('2026-11-28T11:30:00Z');
const SATURDAY_1330 = Date.parse('2026-11-28T12:30:00Z');

/** Drives one call with scripted inputs: a string is a key press, null a timeout; play nodes are listened to in full. */
function run(now: number, from: string | undefined, inputs: (string | null)[]) {
  let o: IvrOutcome = ivrStart(flow, { now, call: 'c1', ...(from === undefined ? {} : { from }) }, data);
  const steps = [...o.steps];
  const script = [...inputs];
  while (o.next.kind === 'play' || o.next.kind === 'wait_input') {
    if (o.next.kind === 'play') {
      o = ivrPlayed(flow, o.state, { now }, data);
    } else {
      if (script.length === 0) throw new Error(`script ended while waiting at ${o.next.node}`);
      o = ivrInput(flow, o.state, script.shift() ?? null, { now }, data);
    }
    steps.push(...o.steps);
  }
  return { outcome: o, nodes: steps.map((s) => (s.input === undefined ? s.node : `${s.node}:${s.input}`)) };
}

describe('utility flow', () => {
  it('billing: balance by caller number, then an agent', () => {
    const { outcome, nodes } = run(TUESDAY_10, '+49301234567', ['1', '0']);
    expect(nodes).toEqual(['welcome', 'hours', 'main', 'main:1', 'billing_lookup', 'billing_balance', 'billing_more', 'billing_more:0', 'billing_queue']);
    expect(outcome.next).toEqual({ kind: 'queue', queue: 'billing', priority: 5 });
    expect(outcome.state.vars['balance']).toBe(data.lookup('balance', '+49301234567'));
  });

  it('billing: an anonymous caller types the customer number', () => {
    const { outcome, nodes } = run(TUESDAY_10, undefined, ['1', '12345678#', null, null]);
    expect(nodes).toEqual([
      'welcome', 'hours', 'main', 'main:1', 'billing_lookup', 'billing_account', 'billing_account:12345678#',
      'billing_lookup_account', 'billing_balance', 'billing_more', 'billing_more', 'goodbye', 'hangup',
    ]);
    expect(outcome.state.vars).toMatchObject({ account: '12345678', balance: data.lookup('balance', '12345678') });
    expect(outcome.next).toEqual({ kind: 'hangup' });
  });

  it('outages: notice by postal code, then an agent', () => {
    const area = findKey('outage', true);
    const { outcome, nodes } = run(TUESDAY_10, '+49301234567', ['2', area, '0']);
    expect(nodes).toEqual(['welcome', 'hours', 'main', 'main:2', 'outage_area', `outage_area:${area}`, 'outage_lookup', 'outage_notice', 'outage_more', 'outage_more:0', 'outage_queue']);
    expect(outcome.next).toEqual({ kind: 'queue', queue: 'outages', priority: 10 });
  });

  it('outages: no known outage', () => {
    const area = findKey('outage', false);
    const { nodes } = run(TUESDAY_10, '+49301234567', ['2', area, '9', '3']);
    expect(nodes).toContain('outage_none');
    expect(nodes.at(-1)).toBe('sales_queue');
  });

  it('sales, agent and no choice at all lead to queues while open', () => {
    expect(run(TUESDAY_10, '+4930', ['3']).outcome.next).toEqual({ kind: 'queue', queue: 'sales', priority: 0 });
    expect(run(TUESDAY_10, '+4930', ['0']).outcome.next).toEqual({ kind: 'queue', queue: 'billing', priority: 0 });
    expect(run(TUESDAY_10, '+4930', [null, null, null]).outcome.next).toEqual({ kind: 'queue', queue: 'billing', priority: 0 });
  });

  it('is open on Saturday morning only', () => {
    expect(run(SATURDAY_1230, '+4930', ['0']).outcome.state.open).toBe(true);
    expect(run(SATURDAY_1330, '+4930', ['3']).outcome.next).toEqual({ kind: 'voicemail', box: 'service' });
  });

  it('offers only self-service, messages and callbacks when closed (Sunday, Christmas)', () => {
    for (const now of [SUNDAY_10, CHRISTMAS_10]) {
      const balance = run(now, '+49301234567', ['1', '4']);
      expect(balance.nodes).toEqual(['welcome', 'hours', 'closed_menu', 'closed_menu:1', 'closed_balance', 'closed_balance_play', 'closed_more', 'closed_more:4', 'callback_request']);
      expect(balance.outcome.next).toEqual({ kind: 'callback', queue: 'billing' });
      expect(run(now, undefined, ['1', null]).nodes).toEqual(['welcome', 'hours', 'closed_menu', 'closed_menu:1', 'closed_balance', 'closed_unknown', 'closed_more', 'goodbye', 'hangup']);
      expect(run(now, '+4930', ['0', '3']).outcome.next).toEqual({ kind: 'voicemail', box: 'service' });
    }
  });

  it('never reaches a queue when closed, and every step is a valid call.ivr event (random walks)', () => {
    // Callers of the simulator walk the flow at random (every key of every menu, silence and
    // hang-ups) at all hours in the week of Christmas, through the real ACD core.
    const choices: Record<string, Record<string, number>> = {};
    for (const node of flow.nodes.values()) {
      if (node.type === 'menu') choices[node.id] = { ...Object.fromEntries(Object.keys(node.options).map((k) => [k, 1])), timeout: 0.3, hangup: 0.1 };
      if (node.type === 'digits') choices[node.id] = { digits: 1, timeout: 0.1, hangup: 0.05 };
    }
    const scenario = parseScenario({
      timezone: 'Europe/Berlin',
      queues: [{ name: 'billing' }, { name: 'outages' }, { name: 'sales' }],
      agents: [{ id: 'a{n}', count: 12, queues: ['billing', 'outages', 'sales'] }],
      arrivals: [{ ivr: 'main', per_hour: 30 }],
      ivr: { main: flowJson },
      ivr_behavior: { choices: { main: choices } },
      handle_time: { dist: 'exponential', mean_s: 120 },
      patience: { dist: 'exponential', mean_s: 120 },
      seed: 7,
    });
    const start = Date.parse('2025-12-21T00:00:00Z');
    const sink = new ArraySink();
    const sim = new Simulation(scenario, { startMs: start, sink });
    sim.runUntil(start + 7 * 86_400_000);
    sim.finish();

    const invalid: unknown[] = [];
    const byCall = new Map<string, CallboardEvent[]>();
    let ivrEvents = 0;
    for (const e of sink.events) {
      const result = validateEvent(e, SIMULATED_TIME_LIMITS);
      if (!result.ok) invalid.push({ event: e, error: result.error });
      if (e.type === 'call.ivr') ivrEvents++;
      if ('call' in e && e.call !== undefined) {
        const list = byCall.get(e.call);
        if (list) list.push(e);
        else byCall.set(e.call, [e]);
      }
    }
    expect(invalid).toEqual([]);
    let closed = 0;
    for (const events of byCall.values()) {
      const nodes = events.flatMap((e) => (e.type === 'call.ivr' ? [e.node] : []));
      if (!nodes.includes('closed_menu')) continue;
      closed++;
      expect(nodes).not.toContain('main');
      expect(events.some((e) => e.type === 'call.queued')).toBe(false);
    }
    expect(closed).toBeGreaterThan(1000);
    expect(ivrEvents).toBeGreaterThan(10_000);
  });
});

describe('demo data source', () => {
  it('answers every kind deterministically', () => {
    const a = createDemoDataSource();
    const b = createDemoDataSource();
    for (const kind of DEMO_LOOKUP_KINDS) {
      for (const key of ['+49301234567', '12345678', '10115']) expect(a.lookup(kind, key)).toBe(b.lookup(kind, key));
    }
    expect(a.lookup('balance', '+49301234567')).toMatch(/^-?\d+\.\d{2} EUR$/);
    expect(a.lookup('bill', '+49301234567')).toMatch(/^\d+\.\d{2} EUR, due on day \d+ of the month$/);
    expect(a.lookup('usage', '+49301234567')).toMatch(/^\d+ kWh this billing period$/);
    expect(createDemoDataSource({ currency: 'USD' }).lookup('balance', 'x')).toMatch(/ USD$/);
  });

  it('finds an outage or arrears for some keys only', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => String(10000 + i));
    const outages = keys.filter((k) => data.lookup('outage', k) !== '').length;
    const arrears = keys.filter((k) => data.lookup('arrears', k) !== '').length;
    expect(outages).toBeGreaterThan(150);
    expect(outages).toBeLessThan(350);
    expect(arrears).toBeGreaterThan(120);
    expect(arrears).toBeLessThan(280);
  });

  it('refuses a kind it does not know', () => {
    expect(() => data.lookup('balnce', '1')).toThrow('demo data source: unknown lookup kind "balnce" (known: balance, bill, usage, arrears, outage)');
  });
});

/** A five-digit postal code with (or without) an outage in the demo data. */
function findKey(kind: string, found: boolean): string {
  for (let code = 10115; code < 99999; code++) {
    if ((data.lookup(kind, String(code)) !== '') === found) return String(code);
  }
  throw new Error('no key found');
}
