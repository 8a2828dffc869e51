import type { CallboardEvent } from '../../schemas/events.ts';

let seq = 0;

/** A small, valid call flow: offered → queued → ringing → answered → ended → wrapup, plus agent states. */
export function callFlow(prefix: string, start = Date.now(), call = `${prefix}-call-${++seq}`): CallboardEvent[] {
  let t = start;
  const next = (ms: number) => (t += ms);
  return [
    { id: `${call}-1`, type: 'call.offered', ts: t, call, direction: 'inbound', from: '+4930123456', site: 'berlin' },
    { id: `${call}-2`, type: 'call.ivr', ts: next(1500), call, node: 'main', input: '1' },
    { id: `${call}-3`, type: 'call.queued', ts: next(3000), call, queue: 'billing', priority: 1 },
    { id: `${call}-4`, type: 'call.ringing', ts: next(12_345), call, queue: 'billing', agent: 'a1' },
    { id: `${call}-5`, type: 'agent.state', ts: t, agent: 'a1', state: 'ringing' },
    { id: `${call}-6`, type: 'call.answered', ts: next(4000), call, queue: 'billing', agent: 'a1' },
    { id: `${call}-7`, type: 'agent.state', ts: t, agent: 'a1', state: 'on_call' },
    { id: `${call}-8`, type: 'call.ended', ts: next(180_000), call, by: 'caller' },
    { id: `${call}-9`, type: 'call.wrapup', ts: next(30_000), call, agent: 'a1', code: 'resolved' },
    { id: `${call}-10`, type: 'agent.state', ts: t, agent: 'a1', state: 'available' },
  ];
}

/** `n` valid events with unique ids. */
export function manyEvents(prefix: string, n: number, start = Date.now()): CallboardEvent[] {
  const out: CallboardEvent[] = [];
  while (out.length < n) out.push(...callFlow(prefix, start + out.length));
  return out.slice(0, n);
}
