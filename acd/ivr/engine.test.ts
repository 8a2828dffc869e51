import { describe, expect, it } from 'vitest';
import type { CallboardEvent } from '../../schemas/events.ts';
import { validateEvent } from '../../schemas/validate.ts';
import { Acd, CORE_TIMER_LIMIT } from '../core/acd.ts';
import { EventCalendar } from '../sim/calendar.ts';
import { ivrInput, ivrPlayed, ivrStart, IvrStateError, type IvrDataSource, type IvrOutcome } from './engine.ts';
import { parseIvrFlow } from './flow.ts';

const flow = parseIvrFlow({
  name: 'engine-test',
  start: 'welcome',
  nodes: {
    welcome: { type: 'play', prompt: 'Welcome.', duration_s: 3, next: 'hours' },
    hours: {
      type: 'hours',
      timezone: 'America/Chicago',
      weekly: { mon: ['08:00-17:00'], tue: ['08:00-17:00'], wed: ['08:00-17:00'], thu: ['08:00-17:00'], fri: ['08:00-17:00'] },
      holidays: ['2025-07-04'],
      open: 'main',
      closed: 'closed',
    },
    main: {
      type: 'menu',
      prompt: 'Press 1 for your balance, 2 for outages, 3 to leave a message, 4 for a callback, 5 for the east site, 0 for an agent.',
      prompt_s: 6,
      options: { '1': 'balance', '2': 'area', '3': 'vm', '4': 'cb', '5': 'east', '0': 'agent' },
      timeout_s: 4,
      retries: 2,
      fallback: 'agent',
    },
    balance: { type: 'lookup', kind: 'balance', key: 'caller', next: 'say_balance', not_found: 'account' },
    account: {
      type: 'digits',
      prompt: 'Enter your account number and hash.',
      prompt_s: 3,
      min_digits: 6,
      max_digits: 8,
      store: 'account',
      retries: 1,
      fallback: 'agent',
      next: 'balance_by_account',
    },
    balance_by_account: { type: 'lookup', kind: 'balance', key: 'account', next: 'say_balance', not_found: 'agent' },
    say_balance: { type: 'play', prompt: 'Your balance is {balance}.', duration_s: 4, next: 'after' },
    after: { type: 'menu', prompt: 'Press 0 for an agent.', options: { '0': 'agent' }, retries: 0, fallback: 'bye' },
    area: { type: 'digits', max_digits: 5, min_digits: 5, store: 'area', fallback: 'bye', next: 'outage' },
    outage: { type: 'lookup', kind: 'outage', key: 'area', store: 'notice', next: 'say_outage', not_found: 'no_outage' },
    say_outage: { type: 'play', prompt: 'Outage at {area}: {notice}', duration_s: 5, next: 'agent' },
    no_outage: { type: 'play', prompt: 'No outage at {area}.', duration_s: 2, next: 'bye' },
    agent: { type: 'queue', queue: 'general', priority: 3 },
    vm: { type: 'voicemail', box: 'main' },
    cb: { type: 'callback', queue: 'general' },
    east: { type: 'transfer', to: 'site:east' },
    closed: {
      type: 'menu',
      prompt: 'We are closed. Press 1 for your balance, 3 to leave a message.',
      prompt_s: 5,
      options: { '1': 'closed_balance', '3': 'vm' },
      fallback: 'bye',
    },
    closed_balance: { type: 'lookup', kind: 'balance', key: 'caller', next: 'closed_say', not_found: 'bye' },
    closed_say: { type: 'play', prompt: 'Your balance is {balance}.', duration_s: 4, next: 'bye' },
    bye: { type: 'hangup' },
  },
});

/** A data source recording its calls; outage known only for area 60601. */
function recordingSource() {
  const calls: [string, string][] = [];
  const source: IvrDataSource = {
    lookup(kind, key) {
      calls.push([kind, key]);
      if (kind === 'balance') return key === '' || key === 'unknown' ? '' : `${key.length}.00 USD`;
      if (kind === 'outage') return key === '60601' ? 'crews on site' : '';
      return '';
    },
  };
  return { source, calls };
}

