/**
 * Live history (charts): the call events of every call that entered one of `queues` (all
 * queues when empty) in [`dayStart`, `dayEnd`), from `from` to `to` (a margin around the
 * day, so visits entered that day keep their earlier and later events). Only the fields
 * `deriveCall` reads, pulled out of the payload.
 */
export const HISTORY_CALL_EVENTS_SQL = `
SELECT id, type, toUnixTimestamp64Milli(ts) AS t, site, call, agent, queue,
       JSONExtractString(payload, 'to_queue') AS to_queue,
       JSONExtractString(payload, 'to_agent') AS to_agent,
       JSONExtractString(payload, 'stage') AS stage,
       JSONExtractString(payload, 'by') AS by
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

export interface HistoryCallEventRow {
  id: string;
  type: string;
  t: number | string;
  site: string;
  call: string;
  agent: string;
  queue: string;
  to_queue: string;
  to_agent: string;
  stage: string;
  by: string;
}
