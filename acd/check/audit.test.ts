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
      'call c: ended while its visit of q was never closed (event r-2)',
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
    ).toEqual(['call c: call.overflow for queue q while not queued (event r-3)']);
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
    ).toEqual(['call c: queued in r while its visit of q is still open (event r-2)', 'call c: call.abandoned for queue q while queued in r (event r-3)', 'call c: ended while its visit of r was never closed (event r-4)']);
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
      'call c: abandoned in the IVR while queued in q (event r-3)',
      'call c: answered without a queue while queued in q (event r-4)',
      'call c: transferred while queued in q (event r-6)',
    ]);
  });
});