// Tuesday 2025-07-01 10:00 CDT = 15:00Z (open); 20:00 CDT (closed); Friday 2025-07-04 10:00 CDT (holiday).
const OPEN = Date.parse('2025-07-01T15:00:00Z');
const EVENING = Date.parse('2025-07-02T01:00:00Z');
const HOLIDAY = Date.parse('2025-07-04T15:00:00Z');

/** Runs a call through welcome to its first menu at `now`. */
function atFirstMenu(now: number, from?: string) {
  const { source, calls } = recordingSource();
  const start = ivrStart(flow, { now, call: 'c1', ...(from === undefined ? {} : { from }) }, source);
  expect(start.next).toMatchObject({ kind: 'play', node: 'welcome', durationS: 3, prompt: 'Welcome.' });
  expect(start.steps).toEqual([{ node: 'welcome' }]);
  const menu = ivrPlayed(flow, start.state, { now: now + 3000 }, source);
  return { menu, source, calls };
}

describe('ivrStart / ivrPlayed', () => {
  it('plays, passes business hours and waits at the menu with its keys and timeout', () => {
    const { menu } = atFirstMenu(OPEN, '+13125550100');
    expect(menu.steps).toEqual([{ node: 'hours' }, { node: 'main' }]);
    expect(menu.next).toEqual({
      kind: 'wait_input',
      node: 'main',
      timeoutS: 10,
      promptS: 6,
      options: ['0', '1', '2', '3', '4', '5'],
      prompt: 'Press 1 for your balance, 2 for outages, 3 to leave a message, 4 for a callback, 5 for the east site, 0 for an agent.',
    });
    expect(menu.state).toMatchObject({ node: 'main', open: true, done: false, attempts: 0, vars: { caller: '+13125550100' } });
  });

  it('routes to the closed branch in the evening and on a holiday', () => {
    for (const now of [EVENING, HOLIDAY]) {
      const { menu } = atFirstMenu(now, '+13125550100');
      expect(menu.steps).toEqual([{ node: 'hours' }, { node: 'closed' }]);
      expect(menu.state.open).toBe(false);
      expect(menu.next).toMatchObject({ kind: 'wait_input', node: 'closed', options: ['1', '3'] });
    }
  });

  it('can start at another node (a caller coming back from an agent)', () => {
    const { source } = recordingSource();
    const o = ivrStart(flow, { now: OPEN, call: 'c9', node: 'after' }, source);
    expect(o.steps).toEqual([{ node: 'after' }]);
    expect(o.next).toMatchObject({ kind: 'wait_input', node: 'after', options: ['0'], timeoutS: 5 });
  });
});

describe('menus', () => {
  it('follows a valid key and records it as the step input', () => {
    const { menu, source } = atFirstMenu(OPEN, '+13125550100');
    const o = ivrInput(flow, menu.state, '0', { now: OPEN + 5000 }, source);
    expect(o.steps).toEqual([{ node: 'main', input: '0' }, { node: 'agent' }]);
    expect(o.next).toEqual({ kind: 'queue', queue: 'general', priority: 3 });
    expect(o.state).toMatchObject({ node: 'agent', done: true });
  });

  it('re-prompts after a timeout or an invalid key, then takes the fallback when retries run out', () => {
    const { menu, source } = atFirstMenu(OPEN);
    const t1 = ivrInput(flow, menu.state, null, { now: OPEN }, source);
    expect(t1.steps).toEqual([{ node: 'main' }]);
    expect(t1.next).toMatchObject({ kind: 'wait_input', node: 'main' });
    expect(t1.state.attempts).toBe(1);

    const t2 = ivrInput(flow, t1.state, '7', { now: OPEN }, source);
    expect(t2.steps).toEqual([{ node: 'main', input: '7' }, { node: 'main' }]);
    expect(t2.state.attempts).toBe(2);

    const t3 = ivrInput(flow, t2.state, null, { now: OPEN }, source);
    expect(t3.steps).toEqual([{ node: 'agent' }]);
    expect(t3.next).toEqual({ kind: 'queue', queue: 'general', priority: 3 });
  });

  it('takes the fallback at once when a menu has no retries', () => {
    const { source } = recordingSource();
    const after = ivrStart(flow, { now: OPEN, call: 'c2', node: 'after' }, source);
    const o = ivrInput(flow, after.state, '5', { now: OPEN }, source);
    expect(o.steps).toEqual([{ node: 'after', input: '5' }, { node: 'bye' }]);
    expect(o.next).toEqual({ kind: 'hangup' });
  });

  it('resets the retry count when a new menu is entered', () => {
    const { menu, source } = atFirstMenu(OPEN, '+13125550100');
    const t1 = ivrInput(flow, menu.state, null, { now: OPEN }, source);
    const balance = ivrInput(flow, t1.state, '1', { now: OPEN }, source);
    const after = ivrPlayed(flow, balance.state, { now: OPEN }, source);
    expect(after.state).toMatchObject({ node: 'after', attempts: 0 });
  });

  it('reaches every terminal kind', () => {
    const { menu, source } = atFirstMenu(OPEN);
    expect(ivrInput(flow, menu.state, '3', { now: OPEN }, source).next).toEqual({ kind: 'voicemail', box: 'main' });
    expect(ivrInput(flow, menu.state, '4', { now: OPEN }, source).next).toEqual({ kind: 'callback', queue: 'general' });
    expect(ivrInput(flow, menu.state, '5', { now: OPEN }, source).next).toEqual({ kind: 'transfer', to: 'site:east', toKind: 'site' });
  });
});

