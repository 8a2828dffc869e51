import { describe, expect, it } from 'vitest';
import type { CallboardEvent } from '../../schemas/events.ts';
import { EventAuditor } from '../check/audit.ts';
import type { IvrDataSource } from '../ivr/engine.ts';
import { parseIvrFlow } from '../ivr/flow.ts';
import { EventCalendar } from '../sim/calendar.ts';
import { Acd, type AcdHooks } from './acd.ts';
import type { AcdConfig, AgentConfig, QueueConfig } from './model.ts';

const T0 = Date.parse('2025-03-03T10:00:00Z');
const S = 1000;

function queue(name: string, extra: Partial<QueueConfig> = {}): QueueConfig {
  return { name, skills: [], slThresholdS: 20, shortAbandonS: 5, strategy: 'longest_idle', ...extra };
}

function agent(id: string, queues: string[], extra: Partial<AgentConfig> = {}): AgentConfig {
  return { id, skills: {}, queues, ...extra };
}

/** An ACD with a manual clock: events are collected and audited; `at(t)` runs due timers. */
function harness(partial: Partial<AcdConfig> & Pick<AcdConfig, 'queues' | 'agents'>, hooks: Partial<AcdHooks> = {}, ivrData?: IvrDataSource) {
  const events: CallboardEvent[] = [];
  const calendar = new EventCalendar<object>();
  const config: AcdConfig = { idPrefix: 'run', ringTimeoutS: null, acw: null, callbackDelayS: 60, callbackPriority: 0, ringNoAnswerReason: 'ring_noanswer', ...partial };
  const noop = () => {};
  const acd = new Acd(
    config,
    { emit: (e) => events.push(e), schedule: (t, kind, ref, token) => calendar.push(t, kind, ref, token) },
    { ivrPrompt: noop, queued: noop, ringing: noop, connected: noop, released: noop, acw: noop, notReady: noop, ...hooks },
    ivrData,
  );
  const at = (t: number) => {
    while (calendar.peekTime() <= t) {
      calendar.pop();
      const p = calendar.popped;
      acd.timer(p.kind, p.ref as object, p.token, p.time);
    }
  };
  const of = (type: string) => events.filter((e) => e.type === type) as (CallboardEvent & Record<string, unknown>)[];
  const audit = () => {
    const auditor = new EventAuditor();
    for (const e of events) auditor.add(e);
    return auditor.report();
  };
  const login = (...ids: string[]) => ids.forEach((id) => acd.login(acd.agent(id), Math.max(T0, lastTs())));
  const lastTs = () => Number(events.at(-1)?.ts ?? T0);
  return { acd, events, at, of, audit, login };
}

describe('routing strategies', () => {
  it('longest idle: the agent free the longest gets the call', () => {
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q']), agent('b', ['q'])] });
    h.login('b', 'a');
    h.acd.offer(T0 + 10 * S, { queue: 'q' });
    expect(h.of('call.answered')[0]?.agent).toBe('b');
  });

  it('most skilled: highest proficiency in the queue skills wins over idle time', () => {
    const h = harness({
      queues: [queue('q', { skills: ['billing'], strategy: 'most_skilled' })],
      agents: [{ id: 'low', skills: { billing: 2 } }, { id: 'high', skills: { billing: 9 } }],
    });
    h.login('low', 'high');
    h.acd.offer(T0 + S, { queue: 'q' });
    expect(h.of('call.answered')[0]?.agent).toBe('high');
  });

  it('round robin: successive calls go to successive agents', () => {
    const h = harness({ queues: [queue('q', { strategy: 'round_robin' })], agents: ['a', 'b', 'c'].map((id) => agent(id, ['q'])) });
    h.login('a', 'b', 'c');
    for (let i = 0; i < 3; i++) {
      const call = h.acd.offer(T0 + (i + 1) * S, { queue: 'q' });
      h.acd.hangup(call.agent!, 'agent', T0 + (i + 1) * S + 1);
    }
    expect(h.of('call.answered').map((e) => e.agent)).toEqual(['a', 'b', 'c']);
  });

  it('skills decide which queues an agent of the same site serves', () => {
    const h = harness({
      queues: [queue('bill', { skills: ['billing'], site: 'x' }), queue('sales', { skills: ['sales'], site: 'x' })],
      agents: [{ id: 'a', site: 'x', skills: { billing: 5 } }],
    });
    h.login('a');
    expect(h.of('agent.state')[0]?.queues).toEqual(['bill']);
    h.acd.offer(T0 + S, { queue: 'sales' });
    expect(h.of('call.answered')).toHaveLength(0);
  });
});

