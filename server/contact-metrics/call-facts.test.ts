import { describe, expect, it } from 'vitest';
import { compareIds, deriveCall } from './call-facts.ts';
import { asCallEvents, EventFactory, sec, shuffled } from './test-events.ts';

const T0 = Date.parse('2026-03-10T09:00:00Z');

describe('deriveCall', () => {
  it('an answered call: wait from queued (ringing included), talk, hold and acw of the leg', () => {
    const f = new EventFactory();
    const ev = [
      f.offered('c', T0),
      f.ivr('c', T0 + sec(1)),
      f.queued('c', 'billing', T0 + sec(3)),
      f.ringing('c', 'billing', 'a1', T0 + sec(15)),
      f.answered('c', 'a1', T0 + sec(18), 'billing'),
      f.hold('c', 'a1', T0 + sec(30)),
      f.unhold('c', 'a1', T0 + sec(45)),
      f.hold('c', 'a1', T0 + sec(60)),
      f.unhold('c', 'a1', T0 + sec(65)),
      f.ended('c', T0 + sec(118), 'caller'),
      f.wrapup('c', 'a1', T0 + sec(148), 'ok'),
    ];
    const facts = deriveCall(asCallEvents(ev));
    expect(facts.visits).toHaveLength(1);
    expect(facts.visits[0]).toMatchObject({ queue: 'billing', entry: 'new', outcome: 'answered', waitMs: sec(15), agent: 'a1', answeredAt: T0 + sec(18) });
    expect(facts.legs).toEqual([
      expect.objectContaining({ agent: 'a1', visit: 0, queue: 'billing', talkMs: sec(100 - 20), holdMs: sec(20), acwMs: sec(30), endReason: 'ended', code: 'ok', hungUp: false }),
    ]);
    expect(facts.visits[0]?.handle).toEqual({ legs: 1, talkMs: sec(80), holdMs: sec(20), acwMs: sec(30) });
    expect(facts.caller).toMatchObject({ outcome: 'answered', waitMs: sec(15), queue: 'billing' });
    expect(facts.complete).toBe(true);
  });

  it('gives the same facts whatever the order and with duplicates', () => {
    const f = new EventFactory();
    const ev = [
      f.queued('c', 'a', T0),
      f.overflow('c', 'a', 'b', T0 + sec(30)),
      f.queued('c', 'b', T0 + sec(30)),
      f.ringing('c', 'b', 'x', T0 + sec(30)),
      f.answered('c', 'x', T0 + sec(35), 'b'),
      f.hold('c', 'x', T0 + sec(35)),
      f.unhold('c', 'x', T0 + sec(40)),
      f.ended('c', T0 + sec(90), 'agent'),
      f.wrapup('c', 'x', T0 + sec(100)),
    ];
    const expected = deriveCall(asCallEvents(ev));
    for (let seed = 1; seed <= 20; seed++) {
      const mixed = shuffled([...ev, ...ev.slice(0, 4)], seed);
      expect(deriveCall(asCallEvents(mixed))).toEqual(expected);
    }
    expect(expected.legs[0]).toMatchObject({ holdMs: sec(5), talkMs: sec(50), hungUp: true });
  });

  it('overflow: flowed out of the first queue, a new visit in the next measured from its own queued', () => {
    const f = new EventFactory();
    const facts = deriveCall(
      asCallEvents([
        f.queued('c', 'north', T0),
        f.overflow('c', 'north', 'south', T0 + sec(30)),
        f.queued('c', 'south', T0 + sec(30)),
        f.answered('c', 's1', T0 + sec(42), 'south'),
        f.ended('c', T0 + sec(100)),
      ]),
    );
    expect(facts.visits.map((v) => [v.queue, v.entry, v.outcome, v.waitMs, v.flowedTo])).toEqual([
      ['north', 'new', 'flowed_out', sec(30), 'south'],
      ['south', 'overflow', 'answered', sec(12), null],
    ]);
    expect(facts.caller).toMatchObject({ queue: 'north', outcome: 'answered', waitMs: sec(42), answeredQueue: 'south', visits: 2 });
  });

  it('a zero-wait overflow (queued and overflow in the same millisecond) still closes the first visit', () => {
    const f = new EventFactory();
    const facts = deriveCall(asCallEvents([f.queued('c', 'a', T0), f.overflow('c', 'a', 'b', T0), f.queued('c', 'b', T0)]));
    expect(facts.visits.map((v) => [v.queue, v.outcome])).toEqual([
      ['a', 'flowed_out'],
      ['b', 'waiting'],
    ]);
  });

  it('flow-out to voicemail ends the caller view as flowed_out', () => {
    const f = new EventFactory();
    const facts = deriveCall(
      asCallEvents([f.queued('c', 'a', T0), f.overflow('c', 'a', 'voicemail', T0 + sec(300)), f.ivr('c', T0 + sec(300), 'max_wait_voicemail'), f.ended('c', T0 + sec(330))]),
    );
    expect(facts.visits[0]).toMatchObject({ outcome: 'flowed_out', waitMs: sec(300), flowedTo: 'voicemail' });
    expect(facts.caller).toMatchObject({ outcome: 'flowed_out', waitMs: sec(300) });
  });

  it('abandons: in the IVR (no visit), in queue, while ringing', () => {
    const f = new EventFactory();
    const ivr = deriveCall(asCallEvents([f.offered('i', T0), f.ivr('i', T0), f.abandoned('i', T0 + sec(9), 'ivr'), f.ended('i', T0 + sec(9))]));
    expect(ivr.visits).toEqual([]);
    expect(ivr.ivrAbandonedAt).toBe(T0 + sec(9));
    expect(ivr.caller).toBeNull();

    const q = deriveCall(asCallEvents(f.abandonedCall('q', 'a', T0, 7)));
    expect(q.visits[0]).toMatchObject({ outcome: 'abandoned', abandonStage: 'queue', waitMs: sec(7) });

    const r = deriveCall(
      asCallEvents([f.queued('r', 'a', T0), f.ringing('r', 'a', 'x', T0 + sec(10)), f.abandoned('r', T0 + sec(14), 'ringing', 'a'), f.ended('r', T0 + sec(14))]),
    );
    expect(r.visits[0]).toMatchObject({ queue: 'a', outcome: 'abandoned', abandonStage: 'ringing', waitMs: sec(14) });
    expect(r.caller).toMatchObject({ outcome: 'abandoned', abandonStage: 'ringing' });
  });

  it('ring-no-answer keeps the call waiting in its queue; the wait runs from queued', () => {
    const f = new EventFactory();
    const facts = deriveCall(
      asCallEvents([
        f.queued('c', 'a', T0),
        f.ringing('c', 'a', 'x', T0 + sec(1)),
        f.ringNoAnswer('c', 'a', 'x', T0 + sec(16)),
        f.ringing('c', 'a', 'y', T0 + sec(16)),
        f.answered('c', 'y', T0 + sec(20), 'a'),
      ]),
    );
    expect(facts.visits[0]).toMatchObject({ outcome: 'answered', waitMs: sec(20), agent: 'y' });
    expect(facts.ringNoAnswers).toEqual([{ agent: 'x', queue: 'a', ts: T0 + sec(16) }]);
  });

  it('blind transfer to a queue: first leg ends at the transfer, a new offer in the target queue', () => {
    const f = new EventFactory();
    const facts = deriveCall(
      asCallEvents([
        f.queued('c', 'sales', T0),
        f.answered('c', 'a1', T0 + sec(10), 'sales'),
        f.transferToQueue('c', 'a1', 'billing', T0 + sec(70)),
        f.queued('c', 'billing', T0 + sec(70)),
        f.answered('c', 'a2', T0 + sec(95), 'billing'),
        f.wrapup('c', 'a1', T0 + sec(100)),
        f.ended('c', T0 + sec(200)),
        f.wrapup('c', 'a2', T0 + sec(220)),
      ]),
    );
    expect(facts.visits.map((v) => [v.queue, v.entry, v.outcome, v.waitMs])).toEqual([
      ['sales', 'new', 'answered', sec(10)],
      ['billing', 'transfer', 'answered', sec(25)],
    ]);
    expect(facts.legs.map((l) => [l.agent, l.queue, l.talkMs, l.acwMs, l.endReason])).toEqual([
      ['a1', 'sales', sec(60), sec(30), 'transfer'],
      ['a2', 'billing', sec(105), sec(20), 'ended'],
    ]);
    expect(facts.caller).toMatchObject({ outcome: 'answered', waitMs: sec(10), visits: 2 });
    expect(facts.transfers).toBe(1);
  });

  it('attended transfer: the second agent joins the first queue visit (its handle stays there)', () => {
    const f = new EventFactory();
    const facts = deriveCall(
      asCallEvents([
        f.queued('c', 'sales', T0),
        f.answered('c', 'a1', T0 + sec(10), 'sales'),
        f.hold('c', 'a1', T0 + sec(40)),
        f.unhold('c', 'a1', T0 + sec(60)),
        f.transferToAgent('c', 'a1', 'a2', T0 + sec(60)),
        f.answered('c', 'a2', T0 + sec(60)),
        f.wrapup('c', 'a1', T0 + sec(70)),
        f.ended('c', T0 + sec(160)),
        f.wrapup('c', 'a2', T0 + sec(165)),
      ]),
    );
    expect(facts.visits).toHaveLength(1);
    expect(facts.legs.map((l) => [l.agent, l.visit, l.queue, l.talkMs, l.holdMs, l.acwMs])).toEqual([
      ['a1', 0, 'sales', sec(30), sec(20), sec(10)],
      ['a2', 0, 'sales', sec(100), 0, sec(5)],
    ]);
    expect(facts.visits[0]?.handle).toEqual({ legs: 2, talkMs: sec(130), holdMs: sec(20), acwMs: sec(15) });
  });

  it('a call still waiting, then ended by the caller without an abandon event, is abandoned', () => {
    const f = new EventFactory();
    const open = deriveCall(asCallEvents([f.queued('c', 'a', T0)]));
    expect(open.visits[0]).toMatchObject({ outcome: 'waiting', waitMs: null });
    expect(open.caller?.outcome).toBe('waiting');
    const ended = deriveCall(asCallEvents([f.queued('c', 'a', T0), f.ended('c', T0 + sec(12), 'caller')]));
    expect(ended.visits[0]).toMatchObject({ outcome: 'abandoned', waitMs: sec(12) });
  });

  it('a repeated call.queued for the queue the call waits in is not a second offer', () => {
    const f = new EventFactory();
    const facts = deriveCall(asCallEvents([f.queued('c', 'a', T0), f.queued('c', 'a', T0 + sec(5)), f.answered('c', 'x', T0 + sec(9), 'a')]));
    expect(facts.visits).toHaveLength(1);
    expect(facts.visits[0]?.waitMs).toBe(sec(9));
  });

  it('ids order sequence numbers of any base', () => {
    const ids = ['r-10', 'r-9', 'r-a', 'r-z', 'r-1a', 'r-100'];
    expect([...ids].sort(compareIds)).toEqual(['r-9', 'r-a', 'r-z', 'r-10', 'r-1a', 'r-100']);
  });
});
