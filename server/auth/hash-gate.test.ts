import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GateFullError, HashGate } from './hash-gate.ts';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('HashGate', () => {
  it('runs at most maxActive jobs, queues up to maxQueued, refuses the rest at once; priority jobs are never refused', async () => {
    const gate = new HashGate(2, 3);
    const jobs = Array.from({ length: 8 }, () => deferred());
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = jobs.map((d, i) =>
      gate
        .run(async () => {
          started.push(i);
          most = Math.max(most, ++running);
          await d.promise;
          running--;
          return i;
        })
        .then(
          (v) => ({ ok: v }),
          (err: unknown) => ({ err }),
        ),
    );
    const priority = gate.run(async () => 'admin', { priority: true });
    expect(gate.running).toBe(2);
    expect(gate.queued).toBe(4);
    for (const d of jobs) d.resolve();
    const settled = await Promise.all(results);
    expect(settled.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((ok) => ({ ok })));
    for (const s of settled.slice(5)) expect((s as { err: unknown }).err).toBeInstanceOf(GateFullError);
    expect(await priority).toBe('admin');
    expect(most).toBe(2);
    expect(gate.peak).toBe(2);
    expect(gate.running).toBe(0);
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it('frees the slot of a job that throws', async () => {
    const gate = new HashGate(1, 0);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(() => Promise.resolve(7))).toBe(7);
    expect(gate.running).toBe(0);
  });

  it('property: for any mix of jobs, never more than maxActive at once, and every accepted job runs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.record({ priority: fc.boolean(), fails: fc.boolean(), ticks: fc.nat({ max: 3 }) }), { maxLength: 30 }),
        async (maxActive, maxQueued, specs) => {
          const gate = new HashGate(maxActive, maxQueued);
          let running = 0;
          let most = 0;
          let ran = 0;
          const outcomes = await Promise.allSettled(
            specs.map((s) =>
              gate.run(
                async () => {
                  ran++;
                  most = Math.max(most, ++running);
                  for (let i = 0; i < s.ticks; i++) await Promise.resolve();
                  running--;
                  if (s.fails) throw new Error('job failed');
                },
                { priority: s.priority },
              ),
            ),
          );
          const refused = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof GateFullError).length;
          return most <= maxActive && ran + refused === specs.length && gate.running === 0 && gate.queued === 0;
        },
      ),
    );
  });
});