describe('queueing', () => {
  it('serves higher priority first, FIFO within a priority', () => {
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q'])] });
    h.login('a');
    const first = h.acd.offer(T0 + S, { queue: 'q' });
    const low1 = h.acd.offer(T0 + 2 * S, { queue: 'q', priority: 0 });
    const low2 = h.acd.offer(T0 + 3 * S, { queue: 'q', priority: 0 });
    const high = h.acd.offer(T0 + 4 * S, { queue: 'q', priority: 9 });
    const a = h.acd.agent('a');
    for (let i = 0; i < 4; i++) h.acd.hangup(a, 'agent', T0 + (10 + i) * S);
    expect(h.of('call.answered').map((e) => e.call)).toEqual([first.id, high.id, low1.id, low2.id]);
    expect(h.of('call.queued').find((e) => e.call === high.id)?.priority).toBe(9);
    expect(h.audit().problems).toEqual([]);
  });

  it('a caller who hangs up while waiting abandons at stage queue and is never answered', () => {
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q'])] });
    h.login('a');
    h.acd.offer(T0 + S, { queue: 'q' });
    const waiting = h.acd.offer(T0 + 2 * S, { queue: 'q' });
    h.acd.callerHangup(waiting, T0 + 5 * S);
    h.acd.hangup(h.acd.agent('a'), 'caller', T0 + 10 * S);
    expect(h.of('call.abandoned')).toMatchObject([{ call: waiting.id, queue: 'q', stage: 'queue' }]);
    expect(h.of('call.answered')).toHaveLength(1);
    const r = h.audit();
    expect(r.problems).toEqual([]);
    expect(r.openCalls).toBe(0);
  });

  it('overflows a call that waited too long to another queue (another site)', () => {
    const h = harness({
      queues: [queue('north', { site: 'n', overflow: { afterS: 30, to: 'south' } }), queue('south', { site: 's' })],
      agents: [agent('n1', ['north'], { site: 'n' }), agent('s1', ['south'], { site: 's' })],
    });
    h.login('n1', 's1');
    // s1 is signed in (so the call may overflow to south) but on a break.
    h.acd.notReady(h.acd.agent('s1'), 'break', T0);
    h.acd.offer(T0 + S, { queue: 'north' });
    const call = h.acd.offer(T0 + 2 * S, { queue: 'north' });
    h.at(T0 + 32 * S);
    expect(h.of('call.overflow')).toMatchObject([{ call: call.id, from_queue: 'north', to_queue: 'south', site: 'n' }]);
    h.acd.ready(h.acd.agent('s1'), T0 + 40 * S);
    h.login('s1');
    expect(h.of('call.answered').at(-1)).toMatchObject({ call: call.id, agent: 's1', queue: 'south', site: 's' });
    expect(h.audit().problems).toEqual([]);
  });

  it('night mode routes new calls to the night site queue of the same service', () => {
    let night = false;
    const h = harness({
      queues: [queue('bill-n', { site: 'n', service: 'bill' }), queue('bill-s', { site: 's', service: 'bill' })],
      agents: [agent('n1', ['bill-n'], { site: 'n' }), agent('s1', ['bill-s'], { site: 's' })],
      night: { site: 's', active: () => night },
    });
    h.login('n1', 's1');
    h.acd.offer(T0 + S, { queue: 'bill-n' });
    night = true;
    h.acd.offer(T0 + 2 * S, { queue: 'bill-n' });
    expect(h.of('call.queued').map((e) => e.queue)).toEqual(['bill-n', 'bill-s']);
    expect(h.of('call.answered').map((e) => e.agent)).toEqual(['n1', 's1']);
  });

  it('max wait sends a call to voicemail', () => {
    const h = harness({ queues: [queue('q', { maxWait: { afterS: 60, action: 'voicemail' } })], agents: [agent('a', ['q'])] });
    const call = h.acd.offer(T0, { queue: 'q' });
    h.at(T0 + 60 * S);
    expect(h.of('call.ivr')).toMatchObject([{ call: call.id, node: 'max_wait_voicemail' }]);
    expect(h.of('call.ended')).toMatchObject([{ call: call.id, by: 'caller' }]);
  });

  it('max wait with callback dials the customer back once an agent is signed in', () => {
    const h = harness({ queues: [queue('q', { maxWait: { afterS: 60, action: 'callback' } })], agents: [agent('a', ['q'])], callbackPriority: 7 });
    const call = h.acd.offer(T0, { queue: 'q', from: '+4930123' });
    h.at(T0 + 60 * S);
    expect(h.of('call.ended')).toMatchObject([{ call: call.id, by: 'system' }]);
    h.at(T0 + 200 * S); // nobody signed in: the callback waits
    expect(h.of('call.offered')).toHaveLength(1);
    h.login('a');
    h.at(T0 + 400 * S);
    const outbound = h.of('call.offered')[1];
    expect(outbound).toMatchObject({ direction: 'outbound', to: '+4930123' });
    expect(h.of('call.queued').at(-1)).toMatchObject({ call: outbound?.call, priority: 7 });
    expect(h.of('call.answered').at(-1)?.call).toBe(outbound?.call);
  });
});

