/**
 * The scheduling both history derivers share: keys (calls, agents) whose stored events changed
 * are marked dirty with the writer generation that carries their events, and derived in
 * batches once that insert has settled and their coalescing delay is over. A failed batch is
 * marked again (keeping any newer marks) and retried at the next tick.
 */
import type { Logger } from '../../platform/log.ts';

/** What is known of a dirty key since its last derivation. */
export interface DirtyMark {
  /** the writer generation whose insert carries its newest events */
  gen: number;
  /** the time range (event ts) of its new events */
  minTs: number;
  maxTs: number;
  /** when it may be derived (wall clock) */
  due: number;
}

export interface DirtyLoopOptions {
  /** what is derived, for logs: "history derivation" */
  what: string;
  log: Logger;
  /** the writer's generations: events marked now are stored once `settled()` ≥ the mark's `gen` */
  generations: { settled(): number };
  tickMs: number;
  /** keys derived per call of `derive` */
  batchSize: number;
  /** take the keys with the earliest events first (so one batch reads a narrow time range) */
  earliestFirst: boolean;
  now: () => number;
  derive: (batch: [string, DirtyMark][]) => Promise<void>;
  onError: () => void;
}

export class DirtyLoop {
  private readonly dirty = new Map<string, DirtyMark>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly opts: DirtyLoopOptions) {}

  /** Keys waiting to be derived. */
  get size(): number {
    return this.dirty.size;
  }

  /** Marks `key` dirty, merging with what is already known of it. */
  mark(key: string, m: DirtyMark): void {
    const d = this.dirty.get(key);
    if (!d) this.dirty.set(key, { ...m });
    else {
      d.gen = Math.max(d.gen, m.gen);
      d.minTs = Math.min(d.minTs, m.minTs);
      d.maxTs = Math.max(d.maxTs, m.maxTs);
      d.due = Math.min(d.due, m.due);
    }
  }

  /** Derives every tick from now on. */
  start(): void {
    this.schedule();
  }

  /** Stops deriving; resolves when a derivation in progress has finished (the store may then close). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running) await this.running.catch(() => undefined);
  }

  /** Derives every dirty key whose events are stored, now (tests, shutdown); resolves when none is left that could be. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    for (;;) {
      const n = await this.runOnce(true);
      if (n === 0) return;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runOnce(false)
        .catch((err: unknown) => {
          this.opts.onError();
          this.opts.log('error', `${this.opts.what} failed; will retry`, { error: (err as Error).message });
        })
        .finally(() => this.schedule());
    }, this.opts.tickMs);
    this.timer.unref();
  }

  /** Derives the due keys in batches; returns how many were derived. */
  private async runOnce(ignoreDue: boolean): Promise<number> {
    if (this.running) return 0;
    let total = 0;
    const run = (async () => {
      for (;;) {
        const batch = this.takeBatch(ignoreDue);
        if (batch.length === 0) return;
        try {
          await this.opts.derive(batch);
        } catch (err) {
          for (const [key, d] of batch) this.mark(key, d);
          throw err;
        }
        total += batch.length;
      }
    })();
    this.running = run;
    try {
      await run;
    } finally {
      this.running = null;
    }
    return total;
  }

  /** The due keys whose events are stored (at most `batchSize`), taken out of the dirty set. */
  private takeBatch(ignoreDue: boolean): [string, DirtyMark][] {
    const settled = this.opts.generations.settled();
    const now = this.opts.now();
    let ready: [string, DirtyMark][] = [];
    for (const entry of this.dirty) {
      if (!this.opts.earliestFirst && ready.length >= this.opts.batchSize) break;
      const d = entry[1];
      if (d.gen <= settled && (ignoreDue || d.due <= now)) ready.push(entry);
    }
    if (this.opts.earliestFirst) ready = ready.sort((a, b) => a[1].minTs - b[1].minTs).slice(0, this.opts.batchSize);
    for (const [key] of ready) this.dirty.delete(key);
    return ready;
  }
}
