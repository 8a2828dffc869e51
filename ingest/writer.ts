import { crc32 } from 'node:zlib';
import { EVENT_COLUMNS, TABLES } from '../schemas/tables.ts';
import { DEFAULT_MAX_FUTURE_SKEW_MS, type NormalizedEvent } from '../schemas/validate.ts';
import type { Logger } from '../platform/log.ts';
import { FLUSH_SECONDS_BUCKETS, type Registry } from '../platform/metrics.ts';
import { newestStored, storedIdsInWindow } from './queries/dedup-warmup.ts';
import { storedIds } from './queries/stored-ids.ts';
import { ByteSink, encodeEventRow } from './rowbinary.ts';
import type { Store } from '../platform/store/store.ts';

export interface WriterOptions {
  /** with no insert running, rows are flushed at once when at least this many wait … */
  flushMinRows: number;
  /** … or this many encoded bytes … */
  flushBytes: number;
  /** … else when the oldest is this old (ms): few small inserts when traffic is light */
  flushMs: number;
  /** rows buffered + being written before new batches are refused */
  maxPendingRows: number;
  /** event ids kept in memory for de-duplication */
  dedupMemoryIds: number;
  /** on start, ids of events this close (ms) to the newest stored event are loaded */
  dedupWarmMs: number;
  /**
   * Live hook: told synchronously of the events a `write` takes as new (validated,
   * not duplicates), right after they are taken and before the insert, so a board never
   * waits for the flush. Must not throw and must be quick (it runs on the ingest path).
   */
  onAccepted?: (events: readonly NormalizedEvent[], source: string) => void;
}

export const DEFAULT_WRITER_OPTIONS: WriterOptions = {
  flushMinRows: 5000,
  flushBytes: 4 * 1024 * 1024,
  flushMs: 200,
  maxPendingRows: 500_000,
  dedupMemoryIds: 1_000_000,
  dedupWarmMs: 15 * 60_000,
};

/** The writer cannot take more now; the sender should retry after `retryAfterS`. */
export class WriterBusyError extends Error {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
    this.name = 'WriterBusyError';
  }
}

/** The writer is closing (the server is shutting down): resend to the restarted server. */
export class WriterClosingError extends WriterBusyError {
  constructor() {
    super('server is shutting down', 5);
    this.name = 'WriterClosingError';
  }
}

/** A write of more events than the writer may ever hold pending: it can never be taken; split it. */
export class BatchTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`batch has more than ${limit} events (MAX_PENDING_ROWS): split it into smaller batches`);
    this.name = 'BatchTooLargeError';
  }
}

/**
 * The content hash kept beside each remembered id: CRC-32 of the payload's UTF-8, as an int32
 * (a small integer in V8, so it costs no memory beyond the map entry). The store computes the
 * same with `CRC32(payload)` for the ids it loads on start.
 */
export function contentHash(payload: string): number {
  return crc32(payload) | 0;
}

interface Generation {
  gen: number;
  data: ByteSink;
  rows: number;
  /** ids written in this generation, per source (a set: a resend looks up which pending insert holds its id) */
  ids: Map<string, Set<string>>;
  maxTs: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface DurableGroup {
  gen: number;
  ids: Map<string, string[]>;
  maxTs: number;
}

/** What became of the events of one `write` call. */
export interface WriteResult {
  /** events already stored (or being stored) with identical content: acknowledged, not written again */
  duplicates: number;
  /** positions of events whose source + id is already stored (or being stored) with different content: not written */
  conflicts: number[];
  /** events that could not be encoded (positions in the `events` argument); nothing of them was written */
  failed: { at: number; error: string }[];
}

/**
 * Batches accepted events from every connection into few large inserts, and settles each
 * caller only after its events are durably written. One insert runs at a time; rows that
 * arrive meanwhile form the next one, which starts as soon as it ends (under load, the
 * insert time sets the pace; when light, `flushMs` does). De-duplicates by (source, event `id`):
 * ids are unique per source (DESIGN.md), so one source can never shadow another's events.
 * - ids written or being written are remembered with a hash of their content (`known`:
 *   source → id → contentHash; durable once no pending generation holds the id), so a resend
 *   (same content) is told from a conflict (same id, other content: reported, never stored);
 * - ids that left memory (evicted, or stored before this process started) can only be
 *   resent with the `ts` they were first sent with, and every such ts is ≤ `evictedMaxTs`;
 *   only those events (rare: backfills, late replays) are looked up in the store, payload included.
 */
export class EventWriter {
  private readonly opts: WriterOptions;
  /** source → id → contentHash of the payload */
  private readonly known = new Map<string, Map<string, number>>();
  private knownCount = 0;
  private readonly durableGroups: DurableGroup[] = [];
  private durableCount = 0;
  private evictedMaxTs = -Infinity;
  /** ids whose insert failed, per source: they may or may not be stored, so look them up */
  private readonly suspects = new Map<string, Set<string>>();
  private readonly pending = new Map<number, Generation>();
  private nextGen = 1;
  private current: Generation;
  private inflight: Generation | null = null;
  private settled = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate = false;
  private closing = false;
  private rowsPerSecond = 100_000;