describe('ringing and agent states', () => {
  it('ring-no-answer puts the agent in not_ready and the call back at the head of the queue', () => {
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q']), agent('b', ['q'])], ringTimeoutS: 15 });
    h.login('a');
    const call = h.acd.offer(T0 + S, { queue: 'q' });
    h.at(T0 + 16 * S);
    expect(h.of('call.ring_noanswer')).toMatchObject([{ call: call.id, agent: 'a', queue: 'q' }]);
    expect(h.acd.agent('a')).toMatchObject({ state: 'not_ready', reason: 'ring_noanswer' });
    h.login('b');
    expect(h.of('call.ringing').map((e) => e.agent)).toEqual(['a', 'b']);
    h.acd.answer(h.acd.agent('b'), T0 + 20 * S);
    expect(h.of('call.queued')).toHaveLength(1); // one queue entry: the wait runs on from the first call.queued
    expect(h.audit().problems).toEqual([]);
  });

  it('a caller hanging up while ringing abandons at stage ringing and frees the agent', () => {
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q'])], ringTimeoutS: 15 });
    h.login('a');
    const call = h.acd.offer(T0 + S, { queue: 'q' });
    h.acd.callerHangup(call, T0 + 3 * S);
    expect(h.of('call.abandoned')).toMatchObject([{ stage: 'ringing', queue: 'q' }]);
    expect(h.acd.agent('a').state).toBe('available');
    h.at(T0 + 60 * S);
    expect(h.of('call.ring_noanswer')).toHaveLength(0);
  });

  it('after-call work ends by wrap-up or by the automatic timeout', () => {
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q'])], acw: { timeoutS: 30 } });
    h.login('a');
    const a = h.acd.agent('a');
    h.acd.offer(T0 + S, { queue: 'q' });
    h.acd.hangup(a, 'agent', T0 + 100 * S);
    h.acd.wrapUp(a, 'resolved', T0 + 110 * S);
    h.acd.offer(T0 + 120 * S, { queue: 'q' });
    h.acd.hangup(a, 'caller', T0 + 200 * S);
    h.at(T0 + 230 * S);
    expect(h.of('call.wrapup').map((e) => [e.code, e.ts])).toEqual([
      ['resolved', T0 + 110 * S],
      [undefined, T0 + 230 * S],
    ]);
    expect(a.state).toBe('available');
    expect(h.audit().problems).toEqual([]);
  });

  it('a break or sign-out asked for during a call starts after it', () => {
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q']), agent('b', ['q'])] });
    h.login('a', 'b');
    const [a, b] = [h.acd.agent('a'), h.acd.agent('b')];
    h.acd.offer(T0 + S, { queue: 'q' });
    h.acd.offer(T0 + S, { queue: 'q' });
    h.acd.notReady(a, 'break', T0 + 2 * S);
    h.acd.logout(b, T0 + 2 * S);
    expect([a.state, b.state]).toEqual(['on_call', 'on_call']);
    h.acd.hangup(a, 'agent', T0 + 5 * S);
    h.acd.hangup(b, 'agent', T0 + 5 * S);
    expect([a.state, a.reason, b.state]).toEqual(['not_ready', 'break', 'logged_out']);
    h.acd.ready(a, T0 + 20 * S);
    expect(a.state).toBe('available');
    expect(h.audit().problems).toEqual([]);
  });

  it('hold, help request and agent hang-up produce their events', () => {
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q'])] });
    h.login('a');
    const a = h.acd.agent('a');
    const call = h.acd.offer(T0 + S, { queue: 'q' });
    h.acd.hold(a, T0 + 10 * S);
    h.acd.help(a, T0 + 11 * S);
    h.acd.unhold(a, T0 + 20 * S);
    h.acd.hangup(a, 'agent', T0 + 30 * S);
    expect(h.events.slice(-7).map((e) => e.type)).toEqual(['call.answered', 'agent.state', 'call.hold', 'agent.help', 'call.unhold', 'call.ended', 'agent.state']);
    expect(h.of('agent.help')[0]).toMatchObject({ agent: 'a', call: call.id });
    expect(h.of('call.ended')[0]?.by).toBe('agent');
  });
});

