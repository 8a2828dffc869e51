import { STORED_CALL_EVENT_COLUMNS, type StoredCallEventRow } from '../../contact-metrics/stored-call-event.ts';

/**
 * Live history (charts): the call events of every call that entered one of `queues` (all
 * queues when empty) in [`dayStart`, `dayEnd`), from `from` to `to` (a margin around the
 * day, so visits entered that day keep their earlier and later events). Only the fields
 * `deriveCall` reads, pulled out of the payload.
 */
export const HISTORY_CALL_EVENTS_SQL = `
SELECT ${STORED_CALL_EVENT_COLUMNS}
FROM events
WHERE ts >= fromUnixTimestamp64Milli({from:Int64})
  AND ts < fromUnixTimestamp64Milli({to:Int64})
  AND startsWith(type, 'call.')
  AND call IN (
    SELECT DISTINCT call FROM events
    WHERE type = 'call.queued'
      AND ts >= fromUnixTimestamp64Milli({dayStart:Int64})
      AND ts < fromUnixTimestamp64Milli({dayEnd:Int64})
      AND (empty({queues:Array(String)}) OR has({queues:Array(String)}, queue))
  )`;

export interface HistoryCallEventsParams {
  from: number;
  to: number;
  dayStart: number;
  dayEnd: number;
  queues: string[];
}

export type HistoryCallEventRow = StoredCallEventRow;