describe('lookups', () => {
  it('looks up by caller number, stores the answer and plays it', () => {
    const { menu, source, calls } = atFirstMenu(OPEN, '+13125550100');
    const o = ivrInput(flow, menu.state, '1', { now: OPEN }, source);
    expect(calls).toEqual([['balance', '+13125550100']]);
    expect(o.steps).toEqual([{ node: 'main', input: '1' }, { node: 'balance' }, { node: 'say_balance' }]);
    expect(o.state.vars).toEqual({ caller: '+13125550100', balance: '12.00 USD' });
    expect(o.next).toEqual({ kind: 'play', node: 'say_balance', durationS: 4, prompt: 'Your balance is 12.00 USD.' });
  });

  it('asks an anonymous caller for digits and looks up by them', () => {
    const { menu, source, calls } = atFirstMenu(OPEN);
    const ask = ivrInput(flow, menu.state, '1', { now: OPEN }, source);
    expect(calls).toEqual([]);
    expect(ask.steps).toEqual([{ node: 'main', input: '1' }, { node: 'balance' }, { node: 'account' }]);
    expect(ask.next).toEqual({
      kind: 'wait_input',
      node: 'account',
      timeoutS: 13,
      promptS: 3,
      options: [],
      prompt: 'Enter your account number and hash.',
      digits: { min: 6, max: 8 },
    });

    const tooShort = ivrInput(flow, ask.state, '123#', { now: OPEN }, source);
    expect(tooShort.steps).toEqual([{ node: 'account', input: '123#' }, { node: 'account' }]);
    expect(tooShort.state.attempts).toBe(1);

    const ok = ivrInput(flow, tooShort.state, '1234567#', { now: OPEN }, source);
    expect(calls).toEqual([['balance', '1234567']]);
    expect(ok.steps).toEqual([{ node: 'account', input: '1234567#' }, { node: 'balance_by_account' }, { node: 'say_balance' }]);
    expect(ok.state.vars).toEqual({ account: '1234567', balance: '7.00 USD' });
  });

  it('takes not_found when the source has no answer, and never keeps a stale value', () => {
    const { menu, source } = atFirstMenu(OPEN);
    const area = ivrInput(flow, menu.state, '2', { now: OPEN }, source);
    const hit = ivrInput(flow, area.state, '60601', { now: OPEN }, source);
    expect(hit.next).toEqual({ kind: 'play', node: 'say_outage', durationS: 5, prompt: 'Outage at 60601: crews on site' });

    const miss = ivrInput(flow, { ...hit.state, node: 'area', done: false, attempts: 0 }, '10001', { now: OPEN }, source);
    expect(miss.steps).toEqual([{ node: 'area', input: '10001' }, { node: 'outage' }, { node: 'no_outage' }]);
    expect(miss.state.vars).toEqual({ area: '10001' });
    expect(miss.next).toMatchObject({ prompt: 'No outage at 10001.' });
  });

  it('serves self-service but no queue when closed', () => {
    const { menu, source } = atFirstMenu(EVENING, '+13125550100');
    const o = ivrInput(flow, menu.state, '1', { now: EVENING }, source);
    expect(o.next).toMatchObject({ kind: 'play', node: 'closed_say', prompt: 'Your balance is 12.00 USD.' });
    expect(ivrPlayed(flow, o.state, { now: EVENING }, source).next).toEqual({ kind: 'hangup' });
  });
});