describe('transfers', () => {
  it('blind transfer: a new offer in the target queue, the first agent is free', () => {
    const h = harness({ queues: [queue('q1'), queue('q2')], agents: [agent('a', ['q1']), agent('b', ['q2'])] });
    h.login('a', 'b');
    const call = h.acd.offer(T0 + S, { queue: 'q1' });
    h.acd.transferBlind(h.acd.agent('a'), 'q2', T0 + 30 * S);
    expect(h.of('call.transferred')).toMatchObject([{ call: call.id, agent: 'a', to_queue: 'q2', kind: 'blind' }]);
    expect(h.of('call.queued').map((e) => e.queue)).toEqual(['q1', 'q2']);
    expect(h.of('call.answered').map((e) => [e.agent, e.queue])).toEqual([
      ['a', 'q1'],
      ['b', 'q2'],
    ]);
    expect(h.acd.agent('a').state).toBe('available');
    h.acd.hangup(h.acd.agent('b'), 'caller', T0 + 60 * S);
    expect(h.audit().problems).toEqual([]);
  });

  it('attended transfer: caller on hold during the consultation, then the consulted agent takes over', () => {
    const h = harness({ queues: [queue('q1'), queue('q2')], agents: [agent('a', ['q1']), agent('b', ['q2'])] });
    h.login('a', 'b');
    const [a, b] = [h.acd.agent('a'), h.acd.agent('b')];
    const call = h.acd.offer(T0 + S, { queue: 'q1' });
    expect(h.acd.consult(a, 'q2', T0 + 20 * S)).toBe(true);
    expect(b.state).toBe('on_call');
    h.acd.completeTransfer(a, T0 + 40 * S);
    expect(h.of('call.transferred')).toMatchObject([{ agent: 'a', to_agent: 'b', kind: 'attended' }]);
    expect(h.of('call.answered').at(-1)).toEqual(expect.objectContaining({ call: call.id, agent: 'b' }));
    expect(h.of('call.answered').at(-1)?.queue).toBeUndefined();
    expect(h.of('call.hold')).toHaveLength(1);
    expect(h.of('call.unhold')).toHaveLength(1);
    h.acd.hangup(b, 'agent', T0 + 90 * S);
    expect([a.state, b.state]).toEqual(['available', 'available']);
    expect(h.audit().problems).toEqual([]);
  });

  it('attended transfer is refused when nobody in the target queue is free', () => {
    const h = harness({ queues: [queue('q1'), queue('q2')], agents: [agent('a', ['q1'])] });
    h.login('a');
    h.acd.offer(T0 + S, { queue: 'q1' });
    expect(h.acd.consult(h.acd.agent('a'), 'q2', T0 + 2 * S)).toBe(false);
    expect(h.of('call.hold')).toHaveLength(0);
  });
});

describe('IVR', () => {
  const flow = parseIvrFlow({
    name: 't',
    start: 'menu',
    nodes: {
      menu: { type: 'menu', prompt_s: 4, options: { '1': 'q', '2': 'bye' }, timeout_s: 5, retries: 1, fallback: 'q' },
      q: { type: 'queue', queue: 'q', priority: 3 },
      bye: { type: 'hangup' },
    },
  });

  it('walks the flow: every step is a call.ivr event, then the queue', () => {
    const prompts: string[][] = [];
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q'])] }, { ivrPrompt: (_c, p) => prompts.push(p.options) });
    h.login('a');
    const call = h.acd.offer(T0 + S, { ivr: flow });
    expect(prompts).toEqual([['1', '2']]);
    h.acd.ivrInput(call, '1', T0 + 6 * S);
    expect(h.of('call.ivr').map((e) => [e.node, e.input])).toEqual([
      ['menu', undefined],
      ['menu', '1'],
      ['q', undefined],
    ]);
    expect(h.of('call.queued')).toMatchObject([{ queue: 'q', priority: 3 }]);
  });

  it('times out, retries, then falls back; a hang-up in the IVR abandons at stage ivr', () => {
    const h = harness({ queues: [queue('q')], agents: [] });
    const call = h.acd.offer(T0, { ivr: flow });
    h.at(T0 + 30 * S);
    expect(h.of('call.queued')).toHaveLength(1);
    expect(h.of('call.ivr').map((e) => e.node)).toEqual(['menu', 'menu', 'q']);
    const other = h.acd.offer(T0 + 40 * S, { ivr: flow });
    h.acd.callerHangup(other, T0 + 42 * S);
    expect(h.of('call.abandoned')).toMatchObject([{ call: other.id, stage: 'ivr' }]);
    expect(call.state).not.toBe(other.state);
  });
});

