/**
 * Issue 6 defects at the validation + writer layer, on real chDB: each case failed on the
 * code before the fix (bricked start, buffer corruption, partition poisoning, id squatting,
 * nesting reported as an outage, fsync off).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../platform/log.ts';
import { Registry } from '../platform/metrics.ts';
import { ByteSink, encodeEventRow } from '../ingest/rowbinary.ts';
import type { ChdbStore } from '../platform/store/chdb-store.ts';
import { EventWriter, type WriterOptions } from '../ingest/writer.ts';
import { TABLES } from '../schemas/tables.ts';
import { EARLIEST_TS, limitsAt, MAX_EVENT_DEPTH, validateBatch, validateEvent, type NormalizedEvent } from '../schemas/validate.ts';
import { callFlow } from './helpers/events.ts';
import { freshChdbStore } from './helpers/store.ts';

let store: ChdbStore;
beforeAll(async () => {
  store = await freshChdbStore('writer-hostile');
});
afterAll(async () => store.close());

function writer(opts: Partial<WriterOptions> = {}, metrics = new Registry()) {
  return new EventWriter(store, metrics, silentLogger, { flushMs: 20, ...opts });
}

function normalized(events: unknown[]): NormalizedEvent[] {
  const { accepted, rejected } = validateBatch(events);
  expect(rejected).toEqual([]);
  return accepted;
}

async function payloads(prefix: string, source?: string): Promise<string[]> {
  const rows = await store.query<{ payload: string }>(
    `SELECT payload FROM ${TABLES.events} WHERE startsWith(id, {p:String}) AND ({s:String} = '' OR source = {s:String}) ORDER BY ts, id`,
    { p: prefix, s: source ?? '' },
  );
  return rows.map((r) => r.payload);
}

const lookups = async (m: Registry) => Number(/callboard_dedup_store_lookups_total (\d+)/.exec(await m.render())?.[1] ?? 0);

describe('timestamps are bounded at validation (defects 2 and 3)', () => {
  const now = Date.UTC(2026, 10, 30, 12);
  const limits = limitsAt(now, 86_400_000);
  const ev = (ts: unknown) => ({ id: 'e1', type: 'call.offered', ts, call: 'c', direction: 'inbound' });

  it('accepts the bounds themselves and rejects one millisecond past each, naming the field', () => {
    expect(validateEvent(ev(EARLIEST_TS), limits).ok).toBe(true);
    expect(validateEvent(ev(now + 86_400_000), limits).ok).toBe(true);
    for (const ts of [EARLIEST_TS - 1, now + 86_400_001, 0, '1969-12-31T23:59:59Z', '0001-01-01T00:00:00Z', 8.64e15, '9999-12-31T00:00Z']) {
      const r = validateEvent(ev(ts), limits);
      expect(r.ok, String(ts)).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^ts: /);
    }
  });

  it('a row that cannot be encoded leaves the buffer as it was', () => {
    const sink = new ByteSink(64);
    const good = normalized([{ id: 'g', type: 'call.offered', ts: Date.now(), call: 'c', direction: 'inbound' }])[0]!;
    encodeEventRow(good, Date.now(), 's', sink);
    const before = Buffer.from(sink.bytes());
    expect(() => encodeEventRow({ ...good, ts: -1 }, Date.now(), 's', sink)).toThrow(RangeError);
    expect(() => encodeEventRow({ ...good, ts: 1e300 }, Date.now(), 's', sink)).toThrow(RangeError);
    expect(Buffer.from(sink.bytes())).toEqual(before);
  });

  it('an unencodable event is reported failed and the rest of the batch and later batches are stored as sent', async () => {
    const w = writer();
    const events = normalized(callFlow('enc-a'));
    // Bypasses validation on purpose: the writer must still be all-or-nothing per event.
    const forged = { ...events[0]!, id: 'enc-a-forged', ts: -86_400_000 };
    const result = await w.write([events[0]!, forged, ...events.slice(1)], 'k');
    expect(result.failed).toEqual([{ at: 1, error: expect.stringMatching(/cannot be stored/) as string }]);
    const follow = normalized(callFlow('enc-b'));
    await w.write(follow, 'k');
    expect((await payloads('enc-a')).sort()).toEqual(events.map((e) => e.payload).sort());
    expect(await payloads('enc-b')).toHaveLength(follow.length);
    await w.close();
  });
});

describe('restart always works (defect 2)', () => {
  it('starts on stored far-future and near-future events, and keeps de-duplicating without store look-ups', async () => {
    // Rows written before the fix, bypassing today's validation.
    const base = { type: 'call.offered', site: '', call: 'f', agent: '', queue: '', payload: '{}', received: Date.now(), source: 'k' };
    await store.insertRows(TABLES.events, [
      { ...base, id: 'future-far', ts: Date.UTC(2299, 0, 1) },
      { ...base, id: 'future-day', ts: Date.now() + 20 * 3600_000 },
    ]);
    const recent = normalized(callFlow('future-recent', Date.now() - 60_000));
    const first = writer();
    await first.write(recent, 'k');
    await first.close();

    const metrics = new Registry();
    const second = writer({}, metrics);
    await second.start();
    const fresh = normalized(callFlow('future-fresh', Date.now()));
    await second.write(fresh, 'k');
    await second.write(recent, 'k'); // resend after the restart: recognised from the warm load
    expect(await lookups(metrics)).toBe(0);
    expect(await payloads('future-recent')).toHaveLength(10);
    expect(await payloads('future-fresh')).toHaveLength(10);
    await second.close();
  });
});

describe('partition poisoning (defect 4)', () => {
  it('stores one batch spanning 26 years of months', async () => {
    const w = writer();
    const events = normalized(
      Array.from({ length: 320 }, (_, m) => ({ id: `months-${m}`, type: 'call.offered', ts: Date.UTC(2000, m, 15), call: `m${m}`, direction: 'inbound' })),
    );
    await w.write(events, 'backfill');
    expect(await payloads('months-')).toHaveLength(320);
    await w.close();
  });
});

describe('ids are unique per source (defect 5)', () => {
  it("one source cannot squat another source's ids, in memory or after a restart", async () => {
    const w = writer();
    const mine = normalized(callFlow('squat'));
    const squatted = mine.map((e) => ({ ...e, payload: e.payload.replace('"call.', '"call.') })); // same ids
    await w.write(squatted.slice(0, 5), 'attacker');
    const result = await w.write(mine, 'pbx');
    expect(result.duplicates).toBe(0);
    expect(await payloads('squat', 'pbx')).toHaveLength(10);
    await w.close();

    const again = writer();
    await again.start();
    const resent = await again.write(mine, 'pbx');
    expect(resent.duplicates).toBe(10);
    const other = await again.write(mine.slice(5), 'attacker');
    expect(other.duplicates).toBe(0);
    expect(await payloads('squat', 'pbx')).toHaveLength(10);
    expect(await payloads('squat', 'attacker')).toHaveLength(10);
    await again.close();
  });
});

describe('hostile shapes are invalid events, not outages (defect 6)', () => {
  const base = { id: 'n1', type: 'call.offered', ts: Date.now(), call: 'c', direction: 'inbound' };

  it('rejects nesting past the bound with a clear error, without throwing', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const r = validateEvent({ ...base, extra: deep });
    expect(r).toEqual({ ok: false, error: `(event): nested deeper than ${MAX_EVENT_DEPTH} levels` });
    let ok: unknown = 1;
    for (let i = 0; i < MAX_EVENT_DEPTH - 1; i++) ok = { a: ok };
    expect(validateEvent({ ...base, extra: ok }).ok).toBe(true);
  });

  it('rejects oversized events and ids that cannot be stored as sent', () => {
    expect(validateEvent({ ...base, extra: 'x'.repeat(70_000) })).toEqual({ ok: false, error: expect.stringMatching(/^\(event\): larger than/) as string });
    expect(validateEvent({ ...base, id: 'a\ud800' })).toEqual({ ok: false, error: expect.stringMatching(/^id: must be well-formed Unicode/) as string });
    expect(validateEvent({ ...base, id: '😀' }).ok).toBe(true);
  });
});

describe('durable means on disk (defect 12)', () => {
  it('every acknowledged table fsyncs its new parts', async () => {
    for (const table of [TABLES.events, TABLES.users, TABLES.apiKeys, TABLES.sessions, TABLES.audit]) {
      const [row] = await store.query<{ q: string }>(
        `SELECT create_table_query AS q FROM system.tables WHERE database = currentDatabase() AND name = {t:String}`,
        { t: table },
      );
      expect(row?.q, table).toContain('fsync_after_insert = 1');
      expect(row?.q, table).toContain('fsync_part_directory = 1');
    }
  });
});
