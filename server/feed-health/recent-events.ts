import type { Store } from '../../platform/store/store.ts';
import { TABLES } from '../../schemas/tables.ts';

/** One stored event as its source sent it, with when the server received it. */
export interface ReceivedEvent {
  source: string;
  payload: string;
  /** epoch ms */
  received: number;
}

/**
 * Events received in `[from, to)` (epoch ms), per source in arrival order, at most `perSource` rows of each source.
 * `ts` is bounded too (`received − maxLagMs` … `to + maxLeadMs`) so the scan stays in the partitions
 * and primary-key range of the window: an event stamped further off is not in the answer.
 */
export async function recentEvents(
  store: Store,
  params: { from: number; to: number; maxLagMs: number; maxLeadMs: number; perSource: number },
): Promise<ReceivedEvent[]> {
  // The alias must not be `received`: ClickHouse would use it in WHERE in place of the column.
  const rows = await store.query<{ source: string; payload: string; received_ms: string | number }>(
    `SELECT source, payload, toUnixTimestamp64Milli(received) AS received_ms
     FROM ${TABLES.events}
     WHERE ts >= fromUnixTimestamp64Milli({tsFrom:Int64}) AND ts < fromUnixTimestamp64Milli({tsTo:Int64})
       AND received >= fromUnixTimestamp64Milli({from:Int64}) AND received < fromUnixTimestamp64Milli({to:Int64})
     ORDER BY source, received, ts, id
     LIMIT {perSource:UInt32} BY source`,
    { from: params.from, to: params.to, tsFrom: params.from - params.maxLagMs, tsTo: params.to + params.maxLeadMs, perSource: params.perSource },
  );
  return rows.map((r) => ({ source: r.source, payload: r.payload, received: Number(r.received_ms) }));
}
