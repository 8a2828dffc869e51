/**
 * Sends simulated events to the ingest through the client library (client/ingest-client.ts:
 * acks, resends, back-off), as any PBX would. The client's `send` resolves late when too
 * much is un-acknowledged; until it does the sink reports `backlogged`, which pauses the simulator.
 */
import type { CallboardEvent } from '../../schemas/events.ts';
import { IngestClient, type IngestClientOptions, type IngestClientStats } from '../../client/ingest-client.ts';
import { createAcdLogger, recordLogger } from '../log.ts';
import type { EventSink } from '../sim/sink.ts';

const HANDOFF = 256;

export class IngestSink implements EventSink {
  private readonly client: IngestClient<CallboardEvent>;
  private pending: CallboardEvent[] = [];
  private waiting: Promise<void> | null = null;
  private failure: Error | null = null;

  /** `log` defaults to the ACD's logger (acd/log.ts). */
  constructor(opts: IngestClientOptions<CallboardEvent>) {
    this.client = new IngestClient({ ...opts, log: opts.log ?? recordLogger(createAcdLogger().child({ source: 'ingest-client' })) });
  }

  /** The client's counters (sent, acked, backlog, …). */
  get stats(): IngestClientStats {
    return this.client.stats;
  }

  write(event: CallboardEvent): void {
    this.pending.push(event);
    if (this.pending.length >= HANDOFF && this.waiting === null) this.handOff();
  }

  get backlogged(): boolean {
    return this.waiting !== null || this.failure !== null;
  }

  async drain(): Promise<void> {
    if (this.waiting === null && this.pending.length > 0) this.handOff();
    while (this.waiting !== null) await this.waiting;
    if (this.failure) throw this.failure;
  }

  async flush(): Promise<void> {
    await this.drain();
    await this.client.flush();
  }

  async close(): Promise<void> {
    await this.drain();
    await this.client.close();
  }

  private handOff(): void {
    const batch = this.pending;
    this.pending = [];
    const p = this.client.send(batch).then(
      () => {
        if (this.waiting === p) this.waiting = null;
      },
      (err: unknown) => {
        this.failure = err instanceof Error ? err : new Error(String(err));
        if (this.waiting === p) this.waiting = null;
      },
    );
    this.waiting = p;
  }
}