/** Events of one call, as `type` or `type:detail` strings (for order checks). */
function trail(events: CallboardEvent[], call: string): string[] {
  return events
    .filter((e) => 'call' in e && e.call === call)
    .map((e) => {
      switch (e.type) {
        case 'call.overflow':
          return `overflow:${e.from_queue}>${e.to_queue}`;
        case 'call.queued':
          return `queued:${e.queue}`;
        case 'call.ivr':
          return `ivr:${e.node}`;
        case 'call.ended':
          return `ended:${e.by}`;
        case 'call.answered':
          return `answered:${e.queue ?? ''}`;
        case 'call.abandoned':
          return `abandoned:${e.stage}`;
        default:
          return e.type;
      }
    });
}

describe('overflow', () => {
  it('does not move a waiting call to a queue where nobody is signed in; looks again later', () => {
    // Demo Saturday: billing overflows to billing-leipzig, which has no Saturday shift;
    // every overflowed call then waited there until it abandoned or hit max wait.
    const h = harness({
      queues: [queue('berlin', { overflow: { afterS: 60, to: 'leipzig' } }), queue('leipzig')],
      agents: [agent('b1', ['berlin']), agent('l1', ['leipzig'])],
    });
    h.acd.login(h.acd.agent('b1'), T0);
    h.acd.offer(T0, { queue: 'berlin' }); // b1 busy with this one
    const waiting = h.acd.offer(T0 + S, { queue: 'berlin' });
    h.at(T0 + 120 * S);
    expect(h.of('call.overflow').filter((e) => e.call === waiting.id)).toEqual([]);
    // once b1 is free, the call is still reachable in berlin
    h.acd.hangup(h.acd.agent('b1'), 'agent', T0 + 130 * S);
    expect(h.of('call.answered').find((e) => e.call === waiting.id)).toMatchObject({ agent: 'b1', queue: 'berlin' });

    // Another waiting call: l1 signs in meanwhile, and the next look moves it.
    const later = h.acd.offer(T0 + 131 * S, { queue: 'berlin' });
    h.at(T0 + 195 * S);
    h.acd.login(h.acd.agent('l1'), T0 + 200 * S);
    h.at(T0 + 250 * S);
    expect(trail(h.events, later.id)).toEqual(['call.offered', 'queued:berlin', 'overflow:berlin>leipzig', 'queued:leipzig', 'answered:leipzig']);
    const moved = h.of('call.overflow').find((e) => e.call === later.id);
    // due at 191 s, nobody there; looked at again every 30 s: moved at 221 s
    expect(moved?.ts).toBe(T0 + 221 * S);
    expect(h.audit().problems).toEqual([]);
  });

  it('an overflowed call keeps its place in time in the target queue and its max-wait clock', () => {
    const h = harness({
      queues: [queue('a', { overflow: { afterS: 30, to: 'b' } }), queue('b', { maxWait: { afterS: 90, action: 'voicemail' } })],
      agents: [agent('x', ['a']), agent('y', ['b'])],
    });
    h.login('x', 'y');
    h.acd.offer(T0, { queue: 'a' }); // x busy
    h.acd.offer(T0, { queue: 'b' }); // y busy
    const old = h.acd.offer(T0 + 5 * S, { queue: 'a' }); // overflows to b at 35 s
    const oldest = h.acd.offer(T0 + 6 * S, { queue: 'a' }); // overflows at 36 s, max wait due at 6 + 90 s
    const young = h.acd.offer(T0 + 20 * S, { queue: 'b' }); // in b since 20 s
    h.at(T0 + 40 * S);
    expect(h.of('call.overflow').map((e) => [e.call, e.from_queue, e.to_queue])).toEqual([
      [old.id, 'a', 'b'],
      [oldest.id, 'a', 'b'],
    ]);
    // y frees up: the overflowed call that began waiting at 5 s goes before the one in b since 20 s.
    h.acd.hangup(h.acd.agent('y'), 'agent', T0 + 50 * S);
    expect(h.of('call.answered').at(-1)).toMatchObject({ call: old.id, queue: 'b' });
    h.at(T0 + 200 * S);
    // max wait counts from the start of the wait (6 s), not from the entry into b (36 s)
    const flowOut = h.of('call.overflow').find((e) => e.call === oldest.id && e.to_queue === 'voicemail');
    expect(flowOut).toMatchObject({ from_queue: 'b', ts: T0 + 96 * S });
    expect(h.of('call.overflow').find((e) => e.call === young.id)).toMatchObject({ to_queue: 'voicemail', ts: T0 + 110 * S });
    expect(h.audit().problems).toEqual([]);
  });

  it('never overflows back into a queue the call came from', () => {
    const h = harness({
      queues: [queue('a', { overflow: { afterS: 30, to: 'b' } }), queue('b', { overflow: { afterS: 30, to: 'a' } })],
      agents: [agent('x', ['a']), agent('y', ['b'])],
    });
    h.login('x', 'y');
    h.acd.offer(T0, { queue: 'a' });
    h.acd.offer(T0, { queue: 'b' });
    const call = h.acd.offer(T0 + S, { queue: 'a' });
    h.at(T0 + 600 * S);
    expect(h.of('call.overflow').map((e) => e.call)).toEqual([call.id]);
    expect(call.queue?.name).toBe('b');
  });

  it('night mode stays at the original queue while nobody of that service is signed in at the night site', () => {
    const h = harness({
      queues: [queue('bill-n', { site: 'n', service: 'bill' }), queue('bill-s', { site: 's', service: 'bill' })],
      agents: [agent('n1', ['bill-n'], { site: 'n' }), agent('s1', ['bill-s'], { site: 's' })],
      night: { site: 's', active: () => true },
    });
    h.login('n1');
    const early = h.acd.offer(T0 + S, { queue: 'bill-n' });
    h.login('s1');
    const late = h.acd.offer(T0 + 2 * S, { queue: 'bill-n' });
    expect(h.of('call.queued').map((e) => [e.call, e.queue, e.site])).toEqual([
      [early.id, 'bill-n', 'n'],
      [late.id, 'bill-s', 's'],
    ]);
  });
});

