import { describe, expect, it } from 'vitest';
import { deriveCall } from './call-facts.ts';
import {
  addQueueCounters,
  callContributions,
  emptyQueueCounters,
  mergeQueueCounters,
  subtractQueueCounters,
  type QueueCounters,
} from './counters.ts';
import { abandonRate, agentFigures, occupancy, queueFigures, serviceLevel, serviceLevelVariants, utilization } from './figures.ts';
import { DEFAULT_QUEUE_SETTINGS, resolveQueueSettings, type QueueSettings } from './settings.ts';
import { asCallEvents, EventFactory, sec } from './test-events.ts';

const T0 = Date.parse('2026-03-10T09:00:00Z');

/**
 * Hand-computed example (T = 20 s, S = 5 s), queue "q", 10 offers:
 * - answered after 5, 10, 15, 20 (= T: within), 25, 60 s → 6 answered, 4 within T, ASA 22.5 s
 * - abandoned after 2 (short), 5 (= S: not short), 40 s → 3 abandoned, 1 short, 2 within T
 * - 1 flowed out after 30 s
 */
function example(settings: QueueSettings = resolveQueueSettings()): QueueCounters {
  const f = new EventFactory();
  const calls = [
    ...[5, 10, 15, 20, 25, 60].map((w, i) => f.answeredCall(`a${i}`, 'q', 'x', T0 + i * 1000, { waitS: w, talkS: 60, acwS: 10 })),
    ...[2, 5, 40].map((w, i) => f.abandonedCall(`b${i}`, 'q', T0, w)),
    [f.queued('o', 'q', T0), f.overflow('o', 'q', 'voicemail', T0 + sec(30)), f.ended('o', T0 + sec(40), 'system')],
  ];
  const total = emptyQueueCounters();
  for (const events of calls) {
    for (const c of callContributions(deriveCall(asCallEvents(events)), () => settings)) {
      if (c.scope === 'queue') addQueueCounters(total, c.counters);
    }
  }
  return total;
}

describe('queue figures on a hand-computed example', () => {
  const c = example();

  it('counts', () => {
    expect(c).toMatchObject({
      offered: 10,
      answered: 6,
      abandoned: 3,
      short_abandoned: 1,
      flowed_out: 1,
      answered_within_sl: 4,
      abandoned_within_sl: 2,
      handled: 6,
    });
  });

  it('the four service-level formulas, flow-outs excluded (default) and included', () => {
    expect(serviceLevelVariants(c, 'exclude')).toEqual({
      default: 4 / (6 + 3 - 1),
      answered_only: 4 / 6,
      abandon_positive: (4 + 2) / (10 - 1),
      abandon_negative: 4 / (10 - 1),
    });
    expect(serviceLevelVariants(c, 'include')).toEqual({
      default: 4 / (6 + 3 - 1 + 1),
      answered_only: 4 / (6 + 1),
      abandon_positive: (4 + 2) / 10,
      abandon_negative: 4 / 10,
    });
    expect(serviceLevel(c)).toBe(0.5);
  });

  it('ASA, AHT, averages, max wait, abandon rate', () => {
    const fig = queueFigures(c, DEFAULT_QUEUE_SETTINGS);
    expect(fig.asa_s).toBe(22.5);
    expect(fig.aht_s).toBe(70);
    expect(fig.avg_talk_s).toBe(60);
    expect(fig.avg_hold_s).toBe(0);
    expect(fig.avg_acw_s).toBe(10);
    expect(fig.max_wait_s).toBe(60);
    expect(fig.avg_abandon_s).toBeCloseTo(47 / 3, 9);
    expect(fig.abandon_rate).toBe((3 - 1) / (10 - 1));
    expect(abandonRate(c)).toBe(2 / 9);
  });

  it('T and S come from the queue settings', () => {
    const strict = example(resolveQueueSettings({ slThresholdS: 10, shortAbandonS: 6 }));
    expect(strict).toMatchObject({ answered_within_sl: 2, abandoned_within_sl: 2, short_abandoned: 2 });
  });

  it('undefined ratios are null', () => {
    const z = emptyQueueCounters();
    const fig = queueFigures(z, DEFAULT_QUEUE_SETTINGS);
    expect([fig.service_level, fig.asa_s, fig.aht_s, fig.max_wait_s, fig.abandon_rate]).toEqual([null, null, null, null, null]);
  });
});

describe('counters algebra', () => {
  it('subtract undoes add, merge sums, max wait survives subtraction of the max', () => {
    const c = example();
    const one = emptyQueueCounters();
    one.offered = 1;
    one.answered = 1;
    one.answer_wait_ms = sec(90);
    one.top_waits = [sec(90)];
    const sum = mergeQueueCounters(c, one);
    expect(sum.offered).toBe(11);
    expect(sum.top_waits[0]).toBe(sec(90));
    subtractQueueCounters(sum, one);
    // Every additive field is back; the top list lost its 5th entry (pushed out by 90 s) but keeps the max.
    expect({ ...sum, top_waits: [] }).toEqual({ ...c, top_waits: [] });
    expect(sum.top_waits).toEqual(c.top_waits.slice(0, 4));
    expect(queueFigures(sum, DEFAULT_QUEUE_SETTINGS).max_wait_s).toBe(60);
  });
});

describe('agent ratios', () => {
  it('occupancy and utilization from state times', () => {
    const t = { logged_out: 1000, available: 100, not_ready: 50, ringing: 10, on_call: 200, acw: 40 };
    expect(occupancy(t)).toBe(250 / 350);
    expect(utilization(t)).toBe(240 / 400);
    const fig = agentFigures({ answered: 2, handled: 2, talk_ms: 100_000, hold_ms: 20_000, acw_ms: 30_000, ring_noanswer: 1, agent_hangups: 0, transfers: 0, help_requests: 1 }, t);
    expect(fig).toMatchObject({ aht_s: 75, handle_s: 150, logged_in_s: 0.4, not_ready_s: 0.05 });
  });
});