describe('self-service served', () => {
  it('is set once a prompt reading call data played to its end after a lookup', () => {
    const { menu, source } = atFirstMenu(OPEN, '+13125550100');
    expect(menu.state.served).toBeUndefined();
    const balance = ivrInput(flow, menu.state, '1', { now: OPEN }, source);
    // asked, but not yet heard
    expect(balance.state).toMatchObject({ node: 'say_balance', lookedUp: true });
    expect(balance.state.served).toBeUndefined();
    const after = ivrPlayed(flow, balance.state, { now: OPEN }, source);
    expect(after.state).toMatchObject({ node: 'after', served: true, lookedUp: true });
    // stays set on the way on
    expect(ivrInput(flow, after.state, '0', { now: OPEN }, source).state.served).toBe(true);
  });

  it('counts "nothing found" when the answer is itself the information (no outage at the area)', () => {
    const { menu, source } = atFirstMenu(OPEN);
    const area = ivrInput(flow, menu.state, '2', { now: OPEN }, source);
    const miss = ivrInput(flow, area.state, '10001', { now: OPEN }, source);
    expect(miss.next).toMatchObject({ node: 'no_outage' });
    expect(ivrPlayed(flow, miss.state, { now: OPEN }, source).state.served).toBe(true);
  });

  it('is not set by plays that carry no call data, or without a lookup', () => {
    const { menu } = atFirstMenu(OPEN, '+13125550100'); // the welcome prompt has played
    expect(menu.state.served).toBeUndefined();
    const plain = parseIvrFlow({
      name: 'plain',
      start: 'ask',
      nodes: {
        ask: { type: 'digits', min_digits: 3, max_digits: 3, store: 'code', fallback: 'bye', next: 'echo' },
        echo: { type: 'play', prompt: 'You entered {code}.', duration_s: 2, next: 'look' },
        look: { type: 'lookup', kind: 'balance', key: 'code', next: 'bye', not_found: 'sorry' },
        sorry: { type: 'play', prompt: 'We could not find that account.', duration_s: 2, next: 'bye' },
        bye: { type: 'hangup' },
      },
    });
    const none: IvrDataSource = { lookup: () => '' };
    const asked = ivrStart(plain, { now: OPEN, call: 'c5' }, none);
    const echo = ivrInput(plain, asked.state, '123', { now: OPEN }, none);
    const sorry = ivrPlayed(plain, echo.state, { now: OPEN }, none);
    expect(sorry.next).toMatchObject({ node: 'sorry' });
    expect(sorry.state).toMatchObject({ lookedUp: true });
    expect(sorry.state.served).toBeUndefined();
    expect(ivrPlayed(plain, sorry.state, { now: OPEN }, none).state.served).toBeUndefined();
  });
});

