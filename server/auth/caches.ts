/** Small in-memory structures that keep credential checks off the store. */

/** A map whose entries expire after `ttlMs` and which holds at most `maxEntries` (the oldest go first). */
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (this.now() - e.at >= this.ttlMs) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    while (this.map.size >= this.maxEntries) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
    this.map.set(key, { value, at: this.now() });
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  deleteWhere(pred: (value: V) => boolean): void {
    for (const [k, e] of this.map) if (pred(e.value)) this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * Every live entry of a small table, held in memory: a look-up never queries the store.
 * The whole table is read again when the index is older than `refreshMs` (in the background,
 * on use), and when a look-up misses and the last read is older than `missReloadMs` (so an
 * entry written by another process is found within that time, while a flood of unknown
 * keys costs at most one read per `missReloadMs`). Writes by this process apply at once,
 * also over a read that was already running.
 */
export class TableIndex<V> {
  private entries = new Map<string, V>();
  private loaded = false;
  private attemptedAt = -Infinity;
  private lastError: unknown = null;
  private loading: Promise<void> | null = null;
  private writesDuringLoad: [string, V | null][] = [];
  private reads = 0;

  constructor(
    private readonly load: () => Promise<Map<string, V>>,
    private readonly opts: { refreshMs: number; missReloadMs: number; onError: (err: unknown) => void; now?: () => number },
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Reads of the whole table so far. */
  get loads(): number {
    return this.reads;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<V | undefined> {
    if (!this.loaded) {
      if (this.now() - this.attemptedAt < this.opts.missReloadMs && !this.loading) throw this.lastError;
      await this.reload();
    } else if (this.now() - this.attemptedAt >= this.opts.refreshMs) {
      this.reload().catch(() => undefined); // reported through onError; the current index answers meanwhile
    }
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    if (this.now() - this.attemptedAt >= this.opts.missReloadMs || this.loading) {
      await this.reload().catch(() => undefined);
      return this.entries.get(key);
    }
    return undefined;
  }

  /** A write by this process: `null` removes the entry. */
  set(key: string, value: V | null): void {
    if (value === null) this.entries.delete(key);
    else this.entries.set(key, value);
    if (this.loading) this.writesDuringLoad.push([key, value]);
  }

  /** Reads the whole table now (one read at a time: callers share a running one). */
  reload(): Promise<void> {
    if (this.loading) return this.loading;
    this.attemptedAt = this.now();
    this.writesDuringLoad = [];
    this.reads++;
    this.loading = this.load()
      .then((fresh) => {
        for (const [k, v] of this.writesDuringLoad) {
          if (v === null) fresh.delete(k);
          else fresh.set(k, v);
        }
        this.entries = fresh;
        this.loaded = true;
        this.lastError = null;
      })
      .catch((err: unknown) => {
        this.lastError = err;
        this.opts.onError(err);
        throw err;
      })
      .finally(() => {
        this.loading = null;
        this.writesDuringLoad = [];
      });
    return this.loading;
  }
}

interface Waiter<R> {
  resolve: (r: R | undefined | 'overloaded') => void;
  reject: (err: unknown) => void;
}

/**
 * Look-ups of keys not in any cache, gathered into one store query: at most one query runs
 * at a time, at most one starts per `minIntervalMs`, and at most `maxPending` keys wait.
 * Past that a look-up answers `overloaded` at once, without a query.
 */
export class BatchLookup<R> {
  private pending = new Map<string, Waiter<R>[]>();
  private running = false;
  private scheduled = false;
  private lastStart = -Infinity;
  private queries = 0;

  constructor(
    private readonly fetch: (keys: string[]) => Promise<Map<string, R>>,
    private readonly opts: { maxPending: number; minIntervalMs: number; onError: (err: unknown) => void; now?: () => number },
  ) {}

  /** Store queries run so far. */
  get runs(): number {
    return this.queries;
  }

  find(key: string): Promise<R | undefined | 'overloaded'> {
    const waiting = this.pending.get(key);
    if (!waiting && this.pending.size >= this.opts.maxPending) return Promise.resolve('overloaded');
    return new Promise((resolve, reject) => {
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled || this.pending.size === 0) return;
    this.scheduled = true;
    const now = (this.opts.now ?? Date.now)();
    const wait = Math.max(0, this.lastStart + this.opts.minIntervalMs - now);
    // setImmediate also gathers the look-ups of the same turn of the event loop into one query.
    const start = () => {
      this.scheduled = false;
      void this.run();
    };
    if (wait === 0) setImmediate(start);
    else setTimeout(start, wait);
  }

  private async run(): Promise<void> {
    this.running = true;
    this.lastStart = (this.opts.now ?? Date.now)();
    const batch = this.pending;
    this.pending = new Map();
    this.queries++;
    try {
      const found = await this.fetch([...batch.keys()]);
      for (const [k, waiters] of batch) for (const w of waiters) w.resolve(found.get(k));
    } catch (err) {
      this.opts.onError(err);
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
