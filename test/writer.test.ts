import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../platform/log.ts';
import { Registry } from '../platform/metrics.ts';
import type { ChdbStore } from '../platform/store/chdb-store.ts';
import type { Store } from '../platform/store/store.ts';
import { EventWriter, WriterBusyError, type WriterOptions } from '../ingest/writer.ts';
import { TABLES } from '../schemas/tables.ts';
import { validateBatch, type NormalizedEvent } from '../schemas/validate.ts';
import { callFlow, manyEvents } from './helpers/events.ts';
import { freshChdbStore } from './helpers/store.ts';

let store: ChdbStore;
beforeAll(async () => {
  store = await freshChdbStore('writer');
});
afterAll(async () => store.close());

function normalized(events: unknown[]): NormalizedEvent[] {
  const { accepted, rejected } = validateBatch(events);
  expect(rejected).toEqual([]);
  return accepted;
}

async function stored(prefix: string): Promise<{ rows: number; ids: number }> {
  const [r] = await store.query<{ rows: string; ids: string }>(
    `SELECT count() AS rows, uniqExact(id) AS ids FROM ${TABLES.events} WHERE startsWith(id, {p:String})`,
    { p: prefix },
  );
  return { rows: Number(r!.rows), ids: Number(r!.ids) };
}

function writer(opts: Partial<WriterOptions> = {}, s: Store = store, metrics = new Registry()) {
  return new EventWriter(s, metrics, silentLogger, { flushMs: 20, ...opts });
}

describe('EventWriter', () => {
  it('settles only after the rows are in the store', async () => {
    const w = writer({ flushMs: 50 });
    const events = normalized(callFlow('durable'));
    await w.write(events, 'k');
    expect(await stored('durable')).toEqual({ rows: 10, ids: 10 });
    await w.close();
  });

  it('batches writes from many callers into few inserts', async () => {
    const metrics = new Registry();
    const w = writer({ flushMs: 100 }, store, metrics);
    await Promise.all(Array.from({ length: 40 }, (_, i) => w.write(normalized(callFlow(`batched-${i}`)), 'k')));
    const text = await metrics.render();
    const flushes = Number(/callboard_flush_rows_count (\d+)/.exec(text)![1]);
    expect(flushes).toBeLessThanOrEqual(2);
    expect(Number(/callboard_events_stored_total (\d+)/.exec(text)![1])).toBe(400);
    await w.close();
  });

  it('stores a resent batch once: while pending, after the flush, and within one batch', async () => {
    const w = writer({ flushMs: 80 });
    const events = normalized(callFlow('resend'));
    await Promise.all([w.write(events, 'k'), w.write(events, 'k')]);
    await w.write(events, 'k');
    await w.write([...events, ...events], 'k');
    expect(await stored('resend')).toEqual({ rows: 10, ids: 10 });
    await w.close();
  });

  it('recognises resends after a restart from the store (warm load and look-up past memory)', async () => {
    const first = writer();
    const recent = normalized(callFlow('restart-recent', Date.now()));
    const old = normalized(callFlow('restart-old', Date.now() - 30 * 86400_000));
    await first.write([...recent, ...old], 'k');
    await first.close();

    const second = writer({ dedupWarmMs: 60_000 });
    await second.start();
    await second.write([...recent, ...old], 'k');
    expect(await stored('restart-recent')).toEqual({ rows: 10, ids: 10 });
    expect(await stored('restart-old')).toEqual({ rows: 10, ids: 10 });
    await second.close();
  });

  it('looks up ids that left memory instead of forgetting them', async () => {
    const metrics = new Registry();
    const w = writer({ dedupMemoryIds: 1000, flushMinRows: 500 }, store, metrics);
    const start = Date.now() - 3600_000;
    const all = normalized(manyEvents('evict', 5000, start));
    for (let i = 0; i < all.length; i += 500) await w.write(all.slice(i, i + 500), 'k');
    await w.write(all.slice(0, 1000), 'k'); // evicted long ago
    expect(await stored('evict')).toEqual({ rows: 5000, ids: 5000 });
    expect(Number(/callboard_dedup_store_lookups_total (\d+)/.exec(await metrics.render())![1])).toBeGreaterThan(0);
    await w.close();
  });

  it('refuses a batch with a retry hint when too much is pending, and loses nothing already accepted', async () => {
    const w = writer({ maxPendingRows: 15, flushMs: 300 });
    const a = normalized(callFlow('busy-a'));
    const accepted = w.write(a, 'k');
    const refused = await w.write(normalized(callFlow('busy-b')), 'k').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WriterBusyError);
    expect((refused as WriterBusyError).retryAfterS).toBeGreaterThan(0);
    await accepted;
    expect(await stored('busy-a')).toEqual({ rows: 10, ids: 10 });
    expect(await stored('busy-b')).toEqual({ rows: 0, ids: 0 });
    await w.close();
  });

  it('fails every caller of a failed insert, then stores their resend once', async () => {
    let failNext = true;
    const flaky: Store = Object.create(store) as Store;
    flaky.insertRowBinary = async (...args) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk on fire');
      }
      return store.insertRowBinary(...args);
    };
    const w = writer({}, flaky);
    const events = normalized(callFlow('flaky'));
    const results = await Promise.allSettled([w.write(events, 'k'), w.write(events.slice(0, 3), 'k')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await w.write(events, 'k');
    await w.write(events, 'k');
    expect(await stored('flaky')).toEqual({ rows: 10, ids: 10 });
    await w.close();
  });

  it('flushes pending rows on close and refuses new ones', async () => {
    const w = writer({ flushMs: 60_000 });
    const pending = w.write(normalized(callFlow('closing')), 'k');
    expect(await w.close(5000)).toBe(true);
    await pending;
    expect(await stored('closing')).toEqual({ rows: 10, ids: 10 });
    await expect(w.write(normalized(callFlow('after-close')), 'k')).rejects.toBeInstanceOf(WriterBusyError);
  });
});
