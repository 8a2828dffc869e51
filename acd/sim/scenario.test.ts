import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from './scenario.ts';

const minimal = {
  queues: [{ name: 'q1', sl_threshold_s: 20 }],
  agents: [{ id: 'a1', queues: ['q1'] }],
  arrivals: [{ queue: 'q1', per_hour: 1000 }],
  handle_time: { dist: 'exponential', mean_s: 180 },
  patience: { dist: 'infinite' },
  duration_s: 36000,
  seed: 1,
};

function errorOf(json: unknown): string {
  try {
    parseScenario(json);
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseScenario', () => {
  it('reads the minimal M/M/c form with M/M/c defaults', () => {
    const s = parseScenario(minimal);
    expect(s.queues).toEqual([{ name: 'q1', skills: [], slThresholdS: 20, shortAbandonS: 5, strategy: 'longest_idle' }]);
    expect(s.agents.map((a) => a.config)).toEqual([{ id: 'a1', skills: {}, queues: ['q1'] }]);
    expect(s.arrivals[0]?.perHour).toEqual(new Array(24).fill(1000));
    expect(s.routing.ringTimeoutS).toBeNull();
    expect(s.routing.acwTimeoutS).toBeNull();
    expect(s.handleTime).toEqual({ total: { dist: 'exponential', mean: 180 }, holdProb: 0, holdShare: 0, acwShare: 0 });
    expect(s.patience).toEqual({ dist: 'infinite' });
    expect(s.durationS).toBe(36000);
    expect(s.ivr.size).toBe(0);
  });

  it('expands agent groups with count', () => {
    const s = parseScenario({ ...minimal, agents: [{ id: 'a{n}', count: 12, queues: ['q1'] }] });
    expect(s.agents.map((a) => a.config.id).slice(0, 2)).toEqual(['a01', 'a02']);
    expect(s.agents).toHaveLength(12);
  });

  it('names the JSON path and the reason of every problem', () => {
    const message = errorOf({
      ...minimal,
      agents: [{ id: 'a1', queues: ['q2'] }],
      arrivals: [{ queue: 'q1', per_hour: 'lots' }],
      handle_time: { dist: 'gamma', mean_s: 1 },
      colour: 'red',
    });
    expect(message).toContain('agents.0.queues.0: unknown queue "q2" (did you mean "q1"?)');
    expect(message).toContain('arrivals.0.per_hour: must be calls per hour');
    expect(message).toContain('handle_time.dist: must be one of exponential, lognormal, fixed, uniform');
    expect(message).toContain('colour: unknown field');
    expect(message).toMatch(/^4 problems in scenario/);
  });

  it('checks shifts, sites, overflow targets and night mode', () => {
    const message = errorOf({
      ...minimal,
      sites: [{ name: 'north', timezone: 'Mars/Base' }],
      queues: [{ name: 'q1', site: 'nort', overflow: { after_s: 30, to: 'q1' } }],
      agents: [{ id: 'a1', queues: ['q1'], shift: { start: '8am', end: '16:00', days: ['mon', 'funday'] } }],
      night_mode: { site: 'south', from: '20:00', to: '07:00' },
    });
    expect(message).toContain('sites.0.timezone: unknown IANA time zone "Mars/Base"');
    expect(message).toContain('queues.0.site: unknown site "nort" (did you mean "north"?)');
    expect(message).toContain('queues.0.overflow.to: a queue cannot overflow to itself');
    expect(message).toContain('agents.0.shift.start: must be a local time "HH:MM"');
    expect(message).toContain('agents.0.shift.days.1: must be one of mon');
    expect(message).toContain('night_mode.site: unknown site "south"');
  });

  it('reports IVR flow problems under the flow path, and flow queues that do not exist', () => {
    const message = errorOf({
      ...minimal,
      arrivals: [{ ivr: 'main', per_hour: 10 }],
      ivr: {
        main: { name: 'm', start: 'q', nodes: { q: { type: 'queue', queue: 'billing' } } },
        broken: { name: 'b', start: 'x', nodes: { x: { type: 'menu' } } },
      },
    });
    expect(message).toContain('ivr.main.nodes.q.queue: unknown queue "billing"');
    expect(message).toMatch(/ivr\.broken\.nodes\.x\.\S+: /);
  });

  it('rejects IVR choices for options the menu does not have', () => {
    const message = errorOf({
      ...minimal,
      arrivals: [{ ivr: 'main', per_hour: 10 }],
      ivr: { main: { name: 'm', start: 'menu', nodes: { menu: { type: 'menu', prompt_s: 2, options: { '1': 'q' }, timeout_s: 3, retries: 0, fallback: 'q' }, q: { type: 'queue', queue: 'q1' } } } },
      ivr_behavior: { choices: { main: { menu: { '1': 5, '7': 1 } } } },
    });
    expect(message).toContain('ivr_behavior.choices.main.menu.7: not an option of the menu (options: 1, timeout, hangup)');
  });

  it('reads site holidays as local days, and names bad dates and reserved queue names', () => {
    const s = parseScenario({
      ...minimal,
      sites: [{ name: 'north', timezone: 'Europe/Berlin', holidays: ['2026-04-03', '2026-04-06'] }],
      agents: [{ id: 'a1', site: 'north', queues: ['q1'], shift: { start: '08:00', end: '16:00' } }],
    });
    expect([...(s.sites[0]?.holidays ?? [])]).toEqual([Date.UTC(2026, 3, 3) / 86_400_000, Date.UTC(2026, 3, 6) / 86_400_000]);
    expect(s.agents[0]?.holidays).toBe(s.sites[0]?.holidays);
    const message = errorOf({
      ...minimal,
      sites: [{ name: 'north', holidays: ['2026-02-30', 'easter'] }],
      queues: [{ name: 'voicemail' }, { name: 'q1' }],
    });
    expect(message).toContain('sites.0.holidays.0: must be a date "YYYY-MM-DD" (got "2026-02-30")');
    expect(message).toContain('sites.0.holidays.1: must be a date "YYYY-MM-DD"');
    expect(message).toContain('queues.0.name: "voicemail" is reserved');
  });
});
