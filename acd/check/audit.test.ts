import { describe, expect, it } from 'vitest';
import type { CallboardEvent } from '../../schemas/events.ts';
import { EventAuditor } from './audit.ts';

const T0 = Date.parse('2025-03-03T10:00:00Z');

/** Builds a stream of events with ids `r-0`, `r-1`, … one second apart. */
function stream(...events: Record<string, unknown>[]): CallboardEvent[] {
  return events.map((e, i) => ({ id: `r-${i}`, ts: T0 + i * 1000, ...e }) as CallboardEvent);
}

function problems(events: CallboardEvent[]): string[] {
  const a = new EventAuditor();
  for (const e of events) a.add(e);
  return a.report().problems;
}

const login = { type: 'agent.state', agent: 'a', state: 'available', queues: ['q', 'r'] };
const offered = { type: 'call.offered', call: 'c', direction: 'inbound' };

describe('queue visits', () => {
  it('accepts each visit closed once: answered, abandoned, or overflowed (to a queue or a flow-out)', () => {
    expect(
      problems(
        stream(
          login,
          offered,
          { type: 'call.queued', call: 'c', queue: 'q' },
          { type: 'call.overflow', call: 'c', from_queue: 'q', to_queue: 'r' },
          { type: 'call.queued', call: 'c', queue: 'r' },
          { type: 'call.ringing', call: 'c', queue: 'r', agent: 'a' },
          { type: 'agent.state', agent: 'a', state: 'ringing' },
          { type: 'call.ring_noanswer', call: 'c', queue: 'r', agent: 'a' },
          { type: 'agent.state', agent: 'a', state: 'not_ready', reason: 'ring_noanswer' },
          { type: 'call.overflow', call: 'c', from_queue: 'r', to_queue: 'voicemail' },
          { type: 'call.ivr', call: 'c', node: 'max_wait_voicemail' },
          { type: 'call.ended', call: 'c', by: 'caller' },
        ),
      ),
    ).toEqual([]);
  });

  it('reports a visit never closed, closed twice, or closed for another queue', () => {
    expect(problems(stream(offered, { type: 'call.queued', call: 'c', queue: 'q' }, { type: 'call.ended', call: 'c', by: 'system' }))).toEqual([
      'queued_never_closed: call c: ended while its visit of q was never closed (no answer, abandon or overflow) (event r-2)',
    ]);
    expect(
      problems(
        stream(
          offered,
          { type: 'call.queued', call: 'c', queue: 'q' },
          { type: 'call.abandoned', call: 'c', queue: 'q', stage: 'queue' },
          { type: 'call.overflow', call: 'c', from_queue: 'q', to_queue: 'callback' },
          { type: 'call.ended', call: 'c', by: 'caller' },
        ),
      ),
    ).toEqual(['queue_event_without_visit: call c: call.overflow for queue q while not queued (event r-3)']);
    expect(
      problems(
        stream(
          offered,
          { type: 'call.queued', call: 'c', queue: 'q' },
          { type: 'call.queued', call: 'c', queue: 'r' },
          { type: 'call.abandoned', call: 'c', queue: 'q', stage: 'queue' },
          { type: 'call.ended', call: 'c', by: 'caller' },
        ),
      ),
    ).toEqual([
      'queued_never_closed: call c: queued in r while its visit of q is still open (event r-2)',
      'queue_event_without_visit: call c: call.abandoned for queue q while queued in r (event r-3)',
      'queued_never_closed: call c: ended while its visit of r was never closed (no answer, abandon or overflow) (event r-4)',
    ]);
  });

  it('reports an IVR abandon, a queue-less answer or a transfer while a visit is open', () => {
    expect(
      problems(
        stream(
          login,
          offered,
          { type: 'call.queued', call: 'c', queue: 'q' },
          { type: 'call.abandoned', call: 'c', stage: 'ivr' },
          { type: 'call.answered', call: 'c', agent: 'a' },
          { type: 'agent.state', agent: 'a', state: 'on_call' },
          { type: 'call.transferred', call: 'c', agent: 'a', to_queue: 'r', kind: 'blind' },
        ),
      ),
    ).toEqual([
      'queue_event_without_visit: call c: abandoned in the IVR while queued in q (event r-3)',
      'queue_event_without_visit: call c: answered without a queue while queued in q (event r-4)',
      'queue_event_without_visit: call c: transferred while queued in q (event r-6)',
    ]);
  });
});

