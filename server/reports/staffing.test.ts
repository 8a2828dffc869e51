import { describe, expect, it } from 'vitest';
import { erlangCMetrics } from '../../staffing/erlang.ts';
import { parseStaffingQuery, StaffingInputError, staffingFor } from './staffing.ts';

const q = (s: string) => parseStaffingQuery(new URLSearchParams(s));

describe('staffing', () => {
  it('Erlang C: the textbook 100 calls per half hour, AHT 180 s, 80/20 needs 14 agents', () => {
    const a = staffingFor(q('calls=100&interval_s=1800&aht_s=180&target_s=20&target_sl=0.8'));
    expect(a.model).toBe('erlang_c');
    expect(a.agents).toBe(14);
    expect(a.traffic_erlangs).toBeCloseTo(10, 9);
    expect(a.service_level).toBeGreaterThanOrEqual(0.8);
    // one agent fewer misses the target: the answer is the smallest that meets it
    expect(erlangCMetrics({ arrivalRatePerHour: 200, meanHandleSeconds: 180, agents: 13, thresholdSeconds: 20 }).serviceLevel).toBeLessThan(0.8);
    expect(a.asa_s).toBeCloseTo(7.84, 1);
    expect(a.abandon_rate).toBe(0);
  });

  it('shrinkage raises the scheduled head count, not the agents on the phones', () => {
    const a = staffingFor(q('calls=100&interval_s=1800&aht_s=180&target_s=20&target_sl=0.8&shrinkage=0.3'));
    expect(a.agents).toBe(14);
    expect(a.scheduled).toBe(20);
  });

  it('an occupancy cap can only add agents', () => {
    const free = staffingFor(q('calls=400&interval_s=1800&aht_s=180&target_s=20&target_sl=0.5'));
    const capped = staffingFor(q('calls=400&interval_s=1800&aht_s=180&target_s=20&target_sl=0.5&max_occupancy=0.8'));
    expect(capped.agents).toBeGreaterThan(free.agents);
    expect(capped.occupancy).toBeLessThanOrEqual(0.8);
  });

  it('Erlang A with patience needs no more agents than Erlang C and reports abandonment', () => {
    const c = staffingFor(q('calls=100&interval_s=1800&aht_s=180&target_s=20&target_sl=0.8'));
    const a = staffingFor(q('calls=100&interval_s=1800&aht_s=180&target_s=20&target_sl=0.8&patience_s=120'));
    expect(a.model).toBe('erlang_a');
    expect(a.agents).toBeLessThanOrEqual(c.agents);
    expect(a.abandon_rate).toBeGreaterThan(0);
    expect(a.abandon_rate).toBeLessThan(0.2);
  });

  it('no calls need no agents', () => {
    expect(staffingFor(q('calls=0&interval_s=900&aht_s=180&target_s=20&target_sl=0.8')).agents).toBe(0);
  });

  it.each([
    ['interval_s=900&aht_s=180&target_s=20&target_sl=0.8', 'calls: required'],
    ['calls=10&interval_s=900&aht_s=0&target_s=20&target_sl=0.8', 'aht_s: must be'],
    ['calls=10&interval_s=900&aht_s=180&target_s=20&target_sl=80', 'target_sl: must be a fraction'],
    ['calls=ten&interval_s=900&aht_s=180&target_s=20&target_sl=0.8', 'calls: must be'],
    ['calls=10&interval_s=900&aht_s=180&target_s=20&target_sl=0.8&shrinkage=1', 'shrinkage: must be'],
    ['calls=10&interval_s=900&aht_s=180&target_s=20&target_sl=0.8&agents=3', 'agents: unknown parameter'],
  ])('refuses %s naming the field', (query, message) => {
    expect(() => q(query)).toThrow(StaffingInputError);
    expect(() => q(query)).toThrow(message);
  });
});