describe('purity and contract', () => {
  it('never mutates its inputs and gives the same outcome for the same inputs', () => {
    const { menu, source } = atFirstMenu(OPEN, '+13125550100');
    const frozen = deepFreeze(structuredClone(menu.state));
    const a = ivrInput(flow, frozen, '1', { now: OPEN }, source);
    const b = ivrInput(flow, frozen, '1', { now: OPEN }, source);
    expect(a).toEqual(b);
    expect(frozen).toEqual(menu.state);
  });

  it('turns every step into a valid call.ivr event, as the ACD core emits them', () => {
    // The engine's steps for a call: welcome, the menu, a wrong key, the balance, an account number, then silence.
    const { menu, source } = atFirstMenu(OPEN);
    const outcomes: IvrOutcome[] = [menu];
    const next = (o: IvrOutcome) => {
      outcomes.push(o);
      return o;
    };
    let o = next(ivrInput(flow, menu.state, '9', { now: OPEN }, source));
    o = next(ivrInput(flow, o.state, '1', { now: OPEN }, source));
    o = next(ivrInput(flow, o.state, '12345678', { now: OPEN }, source));
    o = next(ivrPlayed(flow, o.state, { now: OPEN }, source));
    next(ivrInput(flow, o.state, null, { now: OPEN }, source));
    const steps = [{ node: 'welcome' }, ...outcomes.flatMap((x) => x.steps)];

    // The same call through the real core, with the same keys and timers, at site north.
    const events: CallboardEvent[] = [];
    const calendar = new EventCalendar<object>();
    const acd = new Acd(
      { queues: [{ name: 'general', skills: [], slThresholdS: 20, shortAbandonS: 5, strategy: 'longest_idle' }], agents: [], idPrefix: 'run', ringTimeoutS: null, acw: null, callbackDelayS: 60, callbackPriority: 0, ringNoAnswerReason: 'rna' },
      { emit: (e) => events.push(e), schedule: (t, kind, ref, token) => calendar.push(t, kind, ref, token) },
      { ivrPrompt: () => {}, queued: () => {}, ringing: () => {}, connected: () => {}, released: () => {}, acw: () => {}, notReady: () => {} },
      recordingSource().source,
    );
    const runTo = (t: number) => {
      while (calendar.peekTime() <= t && calendar.pop()) {
        const p = calendar.popped;
        if (p.kind < CORE_TIMER_LIMIT) acd.timer(p.kind, p.ref as object, p.token, p.time);
      }
    };
    const call = acd.offer(OPEN, { ivr: flow, site: 'north' });
    runTo(OPEN + 4_000); // welcome played: at the menu
    acd.ivrInput(call, '9', OPEN + 5_000);
    acd.ivrInput(call, '1', OPEN + 6_000);
    acd.ivrInput(call, '12345678', OPEN + 7_000);
    runTo(OPEN + 60_000); // the balance is played, the last menu times out

    const ivrEvents = events.filter((e): e is Extract<CallboardEvent, { type: 'call.ivr' }> => e.type === 'call.ivr');
    expect(ivrEvents.map((e) => ({ node: e.node, ...(e.input === undefined ? {} : { input: e.input }) }))).toEqual(steps);
    let n = 0;
    for (const [i, step] of steps.entries()) {
      const event = ivrEvents[i] as CallboardEvent;
      const result = validateEvent(event);
      expect(result.ok, JSON.stringify(result)).toBe(true);
      expect(event).toMatchObject({ type: 'call.ivr', call: call.id, node: step.node, site: 'north' });
      expect('input' in event).toBe(step.input !== undefined);
      n++;
    }
    expect(n).toBeGreaterThan(5);
  });

  it('rejects calls the current node cannot take', () => {
    const { source } = recordingSource();
    const start = ivrStart(flow, { now: OPEN, call: 'c3' }, source);
    expect(() => ivrInput(flow, start.state, '1', { now: OPEN }, source)).toThrow(IvrStateError);
    expect(() => ivrInput(flow, start.state, '1', { now: OPEN }, source)).toThrow('call c3: ivrInput at play node "welcome", which takes no input');
    const menu = ivrPlayed(flow, start.state, { now: OPEN }, source);
    expect(() => ivrPlayed(flow, menu.state, { now: OPEN }, source)).toThrow('ivrPlayed at menu node "main"');
    const queued = ivrInput(flow, menu.state, '0', { now: OPEN }, source);
    expect(() => ivrInput(flow, queued.state, '1', { now: OPEN }, source)).toThrow('call c3: ivrInput after the call left the IVR at "agent"');
    expect(() => ivrStart(flow, { now: OPEN, call: 'c4', node: 'nope' }, source)).toThrow('flow engine-test: no node "nope"');
  });
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