  private readonly m;

  constructor(
    private readonly store: Store,
    metrics: Registry,
    private readonly log: Logger,
    opts: Partial<WriterOptions> = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.opts = { ...DEFAULT_WRITER_OPTIONS, ...opts };
    this.current = this.newGeneration();
    this.m = {
      stored: metrics.counter('callboard_events_stored_total', 'Events durably written to the store'),
      duplicates: metrics.counter('callboard_events_duplicate_total', 'Events acknowledged that were already stored (resends)'),
      conflicts: metrics.counter('callboard_events_conflict_total', 'Events refused: their source and id were already stored with different content'),
      busy: metrics.counter('callboard_ingest_busy_total', 'Batches refused because the writer was behind'),
      storeErrors: metrics.counter('callboard_store_errors_total', 'Failed store writes or look-ups'),
      lookups: metrics.counter('callboard_dedup_store_lookups_total', 'De-duplication look-ups that had to ask the store'),
      flushRows: metrics.summary('callboard_flush_rows', 'Rows per flush'),
      flushSeconds: metrics.histogram('callboard_flush_seconds', 'Duration of each flush insert', FLUSH_SECONDS_BUCKETS),
    };
    metrics.gauge('callboard_buffer_rows', 'Rows accepted and not yet durable', () => this.pendingRows);
    metrics.gauge('callboard_dedup_ids', 'Event ids held in memory for de-duplication', () => this.knownCount);
  }

  /**
   * The insert generation events taken now go into: an `onAccepted` listener that reads it
   * knows its events are in the store (or were refused and will be resent) once
   * `settledGeneration` reaches it.
   */
  get currentGeneration(): number {
    return this.current.gen;
  }

  /** Every generation up to this one has finished its insert (stored, or failed and nacked). */
  get settledGeneration(): number {
    return this.settled;
  }

  /** Most events one `write` can ever take (the pending limit): a larger write is refused for good. */
  get maxWriteEvents(): number {
    return this.opts.maxPendingRows;
  }

  /** Rows accepted and not yet durable. */
  get pendingRows(): number {
    return this.current.rows + (this.inflight?.rows ?? 0);
  }

  /**
   * Loads the ids of the newest stored events so resends after a restart are recognised.
   * The window ends at the server's clock, never at a stored future `ts`: whatever was
   * stored, the warm-up stays anchored to now and start-up cannot fail on the data.
   */
  async start(maxFutureSkewMs = DEFAULT_MAX_FUTURE_SKEW_MS): Promise<void> {
    const now = this.clock();
    const ceiling = now + maxFutureSkewMs;
    const latest = await newestStored(this.store, { ceiling });
    if (latest.count === 0) return;
    const anchor = Math.min(latest.newest, now);
    const rows = await storedIdsInWindow(this.store, {
      from: Math.max(0, anchor - this.opts.dedupWarmMs),
      ceiling,
      cap: this.opts.dedupMemoryIds,
    });
    if (rows.length === 0) {
      this.evictedMaxTs = anchor;
      return;
    }
    const gen = this.nextGen++; // never pending: these rows are stored
    const ids = new Map<string, string[]>();
    for (const r of rows) {
      this.register(r.source, r.id, Number(r.hash) | 0);
      let list = ids.get(r.source);
      if (!list) ids.set(r.source, (list = []));
      list.push(r.id);
    }
    const newest = Number(rows[0]!.t);
    const oldestLoaded = Number(rows[rows.length - 1]!.t);
    this.evictedMaxTs = rows.length >= this.opts.dedupMemoryIds ? oldestLoaded : Math.min(oldestLoaded, anchor - this.opts.dedupWarmMs);
    this.durableGroups.push({ gen, ids, maxTs: newest });
    this.durableCount = rows.length;
    this.log('info', 'dedup index loaded', { ids: rows.length, evicted_max_ts: isoOrNull(this.evictedMaxTs) });
  }

