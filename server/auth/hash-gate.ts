/**
 * Bounds concurrent password hashing process-wide. scrypt runs on the libuv thread pool,
 * which the embedded store also uses: unbounded sign-in attempts would starve the ingest.
 * At most `maxActive` jobs run at once; further sign-ins wait in a bounded queue and are
 * refused at once (GateFullError) when it is full. Priority jobs (authenticated admin
 * work) wait ahead of the queue and are never refused.
 */
export class GateFullError extends Error {
  constructor() {
    super('too many sign-ins in progress');
  }
}

export class HashGate {
  private active = 0;
  private highest = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly waitingFirst: (() => void)[] = [];

  constructor(
    readonly maxActive = 2,
    readonly maxQueued = 16,
  ) {
    if (maxActive < 1) throw new Error('maxActive: must be at least 1');
  }

  /** Jobs running now. */
  get running(): number {
    return this.active;
  }
  /** Jobs waiting for a turn. */
  get queued(): number {
    return this.waiting.length + this.waitingFirst.length;
  }
  /** The most jobs that ever ran at once (for tests and metrics). */
  get peak(): number {
    return this.highest;
  }

  async run<T>(job: () => Promise<T>, opts: { priority?: boolean } = {}): Promise<T> {
    if (this.active < this.maxActive) this.active++;
    else if (opts.priority) await new Promise<void>((resolve) => this.waitingFirst.push(resolve));
    else {
      if (this.waiting.length >= this.maxQueued) throw new GateFullError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    // A woken job inherits the slot of the one that finished: `active` is unchanged.
    this.highest = Math.max(this.highest, this.active);
    try {
      return await job();
    } finally {
      const next = this.waitingFirst.shift() ?? this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
