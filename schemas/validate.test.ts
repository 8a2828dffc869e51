import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from './events.ts';
import { parseTimestamp, validateBatch, validateEvent } from './validate.ts';

const base = { id: 'e1', ts: '2026-03-29T01:59:59.999+01:00' };

describe('validateEvent', () => {
  it('accepts a valid event and keeps millisecond precision from ISO and epoch input', () => {
    const iso = validateEvent({ ...base, type: 'agent.state', agent: 'a1', state: 'available' });
    expect(iso.ok && iso.event.ts).toBe(Date.UTC(2026, 2, 29, 0, 59, 59, 999));
    const ms = validateEvent({ id: 'e2', ts: 1774745999999, type: 'call.ended', call: 'c1', by: 'agent' });
    expect(ms.ok && ms.event.ts).toBe(1774745999999);
  });

  it('pulls out the indexed columns and keeps the payload as sent, unknown extra fields included', () => {
    const r = validateEvent({ ...base, type: 'call.overflow', call: 'c9', from_queue: 'q1', to_queue: 'q2', site: 'lyon', vendor_x: 7 });
    if (!r.ok) throw new Error(r.error);
    expect(r.event).toMatchObject({ call: 'c9', queue: 'q1', site: 'lyon', agent: '' });
    expect(JSON.parse(r.event.payload)).toEqual({ ...base, type: 'call.overflow', call: 'c9', from_queue: 'q1', to_queue: 'q2', site: 'lyon', vendor_x: 7 });
  });

  it.each([
    [{ ...base, type: 'agent.state', agent: 'a1', state: 'lunch' }, /^state: must be one of logged_out, available/],
    [{ ...base, type: 'call.queued', call: 'c1' }, /^queue: is required$/],
    [{ ...base, type: 'call.survey', call: 'c1', score: 6 }, /^score: .*5/],
    [{ ...base, type: 'call.survey', call: 'c1', score: 4, resolved: 'yes' }, /^resolved: .*boolean/],
    [{ ...base, id: '', type: 'call.ended', call: 'c', by: 'agent' }, /^id: must be at least 1 characters$/],
    [{ ...base, id: 'x'.repeat(65), type: 'call.ended', call: 'c', by: 'agent' }, /^id: must be at most 64 characters$/],
    [{ ...base, ts: '2026-03-29 01:00:00', type: 'call.ended', call: 'c', by: 'agent' }, /^ts: must be an ISO-8601/],
    [{ ...base, ts: 1.5, type: 'call.ended', call: 'c', by: 'agent' }, /^ts: /],
    [{ ...base, ts: '2026-13-45T00:00:00Z', type: 'call.ended', call: 'c', by: 'agent' }, /^ts: not a valid date/],
    [{ ...base, type: 'call.teleported', call: 'c' }, /^type: unknown event type "call.teleported"$/],
    [{ ...base }, /^type: is required/],
    [[1, 2], /must be a JSON object/],
    [null, /must be a JSON object/],
  ])('rejects %j with an error naming the field', (event, message) => {
    const r = validateEvent(event);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('has a schema for every type of contract v1', () => {
    expect(EVENT_TYPES).toEqual(
      expect.arrayContaining([
        'agent.state', 'agent.help', 'call.offered', 'call.ivr', 'call.queued', 'call.ringing', 'call.ring_noanswer',
        'call.answered', 'call.hold', 'call.unhold', 'call.transferred', 'call.overflow', 'call.abandoned',
        'call.ended', 'call.wrapup', 'call.survey',
      ]),
    );
  });
});

describe('validateBatch', () => {
  it('names the index of every rejected event and keeps the valid ones', () => {
    const r = validateBatch([
      { ...base, type: 'call.ended', call: 'c', by: 'caller' },
      { ...base, id: 'e2', type: 'call.ended', call: 'c' },
      { ...base, id: 'e3', type: 'agent.help', agent: 'a7' },
      'oops',
    ]);
    expect(r.accepted.map((e) => e.id)).toEqual(['e1', 'e3']);
    expect(r.rejected).toEqual([
      { index: 1, error: 'by: is required' },
      { index: 3, error: '(event): must be a JSON object' },
    ]);
  });
});

describe('parseTimestamp', () => {
  it('reads offsets, fractions and epoch ms; refuses the rest', () => {
    expect(parseTimestamp('2026-10-25T02:30:00.250+02:00')).toBe(Date.UTC(2026, 9, 25, 0, 30, 0, 250));
    expect(parseTimestamp('2026-10-25T02:30:00.250+01:00')).toBe(Date.UTC(2026, 9, 25, 1, 30, 0, 250));
    expect(parseTimestamp(0)).toBe(0);
    expect(parseTimestamp(-1)).toBeNaN();
    expect(parseTimestamp('soon')).toBeNaN();
  });
});
