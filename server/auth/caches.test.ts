import { describe, expect, it } from 'vitest';
import { BatchLookup, TableIndex, TtlCache } from './caches.ts';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('TtlCache', () => {
  it('expires entries and holds at most maxEntries, dropping the oldest', () => {
    let t = 0;
    const c = new TtlCache<number>(100, 3, () => t);
    c.set('a', 1);
    c.set('b', 2);
    c.set('c', 3);
    c.set('d', 4);
    expect(c.size).toBe(3);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('d')).toBe(4);
    t = 100;
    expect(c.get('d')).toBeUndefined();
  });
});

describe('TableIndex', () => {
  it('answers from memory; a miss reads the table again at most once per missReloadMs', async () => {
    let t = 0;
    let table = new Map([['k1', 'one']]);
    let loads = 0;
    const index = new TableIndex(async () => (loads++, new Map(table)), { refreshMs: 10_000, missReloadMs: 1000, onError: () => undefined, now: () => t });
    expect(await index.get('k1')).toBe('one');
    expect(loads).toBe(1);
    for (let i = 0; i < 100; i++) expect(await index.get(`unknown-${i}`)).toBeUndefined();
    expect(loads).toBe(1);
    table = new Map([...table, ['k2', 'two']]); // written by another process
    expect(await index.get('k2')).toBeUndefined();
    t = 1000;
    expect(await index.get('k2')).toBe('two');
    expect(loads).toBe(2);
  });

  it('keeps a write made while a read of the table was running', async () => {
    const pending = deferred<Map<string, string>>();
    const index = new TableIndex(() => pending.promise, { refreshMs: 10_000, missReloadMs: 1000, onError: () => undefined });
    const reading = index.reload();
    index.set('revoked', null);
    index.set('created', 'new');
    pending.resolve(new Map([['revoked', 'old']])); // the read started before the revocation was stored
    await reading;
    expect(await index.get('revoked')).toBeUndefined();
    expect(await index.get('created')).toBe('new');
  });

  it('keeps answering from the last good read when a refresh fails', async () => {
    let t = 0;
    let fail = false;
    const errors: unknown[] = [];
    const index = new TableIndex(async () => {
      if (fail) throw new Error('store down');
      return new Map([['k', 'v']]);
    }, { refreshMs: 100, missReloadMs: 50, onError: (e) => errors.push(e), now: () => t });
    expect(await index.get('k')).toBe('v');
    fail = true;
    t = 200;
    expect(await index.get('k')).toBe('v');
    expect(await index.get('x')).toBeUndefined();
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('BatchLookup', () => {
  it('gathers concurrent look-ups into one query, runs one at a time, and refuses past maxPending', async () => {
    const batches: string[][] = [];
    const lookup = new BatchLookup<string>(
      async (keys) => {
        batches.push(keys);
        return new Map(keys.filter((k) => k.startsWith('known')).map((k) => [k, `row-${k}`]));
      },
      { maxPending: 50, minIntervalMs: 0, onError: () => undefined },
    );
    const keys = ['known-1', ...Array.from({ length: 60 }, (_, i) => `random-${i}`), 'known-1'];
    const results = await Promise.all(keys.map((k) => lookup.find(k)));
    expect(results[0]).toBe('row-known-1');
    expect(results.at(-1)).toBe('row-known-1');
    expect(results.slice(1, 50)).toEqual(Array(49).fill(undefined));
    expect(results.slice(50, 61)).toEqual(Array(11).fill('overloaded'));
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(50);
  });

  it('passes a store error to every waiting look-up and recovers', async () => {
    let fail = true;
    const lookup = new BatchLookup<string>(
      async (keys) => {
        if (fail) throw new Error('store down');
        return new Map(keys.map((k) => [k, k]));
      },
      { maxPending: 10, minIntervalMs: 0, onError: () => undefined },
    );
    await expect(Promise.all([lookup.find('a'), lookup.find('b')])).rejects.toThrow('store down');
    fail = false;
    expect(await lookup.find('a')).toBe('a');
  });
});