describe('max wait', () => {
  it('closes the queue visit with call.overflow to voicemail or callback, before the IVR step and the end', () => {
    // Before: call.queued … call.ivr(max_wait_*) … call.ended, neither answered nor abandoned,
    // so offered ≠ answered + abandoned + overflowed and the longest waits dropped out of the figures.
    const h = harness({
      queues: [queue('q', { maxWait: { afterS: 60, action: 'voicemail' } }), queue('r', { maxWait: { afterS: 60, action: 'callback' } })],
      agents: [agent('a', ['q', 'r'])],
    });
    const vm = h.acd.offer(T0, { queue: 'q' });
    const cb = h.acd.offer(T0, { queue: 'r' });
    h.at(T0 + 61 * S);
    const exits = h.events.filter((e) => 'call' in e && e.call === vm.id && (e.type === 'call.abandoned' || e.type === 'call.overflow'));
    expect(exits).toHaveLength(1);
    expect(trail(h.events, vm.id)).toEqual(['call.offered', 'queued:q', 'overflow:q>voicemail', 'ivr:max_wait_voicemail', 'ended:caller']);
    expect(trail(h.events, cb.id)).toEqual(['call.offered', 'queued:r', 'overflow:r>callback', 'ivr:max_wait_callback', 'ended:system']);
    expect(h.audit().problems).toEqual([]);
  });
});

