import { EVENT_COLUMNS, TABLES } from '../schemas/tables.ts';
import type { NormalizedEvent } from '../schemas/validate.ts';
import type { Logger } from './log.ts';
import type { Registry } from './metrics.ts';
import { encodeEventRows } from './rowbinary.ts';
import type { Store } from './store/store.ts';

export interface WriterOptions {
  /** flush when the buffer holds this many rows */
  flushRows: number;
  /** … or this many encoded bytes */
  flushBytes: number;
  /** … or when its oldest row is this old (ms) */
  flushMs: number;
  /** rows buffered + being written before new batches are refused */
  maxPendingRows: number;
  /** event ids kept in memory for de-duplication */
  dedupMemoryIds: number;
  /** on start, ids of events this close (ms) to the newest stored event are loaded */
  dedupWarmMs: number;
}

export const DEFAULT_WRITER_OPTIONS: WriterOptions = {
  flushRows: 50_000,
  flushBytes: 32 * 1024 * 1024,
  flushMs: 200,
  maxPendingRows: 500_000,
  dedupMemoryIds: 2_000_000,
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

interface Generation {
  gen: number;
  chunks: Buffer[];
  rows: number;
  bytes: number;
  ids: string[];
  maxTs: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const DURABLE = 0;

/**
 * Batches accepted events from every connection into few large inserts, and settles each
 * caller only after its events are durably written. De-duplicates by event `id`:
 * - ids written or being written are remembered (`known`: id → generation, 0 once durable);
 * - ids that left memory (evicted, or stored before this process started) can only be
 *   resent with the `ts` they were first sent with, and every such ts is ≤ `evictedMaxTs`;
 *   only those events (rare: backfills, late replays) are looked up in the store.
 */
export class EventWriter {
  private readonly opts: WriterOptions;
  private readonly known = new Map<string, number>();
  private readonly durableGroups: { ids: string[]; maxTs: number }[] = [];
  private durableCount = 0;
  private evictedMaxTs = -Infinity;
  /** ids whose insert failed: they may or may not be stored, so look them up */
  private readonly suspects = new Set<string>();
  private readonly pending = new Map<number, Generation>();
  private nextGen = 1;
  private current: Generation;
  private inflight: Generation | null = null;
  private flushAgain = false;
  private timer: NodeJS.Timeout | null = null;
  private closing = false;
  private rowsPerSecond = 100_000;

  private readonly m;

  constructor(
    private readonly store: Store,
    metrics: Registry,
    private readonly log: Logger,
    opts: Partial<WriterOptions> = {},
  ) {
    this.opts = { ...DEFAULT_WRITER_OPTIONS, ...opts };
    this.current = this.newGeneration();
    this.m = {
      stored: metrics.counter('callboard_events_stored_total', 'Events durably written to the store'),
      duplicates: metrics.counter('callboard_events_duplicate_total', 'Events acknowledged that were already stored (resends)'),
      busy: metrics.counter('callboard_ingest_busy_total', 'Batches refused because the writer was behind'),
      storeErrors: metrics.counter('callboard_store_errors_total', 'Failed store writes or look-ups'),
      lookups: metrics.counter('callboard_dedup_store_lookups_total', 'De-duplication look-ups that had to ask the store'),
      flushRows: metrics.summary('callboard_flush_rows', 'Rows per flush'),
      flushSeconds: metrics.summary('callboard_flush_seconds', 'Duration of each flush insert'),
    };
    metrics.gauge('callboard_buffer_rows', 'Rows accepted and not yet durable', () => this.pendingRows);
    metrics.gauge('callboard_dedup_ids', 'Event ids held in memory for de-duplication', () => this.known.size);
  }

  /** Rows accepted and not yet durable. */
  get pendingRows(): number {
    return this.current.rows + (this.inflight?.rows ?? 0);
  }

  /** Loads the ids of the newest stored events so resends after a restart are recognised. */
  async start(): Promise<void> {
    const rows = await this.store.query<{ id: string; t: number | string }>(
      `SELECT id, toUnixTimestamp64Milli(ts) AS t FROM ${TABLES.events}
       WHERE ts >= (SELECT max(ts) FROM ${TABLES.events}) - toIntervalMillisecond({warm:UInt64})
       ORDER BY ts DESC LIMIT {cap:UInt64}`,
      { warm: this.opts.dedupWarmMs, cap: this.opts.dedupMemoryIds },
    );
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    for (const id of ids) this.known.set(id, DURABLE);
    const newest = Number(rows[0]!.t);
    const oldestLoaded = Number(rows[rows.length - 1]!.t);
    this.evictedMaxTs = rows.length >= this.opts.dedupMemoryIds ? oldestLoaded : Math.min(oldestLoaded, newest - this.opts.dedupWarmMs);
    this.durableGroups.push({ ids, maxTs: newest });
    this.durableCount = ids.length;
    this.log('info', 'dedup index loaded', { ids: ids.length, evicted_max_ts: new Date(this.evictedMaxTs).toISOString() });
  }

  /**
   * Stores the events (already validated) and resolves once every one of them is durable:
   * newly written, or already stored by an earlier send. Rejects with WriterBusyError when
   * the writer is behind, or with the store's error; nothing of a rejected call is acked.
   */
  async write(events: readonly NormalizedEvent[], source: string): Promise<void> {
    if (this.closing) throw new WriterBusyError('server is shutting down', 5);
    if (events.length === 0) return;
    if (this.pendingRows + events.length > this.opts.maxPendingRows) {
      this.m.busy.inc();
      throw new WriterBusyError(`writer is behind (${this.pendingRows} rows pending)`, this.retryAfterS());
    }
    let stored: Set<string> | undefined;
    const uncertain = events.filter((e) => !this.known.has(e.id) && (e.ts <= this.evictedMaxTs || this.suspects.has(e.id)));
    if (uncertain.length > 0) stored = await this.lookupStored(uncertain);

    const waits: Promise<void>[] = [];
    const waitingOn = new Set<number>();
    const fresh: NormalizedEvent[] = [];
    const cur = this.current;
    let duplicates = 0;
    for (const e of events) {
      const gen = this.known.get(e.id);
      if (gen !== undefined || stored?.has(e.id)) {
        duplicates++;
        if (gen !== undefined && gen !== DURABLE && !waitingOn.has(gen)) {
          waitingOn.add(gen);
          waits.push(this.pending.get(gen)!.done);
        }
        continue;
      }
      this.known.set(e.id, cur.gen);
      this.suspects.delete(e.id);
      cur.ids.push(e.id);
      if (e.ts > cur.maxTs) cur.maxTs = e.ts;
      fresh.push(e);
    }
    if (duplicates) this.m.duplicates.inc(duplicates);
    if (fresh.length > 0) {
      const chunk = encodeEventRows(fresh, Date.now(), source);
      cur.chunks.push(chunk);
      cur.rows += fresh.length;
      cur.bytes += chunk.length;
      if (!waitingOn.has(cur.gen)) waits.push(cur.done);
      this.scheduleFlush();
    }
    await Promise.all(waits);
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
    const g: Generation = { gen: this.nextGen++, chunks: [], rows: 0, bytes: 0, ids: [], maxTs: -Infinity, done, resolve, reject };
    this.pending.set(g.gen, g);
    return g;
  }

  private scheduleFlush(): void {
    if (this.current.rows >= this.opts.flushRows || this.current.bytes >= this.opts.flushBytes) this.requestFlush();
    else if (!this.timer) this.timer = setTimeout(() => this.requestFlush(), this.opts.flushMs);
  }

  private requestFlush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inflight) {
      this.flushAgain = true;
      return;
    }
    if (this.current.rows === 0) return;
    void this.flush();
  }

  private async flush(): Promise<void> {
    const g = this.current;
    this.current = this.newGeneration();
    this.inflight = g;
    const started = performance.now();
    try {
      await this.store.insertRowBinary(TABLES.events, EVENT_COLUMNS, g.chunks.length === 1 ? g.chunks[0]! : Buffer.concat(g.chunks));
      const seconds = (performance.now() - started) / 1000;
      this.rowsPerSecond = 0.7 * this.rowsPerSecond + 0.3 * (g.rows / Math.max(seconds, 0.001));
      for (const id of g.ids) this.known.set(id, DURABLE);
      this.remember(g.ids, g.maxTs);
      this.m.stored.inc(g.rows);
      this.m.flushRows.observe(g.rows);
      this.m.flushSeconds.observe(seconds);
      g.resolve();
    } catch (err) {
      for (const id of g.ids) {
        this.known.delete(id);
        this.suspects.add(id);
      }
      this.m.storeErrors.inc();
      this.log('error', 'flush failed', { rows: g.rows, error: (err as Error).message });
      g.reject(err);
    } finally {
      this.pending.delete(g.gen);
      this.inflight = null;
      if (this.flushAgain || this.current.rows >= this.opts.flushRows || this.current.bytes >= this.opts.flushBytes) {
        this.flushAgain = false;
        this.requestFlush();
      }
    }
  }

  /** Keeps durable ids in memory, evicting the oldest flushes past the cap. */
  private remember(ids: string[], maxTs: number): void {
    this.durableGroups.push({ ids, maxTs });
    this.durableCount += ids.length;
    while (this.durableCount > this.opts.dedupMemoryIds && this.durableGroups.length > 1) {
      const old = this.durableGroups.shift()!;
      for (const id of old.ids) if (this.known.get(id) === DURABLE) this.known.delete(id);
      this.durableCount -= old.ids.length;
      if (old.maxTs > this.evictedMaxTs) this.evictedMaxTs = old.maxTs;
    }
  }

  private async lookupStored(events: readonly NormalizedEvent[]): Promise<Set<string>> {
    let lo = Infinity;
    let hi = -Infinity;
    for (const e of events) {
      if (e.ts < lo) lo = e.ts;
      if (e.ts > hi) hi = e.ts;
    }
    this.m.lookups.inc();
    try {
      const rows = await this.store.query<{ id: string }>(
        `SELECT id FROM ${TABLES.events}
         WHERE ts >= fromUnixTimestamp64Milli({lo:Int64}) AND ts <= fromUnixTimestamp64Milli({hi:Int64})
           AND id IN {ids:Array(String)}`,
        { lo, hi, ids: events.map((e) => e.id) },
      );
      return new Set(rows.map((r) => r.id));
    } catch (err) {
      this.m.storeErrors.inc();
      throw err;
    }
  }

  private retryAfterS(): number {
    return Math.min(30, Math.max(1, Math.ceil(this.pendingRows / Math.max(this.rowsPerSecond, 1))));
  }
}
