/**
 * The live bus: how accepted events travel from the ingest to the live engine. In-process
 * now; between nodes it would be NATS (DESIGN.md "Scale-out"): a `NatsLiveBus` publishes
 * each batch on a subject and delivers every node's batches to its subscribers, behind
 * the same interface, so neither the ingest hook nor the engine changes.
 */
import type { NormalizedEvent } from '../../schemas/validate.ts';

/** Accepted events (validated, not duplicates) of one source, in the order they were taken. */
export type LiveBatchListener = (events: readonly NormalizedEvent[], source: string) => void;

export interface LiveBus {
  /** Hands a batch to every subscriber. Synchronous for the in-process bus; never throws. */
  publish(events: readonly NormalizedEvent[], source: string): void;
  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: LiveBatchListener): () => void;
}

/** The default bus: subscribers are called synchronously, in subscription order. */
export class InProcessLiveBus implements LiveBus {
  private readonly listeners = new Set<LiveBatchListener>();

  constructor(private readonly onError: (err: unknown) => void = () => undefined) {}

  publish(events: readonly NormalizedEvent[], source: string): void {
    for (const l of this.listeners) {
      try {
        l(events, source);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  subscribe(listener: LiveBatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
