/**
 * Where simulated events go. The simulator owns this interface; the edges implement
 * it (edges/ndjson-sink.ts: a file or stdout, edges/ingest-sink.ts: the ingest) and
 * `ArraySink` keeps events in memory for tests. The simulator writes synchronously; a
 * sink that fills up sets `backlogged` and the run loop awaits `drain()` before
 * producing more.
 */
import type { CallboardEvent } from '../../schemas/events.ts';

export interface EventSink {
  /** Buffers one event; must not throw for valid events. */
  write(event: CallboardEvent): void;
  /** True when the producer should await `drain()` before writing more. */
  readonly backlogged: boolean;
  /** Resolves once the backlog is below the sink's limit (pushes buffered events onwards). */
  drain(): Promise<void>;
  /** Writes everything buffered and waits until it is stored (file flushed, ingest acked). */
  flush(): Promise<void>;
  /** Flushes and releases the sink. */
  close(): Promise<void>;
}

/** Keeps events in memory (tests, small runs). */
export class ArraySink implements EventSink {
  readonly events: CallboardEvent[] = [];
  readonly backlogged = false;

  write(event: CallboardEvent): void {
    this.events.push(event);
  }
  async drain(): Promise<void> {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