  /**
   * Stores the events (already validated) of one source and resolves once every one of them
   * is durable: newly written, or already stored by an earlier send. Rejects with
   * WriterBusyError when the writer is behind, or with the store's error; nothing of a
   * rejected call is acked. An event that cannot be encoded is reported in `failed` and leaves
   * no trace: the others of the call are written.
   */
  async write(events: readonly NormalizedEvent[], source: string): Promise<WriteResult> {
    const result: WriteResult = { duplicates: 0, conflicts: [], failed: [] };
    if (this.closing) throw new WriterClosingError();
    if (events.length === 0) return result;
    if (events.length > this.opts.maxPendingRows) throw new BatchTooLargeError(this.opts.maxPendingRows);
    if (this.pendingRows + events.length > this.opts.maxPendingRows) {
      this.m.busy.inc();
      throw new WriterBusyError(`writer is behind (${this.pendingRows} rows pending)`, this.retryAfterS());
    }
    const waits: Promise<void>[] = [];
    const waitingOn = new Set<number>();
    const suspects = this.suspects.get(source);
    let uncertain: number[] | undefined;
    const take = (positions: Iterable<number>, stored?: Map<string, string>) => {
      const cur = this.current;
      const received = this.clock();
      let added = 0;
      const taken: NormalizedEvent[] | null = this.opts.onAccepted ? [] : null;
      for (const at of positions) {
        const e = events[at]!;
        const hash = contentHash(e.payload);
        const knownHash = this.known.get(source)?.get(e.id);
        if (knownHash !== undefined) {
          if (knownHash !== hash) {
            result.conflicts.push(at);
            continue;
          }
          result.duplicates++;
          // Acked only once the earlier send's insert is durable.
          const pending = this.pendingHolding(source, e.id);
          if (pending && !waitingOn.has(pending.gen)) {
            waitingOn.add(pending.gen);
            waits.push(pending.done);
          }
          continue;
        }
        const storedPayload = stored?.get(e.id);
        if (storedPayload !== undefined) {
          if (storedPayload === e.payload) result.duplicates++;
          else result.conflicts.push(at);
          continue;
        }
        if (!stored && (e.ts <= this.evictedMaxTs || (suspects !== undefined && suspects.has(e.id)))) {
          (uncertain ??= []).push(at);
          continue;
        }
        try {
          encodeEventRow(e, received, source, cur.data);
        } catch (err) {
          result.failed.push({ at, error: `(event): cannot be stored: ${(err as Error).message}` });
          continue;
        }
        this.register(source, e.id, hash);
        suspects?.delete(e.id);
        let ids = cur.ids.get(source);
        if (!ids) cur.ids.set(source, (ids = new Set()));
        ids.add(e.id);
        if (e.ts > cur.maxTs) cur.maxTs = e.ts;
        added++;
        taken?.push(e);
      }
      // Live hook: the new events go to the live engine now, before the insert.
      if (taken !== null && taken.length > 0) this.notifyAccepted(taken, source);
      if (added > 0) {
        cur.rows += added;
        if (!waitingOn.has(cur.gen)) {
          waitingOn.add(cur.gen);
          waits.push(cur.done);
        }
        this.scheduleFlush();
      }
    };
    take(events.keys());
    // Ids that may be stored without being in memory: ask the store, then take them.
    if (uncertain) {
      const ask = uncertain;
      uncertain = undefined;
      take(
        ask,
        await this.lookupStored(
          ask.map((at) => events[at]!),
          source,
        ),
      );
    }
    if (suspects?.size === 0) this.suspects.delete(source);
    if (result.duplicates) this.m.duplicates.inc(result.duplicates);
    if (result.conflicts.length) this.m.conflicts.inc(result.conflicts.length);
    if (result.failed.length) this.log('error', 'events could not be encoded', { source, failed: result.failed.slice(0, 3) });
    await Promise.all(waits);
    return result;
  }

  /** Live hook: a failing listener is logged, never fails the write. */
  private notifyAccepted(events: readonly NormalizedEvent[], source: string): void {
    try {
      this.opts.onAccepted?.(events, source);
    } catch (err) {
      this.log('error', 'onAccepted listener failed', { error: (err as Error).message });
    }
  }

  /** Flushes everything pending; waits at most `timeoutMs`. New writes are refused from now on. */
  async close(timeoutMs = 10_000): Promise<boolean> {
    this.closing = true;
    const deadline = Date.now() + timeoutMs;
    while (this.pendingRows > 0 && Date.now() < deadline) {
      this.requestFlush();
      const gens = [this.inflight, this.current].filter((g) => g !== null && g.rows > 0).map((g) => g!.done.catch(() => undefined));
      await Promise.race([Promise.all(gens), new Promise((r) => setTimeout(r, Math.max(1, deadline - Date.now())))]);
    }
    if (this.timer) clearTimeout(this.timer);
    return this.pendingRows === 0;
  }

  private newGeneration(): Generation {
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    done.catch(() => undefined); // every waiter gets the rejection; this only silences the unobserved case
    const g: Generation = { gen: this.nextGen++, data: new ByteSink(), rows: 0, ids: new Map(), maxTs: -Infinity, done, resolve, reject };
    this.pending.set(g.gen, g);
    return g;
  }

