/**
 * Cost and memory of the live engine under a steady stream, and a realistic flow from the
 * shared test helper. Prints µs per event; the bounds are loose (shared CI cores).
 */
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../schemas/validate.ts';
import { validateEvent } from '../../schemas/validate.ts';
import { callFlow } from '../../test/helpers/events.ts';
import { EventFactory, sec } from '../contact-metrics/test-events.ts';
import { StaticDirectory } from './directory.ts';
import { LiveEngine } from './engine.ts';

const T0 = Date.parse('2026-03-10T07:00:00Z');

/** `calls` calls, one every `gapMs`, over 20 queues and 200 agents: ~13 events per call. */
function stream(calls: number, gapMs: number): NormalizedEvent[] {
  const f = new EventFactory('L', 'berlin');
  const out: NormalizedEvent[] = [];
  for (let a = 0; a < 200; a++) out.push(f.state(`ag${a}`, 'available', T0 - 60_000, { queues: [`q${a % 20}`, `q${(a + 7) % 20}`] }));
  for (let i = 0; i < calls; i++) {
    const t = T0 + i * gapMs;
    const q = `q${i % 20}`;
    const agent = `ag${i % 200}`;
    const c = `call${i}`;
    if (i % 10 === 9) {
      out.push(f.offered(c, t), f.queued(c, q, t + 2000), f.abandoned(c, t + 2000 + (i % 40) * 1000, 'queue', q), f.ended(c, t + 2000 + (i % 40) * 1000));
      continue;
    }
    const ans = t + 2000 + (i % 30) * 1000;
    out.push(
      f.offered(c, t),
      f.ivr(c, t + 500),
      f.queued(c, q, t + 2000),
      f.ringing(c, q, agent, ans - 3000),
      f.state(agent, 'ringing', ans - 3000),
      f.answered(c, agent, ans, q),
      f.state(agent, 'on_call', ans),
      f.ended(c, ans + 120_000),
      f.state(agent, 'acw', ans + 120_000),
      f.wrapup(c, agent, ans + 150_000),
      f.state(agent, 'available', ans + 150_000),
    );
  }
  return out.sort((a, b) => a.ts - b.ts);
}

describe('live engine load', () => {
  it('applies a steady stream cheaply and keeps memory bounded', () => {
    const events = stream(8000, 1000); // 8k calls over 2.2 h, ~1 call/s
    const e = new LiveEngine({ defaultTimeZone: 'Europe/Berlin', directory: new StaticDirectory({ sites: { berlin: { timeZone: 'Europe/Berlin' } } }) });
    let maxCalls = 0;
    const started = process.hrtime.bigint();
    let clock = T0;
    for (let i = 0; i < events.length; i += 200) {
      const batch = events.slice(i, i + 200);
      e.apply(batch);
      const last = batch[batch.length - 1] as NormalizedEvent;
      if (last.ts > clock) {
        clock = last.ts;
        e.tick(clock);
      }
      maxCalls = Math.max(maxCalls, e.callCount);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const usPerEvent = (ms * 1000) / events.length;
    console.log(`live engine: ${events.length} events in ${ms.toFixed(0)} ms = ${usPerEvent.toFixed(2)} µs/event; max calls held ${maxCalls}`);
    expect(usPerEvent).toBeLessThan(100);
    // Calls completed more than 5 min ago are forgotten: ~1 call/s → a few hundred held, not 8k.
    expect(maxCalls).toBeLessThan(1200);
    const snapStarted = process.hrtime.bigint();
    const s = e.snapshot(clock);
    const snapMs = Number(process.hrtime.bigint() - snapStarted) / 1e6;
    console.log(`snapshot: 20 queues, 200 agents in ${snapMs.toFixed(1)} ms, ${JSON.stringify(s).length} bytes`);
    expect(s.center.today.offered).toBe(8000);
    expect(s.center.today.abandoned).toBe(800);
    expect(s.center.today.answered + s.center.today.abandoned + s.center.today.flowed_out + s.center.waiting).toBeGreaterThanOrEqual(7990);
  });

  it('follows the shared test helper call flow (offered → ivr → queued → ringing → answered → ended → wrapup)', () => {
    const raw = callFlow('live', T0, 'flow-1');
    const events = raw.map((r) => {
      const v = validateEvent(r);
      if (!v.ok) throw new Error(v.error);
      return v.event;
    });
    const e = new LiveEngine({ defaultTimeZone: 'Europe/Berlin' });
    e.apply(events);
    const now = T0 + sec(600);
    e.tick(now);
    const q = e.queue('billing', now);
    // queued at +4.5 s, answered at +20.845 s: wait 16.345 s; talk 180 s, acw 30 s.
    expect(q?.today).toMatchObject({ offered: 1, answered: 1, asa_s: 16.3, service_level: 1, aht_s: 210, handled: 1 });
    expect(e.agent('a1', now)).toMatchObject({ state: 'available', call: null, today: { answered: 1, handle_s: 210 } });
  });
});
