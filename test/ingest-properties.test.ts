/**
 * Property-based tests (fast-check) of the ingest's promises over random and hostile batches,
 * on real chDB: every event is either acknowledged and stored exactly as sent, or rejected
 * with a reason; one source's events never affect another's; and a writer always starts
 * again on whatever was stored.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../platform/log.ts';
import { Registry } from '../platform/metrics.ts';
import type { ChdbStore } from '../platform/store/chdb-store.ts';
import { EventWriter } from '../ingest/writer.ts';
import { TABLES } from '../schemas/tables.ts';
import { EARLIEST_TS, limitsAt, MAX_EVENT_DEPTH, validateBatch } from '../schemas/validate.ts';
import { freshChdbStore } from './helpers/store.ts';

let store: ChdbStore;
beforeAll(async () => {
  store = await freshChdbStore('ingest-properties');
});
afterAll(async () => store.close());

const NOW = Date.now();
const SKEW = 86_400_000;
const LIMITS = limitsAt(NOW, SKEW);

const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom('', '\ud800', 'a\udfffb', '\u0000', 'x'.repeat(129), '坐席-甲', '😀'),
);

const timestamp = fc.oneof(
  fc.integer({ min: EARLIEST_TS - 5, max: EARLIEST_TS + 5 }),
  fc.integer({ min: LIMITS.maxTs - 5, max: LIMITS.maxTs + 5 }),
  { weight: 8, arbitrary: fc.integer({ min: NOW - 90 * 86_400_000, max: NOW }) },
  fc.integer({ min: -1e15, max: 1e16 }),
  fc.date({ min: new Date('1960-01-01'), max: new Date('2400-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('1969-12-31T23:59:59Z', '0001-01-01T00:00:00Z', 'soon', 1.5, null, -1),
);

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? { k: v } : [v];
  return v;
}

const extra = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  fc.jsonValue({ maxDepth: 4 }),
  fc.integer({ min: 1, max: MAX_EVENT_DEPTH + 50 }).map(nested),
  fc.constantFrom('x'.repeat(70_000), nested(5000)),
);

/** An event that may be valid, or wrong in any field; `n` keeps ids of one run apart from the next's. */
const eventLike = (run: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({
        id: fc.oneof(text, fc.constantFrom('dup-1', 'dup-2')).map((s) => `r${run}-${s}`.slice(0, 64 + (s.length % 3))),
        type: fc.constantFrom('call.offered', 'agent.state', 'call.queued', 'call.survey', 'call.nope'),
        ts: timestamp,
        call: text,
        agent: text,
        queue: text,
        direction: fc.constantFrom('inbound', 'outbound', 'sideways'),
        state: fc.constantFrom('available', 'on_call', 'lunch'),
        score: fc.integer({ min: 0, max: 6 }),
        extra,
      }).map(({ extra: x, ...e }) => (x === undefined ? e : { ...e, extra: x })) },
    { weight: 1, arbitrary: fc.anything() },
  );

let run = 0;
let totalAccepted = 0;
let totalRejected = 0;

describe('ingest properties (fast-check)', () => {
  it('every event is stored exactly as sent or rejected with a reason; sources are isolated; start always works', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer().map(() => ++run).chain((r) =>
          fc.tuple(fc.constant(r), fc.array(fc.tuple(fc.constantFrom('pbx-a', 'pbx-b', 'pbx-c'), fc.array(eventLike(r), { maxLength: 30 })), { minLength: 1, maxLength: 6 })),
        ),
        async ([r, batches]) => {
          const writer = new EventWriter(store, new Registry(), silentLogger, { flushMs: 5 });
          /** source → id → payload of the first accepted event with that id */
          const expected = new Map<string, Map<string, string>>();
          /** source → duplicates and conflicts the writer reported */
          const reported = new Map<string, { duplicates: number; conflicts: number }>();
          const writes = batches.map(async ([source, events]) => {
            const { accepted, rejected } = validateBatch(events, LIMITS);
            expect(accepted.length + rejected.length).toBe(events.length);
            totalAccepted += accepted.length;
            totalRejected += rejected.length;
            for (const rej of rejected) expect(rej.error).toMatch(/^[\w.()]+: ./);
            const mine = expected.get(source) ?? new Map<string, string>();
            expected.set(source, mine);
            for (const e of accepted) if (!mine.has(e.id)) mine.set(e.id, e.payload);
            const result = await writer.write(accepted, source);
            expect(result.failed).toEqual([]);
            const counts = reported.get(source) ?? { duplicates: 0, conflicts: 0 };
            counts.duplicates += result.duplicates;
            counts.conflicts += result.conflicts.length;
            reported.set(source, counts);
          });
          // Batches of different sources interleave, as from concurrent connections.
          await Promise.all(writes);
          await writer.close();

          const rows = await store.query<{ source: string; id: string; payload: string }>(
            `SELECT source, id, payload FROM ${TABLES.events} WHERE startsWith(id, {p:String})`,
            { p: `r${r}-` },
          );
          const stored = new Map<string, Map<string, string>>();
          for (const row of rows) {
            const m = stored.get(row.source) ?? new Map<string, string>();
            expect(m.has(row.id), `${row.source}/${row.id} stored twice`).toBe(false);
            m.set(row.id, row.payload);
            stored.set(row.source, m);
          }
          for (const [source, ids] of expected) {
            // Within one source, concurrent batches race for a shared id: either first send may win.
            const got = stored.get(source) ?? new Map<string, string>();
            expect([...got.keys()].sort()).toEqual([...ids.keys()].sort());
            for (const [id, payload] of got) {
              const sent = batches
                .filter(([s]) => s === source)
                .flatMap(([, evs]) => validateBatch(evs, LIMITS).accepted)
                .filter((e) => e.id === id)
                .map((e) => e.payload);
              expect(sent).toContain(payload);
            }
          }
          for (const source of stored.keys()) expect(expected.has(source)).toBe(true);
          // Every accepted event is the stored one, a duplicate (same content) or a conflict (other content).
          for (const [source, got] of stored) {
            const sent = batches.filter(([s]) => s === source).flatMap(([, evs]) => validateBatch(evs, LIMITS).accepted);
            const same = sent.filter((e) => got.get(e.id) === e.payload).length;
            expect(reported.get(source)).toEqual({ duplicates: same - got.size, conflicts: sent.length - same });
          }

          const restarted = new EventWriter(store, new Registry(), silentLogger);
          await restarted.start(SKEW);
          await restarted.close();
        },
      ),
      { numRuns: 40 },
    );
    // Not vacuous: both outcomes occur many times.
    expect(totalAccepted).toBeGreaterThan(100);
    expect(totalRejected).toBeGreaterThan(100);
  });
});
