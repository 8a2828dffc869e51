import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../platform/log.ts';
import { DirtyLoop, type DirtyMark } from './dirty-loop.ts';

function loop(over: { settled?: () => number; earliestFirst?: boolean; batchSize?: number; fail?: () => boolean } = {}) {
  const batches: [string, DirtyMark][][] = [];
  let errors = 0;
  const l = new DirtyLoop({
    what: 'test derivation',
    log: silentLogger,
    generations: { settled: over.settled ?? (() => 10) },
    tickMs: 60_000,
    batchSize: over.batchSize ?? 10,
    earliestFirst: over.earliestFirst ?? false,
    now: () => 1000,
    derive: async (batch) => {
      if (over.fail?.()) throw new Error('store down');
      batches.push(batch.map(([k, d]) => [k, { ...d }]));
    },
    onError: () => errors++,
  });
  return { l, batches, errors: () => errors };
}

describe('DirtyLoop', () => {
  it('merges the marks of a key: newest generation, widest time range, earliest due time', async () => {
    const { l, batches } = loop();
    l.mark('c1', { gen: 3, minTs: 500, maxTs: 600, due: 2000 });
    l.mark('c1', { gen: 2, minTs: 400, maxTs: 550, due: 900 });
    expect(l.size).toBe(1);
    await l.drain();
    expect(batches).toEqual([[['c1', { gen: 3, minTs: 400, maxTs: 600, due: 900 }]]]);
    expect(l.size).toBe(0);
  });

  it('leaves keys whose events are not stored yet for later', async () => {
    let settled = 1;
    const { l, batches } = loop({ settled: () => settled });
    l.mark('stored', { gen: 1, minTs: 0, maxTs: 0, due: 0 });
    l.mark('pending', { gen: 2, minTs: 0, maxTs: 0, due: 0 });
    await l.drain();
    expect(batches.flat().map(([k]) => k)).toEqual(['stored']);
    settled = 2;
    await l.drain();
    expect(batches.flat().map(([k]) => k)).toEqual(['stored', 'pending']);
  });

  it('takes the earliest events first, in batches of batchSize', async () => {
    const { l, batches } = loop({ earliestFirst: true, batchSize: 2 });
    for (const [k, t] of [['late', 300], ['early', 100], ['middle', 200]] as const) l.mark(k, { gen: 0, minTs: t, maxTs: t, due: 0 });
    await l.drain();
    expect(batches.map((b) => b.map(([k]) => k))).toEqual([['early', 'middle'], ['late']]);
  });

  it('marks a failed batch again, so nothing is lost', async () => {
    let down = true;
    const { l, batches } = loop({ fail: () => down });
    l.mark('c1', { gen: 0, minTs: 0, maxTs: 0, due: 0 });
    await expect(l.drain()).rejects.toThrow('store down');
    expect(l.size).toBe(1);
    down = false;
    await l.drain();
    expect(batches.flat().map(([k]) => k)).toEqual(['c1']);
  });
});