describe('callbacks', () => {
  it('an outbound callback is not sent to voicemail or to another callback by max wait, nor overflowed', () => {
    const h = harness({
      queues: [
        queue('sales', { maxWait: { afterS: 240, action: 'callback' }, overflow: { afterS: 60, to: 'other' } }),
        queue('other', { maxWait: { afterS: 240, action: 'callback', queue: 'sales' } }),
      ],
      agents: [agent('a', ['sales']), agent('o', ['other'])],
      callbackDelayS: 900,
      ringTimeoutS: 20,
    });
    h.login('a', 'o');
    const a = h.acd.agent('a');
    h.acd.notReady(h.acd.agent('o'), 'break', T0); // signed in: sales may overflow to other
    h.acd.offer(T0, { queue: 'sales' }); // rings a
    const first = h.acd.offer(T0 + S, { queue: 'sales' }); // overflows at 61 s, waits in other
    h.acd.answer(a, T0 + 2 * S); // a busy for a long time
    expect(first.queue?.name).toBe('sales');
    h.at(T0 + 300 * S); // max wait at 241 s → callback request, due at 1141 s
    expect(trail(h.events, first.id)).toContain('overflow:other>callback');
    h.at(T0 + 1150 * S); // due, but a is busy: the request waits
    expect(h.of('call.offered').filter((e) => e.direction === 'outbound')).toHaveLength(0);
    // The callback is dialled once a can take it; a then misses it, so it waits in the queue.
    h.acd.hangup(a, 'agent', T0 + 1200 * S);
    h.at(T0 + 3000 * S);
    const outbound = h.of('call.offered').filter((e) => e.direction === 'outbound').map((e) => e.call);
    expect(outbound).toHaveLength(1);
    const id = outbound[0] as string;
    expect(trail(h.events, id)).toEqual(['call.offered', 'queued:sales', 'call.ringing', 'call.ring_noanswer']);
    const maxWaitOnOutbound = h.of('call.ivr').filter((e) => outbound.includes(e.call) && String(e.node).startsWith('max_wait'));
    expect(maxWaitOnOutbound).toEqual([]);
    expect(h.audit().problems).toEqual([]);
  });

  it('due callbacks are dialled one per free agent of their queue, oldest first, not in one burst', () => {
    const h = harness({
      queues: [queue('q', { maxWait: { afterS: 60, action: 'callback' } })],
      agents: [agent('a', ['q']), agent('b', ['q'])],
      callbackDelayS: 60,
    });
    const requests = [0, 1, 2, 3].map((i) => h.acd.offer(T0 + i * S, { queue: 'q', from: `+4930${i}` }));
    h.at(T0 + 300 * S); // all four requests due; nobody signed in
    expect(h.of('call.offered').filter((e) => e.direction === 'outbound')).toHaveLength(0);
    h.acd.login(h.acd.agent('a'), T0 + 400 * S);
    h.acd.login(h.acd.agent('b'), T0 + 460 * S);
    // one each: a at 400 s, b at 460 s
    expect(h.of('call.offered').filter((e) => e.direction === 'outbound').map((e) => [e.to, e.ts])).toEqual([
      ['+49300', T0 + 400 * S],
      ['+49301', T0 + 460 * S],
    ]);
    // the next when an agent is free again
    h.acd.hangup(h.acd.agent('a'), 'agent', T0 + 600 * S);
    expect(h.of('call.offered').filter((e) => e.direction === 'outbound').map((e) => e.to)).toEqual(['+49300', '+49301', '+49302']);
    expect(requests).toHaveLength(4);
    expect(h.audit().problems).toEqual([]);
  });

  it('a callback dialled in night mode is offered and queued at the same site', () => {
    let night = true;
    const h = harness({
      queues: [
        queue('bill-n', { site: 'n', service: 'bill', maxWait: { afterS: 60, action: 'callback' } }),
        queue('bill-s', { site: 's', service: 'bill' }),
      ],
      agents: [agent('n1', ['bill-n'], { site: 'n' }), agent('s1', ['bill-s'], { site: 's' })],
      night: { site: 's', active: () => night },
      callbackDelayS: 60,
    });
    h.acd.offer(T0, { queue: 'bill-n', site: 'n' }); // nobody at s: stays at n, max wait → callback
    h.at(T0 + 200 * S);
    h.acd.login(h.acd.agent('s1'), T0 + 300 * S);
    const offered = h.of('call.offered').find((e) => e.direction === 'outbound');
    const queued = h.of('call.queued').find((e) => e.call === offered?.call);
    expect([offered?.site, queued?.site, queued?.queue]).toEqual(['s', 's', 'bill-s']);
    night = false;
    expect(h.audit().problems).toEqual([]);
  });
});

describe('agent requests kept across ringing', () => {
  it('a break asked for while ringing starts after the ring-no-answer recovery', () => {
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q'])], ringTimeoutS: 15 });
    h.login('a');
    const a = h.acd.agent('a');
    h.acd.offer(T0 + S, { queue: 'q' });
    h.acd.notReady(a, 'break', T0 + 5 * S);
    h.at(T0 + 16 * S);
    expect([a.state, a.reason]).toEqual(['not_ready', 'ring_noanswer']);
    h.acd.ready(a, T0 + 60 * S);
    expect([a.state, a.reason]).toEqual(['not_ready', 'break']);
  });
});