  private scheduleFlush(): void {
    if (this.inflight) return; // the running flush starts the next one when it ends
    if (this.current.rows >= this.opts.flushMinRows || this.current.data.length >= this.opts.flushBytes) {
      // Let every message already read in this turn of the event loop join the insert.
      if (!this.immediate) {
        this.immediate = true;
        setImmediate(() => {
          this.immediate = false;
          this.requestFlush();
        });
      }
    } else if (!this.timer) this.timer = setTimeout(() => this.requestFlush(), this.opts.flushMs);
  }

  private requestFlush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inflight || this.current.rows === 0) return;
    void this.flush();
  }

  private async flush(): Promise<void> {
    const g = this.current;
    this.current = this.newGeneration();
    this.inflight = g;
    const started = performance.now();
    try {
      await this.store.insertRowBinary(TABLES.events, EVENT_COLUMNS, g.data.bytes());
      const seconds = (performance.now() - started) / 1000;
      this.rowsPerSecond = 0.7 * this.rowsPerSecond + 0.3 * (g.rows / Math.max(seconds, 0.001));
      this.pending.delete(g.gen);
      this.remember(g.gen, asLists(g.ids), g.maxTs);
      this.m.stored.inc(g.rows);
      this.m.flushRows.observe(g.rows);
      this.m.flushSeconds.observe(seconds);
      g.resolve();
    } catch (err) {
      this.pending.delete(g.gen);
      for (const [source, ids] of g.ids) {
        let suspects = this.suspects.get(source);
        if (!suspects) this.suspects.set(source, (suspects = new Set()));
        for (const id of ids) {
          this.unregister(source, id);
          suspects.add(id);
        }
      }
      this.m.storeErrors.inc();
      this.log('error', 'flush failed', { rows: g.rows, error: (err as Error).message });
      g.reject(err);
    } finally {
      this.inflight = null;
      this.settled = g.gen;
      // Rows that arrived during the insert: flush now if there are enough, else on the timer.
      if (this.current.rows > 0) {
        if (this.current.rows >= this.opts.flushMinRows || this.closing) this.requestFlush();
        else this.scheduleFlush();
      }
    }
  }

  private register(source: string, id: string, hash: number): void {
    let ids = this.known.get(source);
    if (!ids) this.known.set(source, (ids = new Map()));
    const before = ids.size;
    ids.set(id, hash);
    this.knownCount += ids.size - before;
  }

  private unregister(source: string, id: string): void {
    const ids = this.known.get(source);
    if (!ids?.delete(id)) return;
    this.knownCount--;
    if (ids.size === 0) this.known.delete(source);
  }

  /** The pending generation (being inserted, or next) that holds the id, if any. */
  private pendingHolding(source: string, id: string): Generation | undefined {
    if (this.inflight?.ids.get(source)?.has(id)) return this.inflight;
    if (this.current.ids.get(source)?.has(id)) return this.current;
    return undefined;
  }

  /** Keeps durable ids in memory, evicting the oldest flushes past the cap. */
  private remember(gen: number, ids: Map<string, string[]>, maxTs: number): void {
    let n = 0;
    for (const list of ids.values()) n += list.length;
    this.durableGroups.push({ gen, ids, maxTs });
    this.durableCount += n;
    while (this.durableCount > this.opts.dedupMemoryIds && this.durableGroups.length > 1) {
      const old = this.durableGroups.shift()!;
      for (const [source, list] of old.ids) {
        for (const id of list) this.unregister(source, id);
        this.durableCount -= list.length;
      }
      if (old.maxTs > this.evictedMaxTs) this.evictedMaxTs = old.maxTs;
    }
  }

  /** The stored payload of each of the events' ids that the store holds for `source`. */
  private async lookupStored(events: readonly NormalizedEvent[], source: string): Promise<Map<string, string>> {
    let lo = Infinity;
    let hi = -Infinity;
    for (const e of events) {
      if (e.ts < lo) lo = e.ts;
      if (e.ts > hi) hi = e.ts;
    }
    this.m.lookups.inc();
    try {
      return await storedIds(this.store, { lo, hi, source, ids: events.map((e) => e.id) });
    } catch (err) {
      this.m.storeErrors.inc();
      throw err;
    }
  }

  /** Seconds until the backlog is likely written (fractional; HTTP rounds it up). */
  private retryAfterS(): number {
    const s = this.pendingRows / Math.max(this.rowsPerSecond, 1);
    return Math.min(30, Math.max(0.1, Math.round(s * 10) / 10));
  }
}

function asLists(ids: Map<string, Set<string>>): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  for (const [source, set] of ids) lists.set(source, [...set]);
  return lists;
}

function isoOrNull(ms: number): string | null {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : null;
}