describe('the stream and its agents', () => {
  it('reports time going backwards and a sign-in without queues, which only an in-order stream can promise', () => {
    const events = stream({ type: 'agent.state', agent: 'a', state: 'available' }, offered);
    events[1]!.ts = T0 - 1;
    expect(problems(events)).toEqual(['sign_in_without_queues: agent a: sign-in without its queues (event r-0)', `time_backwards: ts ${T0 - 1} < ${T0} (event r-1)`]);
  });

  it('applies the feed audit\u2019s agent rules: on_call after an answer, one call at a time', () => {
    expect(
      problems(
        stream(
          login,
          offered,
          { type: 'call.answered', call: 'c', agent: 'a' },
          { type: 'agent.state', agent: 'a', state: 'acw' },
          { type: 'call.offered', call: 'd', direction: 'inbound' },
          { type: 'call.answered', call: 'd', agent: 'a' },
        ),
      ),
    ).toEqual([
      'illegal_state_transition: agent a: available → acw (event r-3)',
      'state_gap: agent a: answered call c but went acw without agent.state on_call (event r-3)',
      'agent_on_two_calls: agent a: connected to call d (call.answered) while on call c (event r-5)',
      'illegal_state_transition: agent a: call.answered on call d while acw (event r-5)',
    ]);
  });

  it('measures the queue: offered, answered within T, abandoned short, waits and flow-outs', () => {
    const a = new EventAuditor({ thresholds: new Map([['q', { slThresholdS: 20, shortAbandonS: 5 }]]), sampleQueue: 'q' });
    const at = (s: number, e: Record<string, unknown>, id: string) => a.add({ id, ts: T0 + s * 1000, ...e } as CallboardEvent);
    at(0, login, 'x-0');
    at(1, offered, 'x-1');
    at(2, { type: 'call.queued', call: 'c', queue: 'q' }, 'x-2');
    at(12, { type: 'call.answered', call: 'c', queue: 'q', agent: 'a' }, 'x-3');
    at(12, { type: 'agent.state', agent: 'a', state: 'on_call' }, 'x-4');
    at(20, { type: 'call.offered', call: 'd', direction: 'inbound' }, 'x-5');
    at(21, { type: 'call.queued', call: 'd', queue: 'q' }, 'x-6');
    at(24, { type: 'call.abandoned', call: 'd', queue: 'q', stage: 'queue' }, 'x-7');
    at(24, { type: 'call.ended', call: 'd', by: 'caller' }, 'x-8');
    at(30, { type: 'call.offered', call: 'e', direction: 'inbound' }, 'x-9');
    at(31, { type: 'call.queued', call: 'e', queue: 'q' }, 'x-a');
    at(91, { type: 'call.overflow', call: 'e', from_queue: 'q', to_queue: 'voicemail' }, 'x-b');
    at(95, { type: 'call.ended', call: 'e', by: 'system' }, 'x-c');
    const r = a.report();
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ events: 13, calls: 3, openCalls: 1 });
    expect(r.queues.get('q')).toEqual({ offered: 3, answered: 1, abandoned: 1, shortAbandoned: 1, answeredWithinSl: 1, answeredWaitMs: 10_000, maxWaitMs: 10_000, overflowedOut: 1 });
    expect(a.samples).toEqual([
      { queuedAt: T0 + 2000, waitMs: 10_000, answered: true },
      { queuedAt: T0 + 21_000, waitMs: 3000, answered: false },
    ]);
  });
});