describe('sites and ids', () => {
  it('after-call work is reported at the call site, like every other call event', () => {
    const h = harness({
      queues: [queue('q', { site: 'y' })],
      agents: [agent('a', ['q'], { site: 'x' })],
      acw: { timeoutS: 30 },
    });
    h.login('a');
    const call = h.acd.offer(T0 + S, { queue: 'q', site: 'y' });
    h.acd.hangup(h.acd.agent('a'), 'agent', T0 + 10 * S);
    h.acd.wrapUp(h.acd.agent('a'), 'resolved', T0 + 12 * S);
    expect(h.events.filter((e) => 'call' in e && e.call === call.id).map((e) => e.site)).toEqual(['y', 'y', 'y', 'y', 'y']);
  });

  it('call ids never equal event ids', () => {
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q'])] });
    h.login('a');
    const calls: string[] = [];
    for (let i = 0; i < 400; i++) {
      calls.push(h.acd.offer(T0 + i * S, { queue: 'q' }).id);
      h.acd.hangup(h.acd.agent('a'), 'agent', T0 + i * S + 500);
    }
    const ids = new Set(h.events.map((e) => e.id));
    expect(ids.size).toBeGreaterThan(432 * 2); // past event counter "c0" … in base 36
    expect(calls.filter((c) => ids.has(c))).toEqual([]);
  });

  it('an IVR queue node sends a call that entered at a site to that site\'s queue of the same service', () => {
    const flow = parseIvrFlow({ name: 'f', start: 'q', nodes: { q: { type: 'queue', queue: 'bill-n', priority: 0 } } });
    const h = harness({
      queues: [queue('bill-n', { site: 'n', service: 'bill' }), queue('bill-s', { site: 's', service: 'bill' }), queue('sales-n', { site: 'n' })],
      agents: [agent('s1', ['bill-s'], { site: 's' })],
    });
    h.acd.offer(T0, { ivr: flow, site: 's' }); // nobody signed in at s yet: the flow's queue
    h.login('s1');
    h.acd.offer(T0, { ivr: flow, site: 's' });
    h.acd.offer(T0, { ivr: flow, site: 'n' });
    h.acd.offer(T0, { ivr: flow });
    expect(h.of('call.queued').map((e) => e.queue)).toEqual(['bill-n', 'bill-s', 'bill-n', 'bill-n']);
  });
});

describe('IVR self-service', () => {
  const flow = parseIvrFlow({
    name: 'self',
    start: 'main',
    nodes: {
      main: { type: 'menu', prompt_s: 4, options: { '1': 'look', '0': 'q' }, timeout_s: 5, retries: 1, fallback: 'q' },
      look: { type: 'lookup', kind: 'balance', key: 'caller', next: 'say', not_found: 'sorry' },
      say: { type: 'play', prompt: 'Your balance is {balance}.', duration_s: 4, next: 'more' },
      sorry: { type: 'play', prompt: 'We could not find your account.', duration_s: 4, next: 'more' },
      more: { type: 'menu', prompt_s: 4, options: { '0': 'q' }, timeout_s: 5, retries: 0, fallback: 'bye' },
      q: { type: 'queue', queue: 'q', priority: 0 },
      bye: { type: 'hangup' },
    },
  });
  const data: IvrDataSource = { lookup: (_kind, key) => (key === '+1' ? '12.00 EUR' : '') };

  it('a caller who hangs up after hearing the information was served: call.ended by caller, no abandon', () => {
    const h = harness({ queues: [queue('q')], agents: [] }, {}, data);
    const served = h.acd.offer(T0, { ivr: flow, from: '+1' });
    h.acd.ivrInput(served, '1', T0 + 3 * S);
    h.at(T0 + 8 * S); // balance played
    h.acd.callerHangup(served, T0 + 9 * S);
    const early = h.acd.offer(T0 + 10 * S, { ivr: flow, from: '+1' });
    h.acd.callerHangup(early, T0 + 12 * S); // in the main menu
    const unknown = h.acd.offer(T0 + 20 * S, { ivr: flow, from: '+2' });
    h.acd.ivrInput(unknown, '1', T0 + 23 * S);
    h.at(T0 + 28 * S); // "could not find your account": no information
    h.acd.callerHangup(unknown, T0 + 29 * S);
    expect(h.of('call.abandoned').map((e) => [e.call, e.stage])).toEqual([
      [early.id, 'ivr'],
      [unknown.id, 'ivr'],
    ]);
    expect(trail(h.events, served.id).slice(-3)).toEqual(['ivr:say', 'ivr:more', 'ended:caller']);
    expect(h.audit().problems).toEqual([]);
  });
});

describe('closing', () => {
  it('calls still waiting when the center closes leave their queue to "closed" before they end', () => {
    const h = harness({ queues: [queue('q')], agents: [agent('a', ['q'])] });
    h.login('a');
    h.acd.offer(T0 + S, { queue: 'q' });
    const waiting = h.acd.offer(T0 + 2 * S, { queue: 'q' });
    h.acd.terminate(T0 + 10 * S);
    expect(trail(h.events, waiting.id)).toEqual(['call.offered', 'queued:q', 'overflow:q>closed', 'ended:system']);
    const r = h.audit();
    expect(r.problems).toEqual([]);
    expect(r.openCalls).toBe(0);
  });
});
