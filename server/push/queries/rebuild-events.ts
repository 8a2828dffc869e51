/**
 * Live rebuild: one page of stored events from `from` on, in (ts, id) order after the
 * key (`afterTs`, `afterId`) of the previous page (keyset paging on the table's sort key).
 */
export const REBUILD_EVENTS_SQL = `
SELECT id, type, toUnixTimestamp64Milli(ts) AS t, site, call, agent, queue, payload
FROM events
WHERE ts >= fromUnixTimestamp64Milli({from:Int64})
  AND ts <= fromUnixTimestamp64Milli({to:Int64})
  AND (ts > fromUnixTimestamp64Milli({afterTs:Int64})
       OR (ts = fromUnixTimestamp64Milli({afterTs:Int64}) AND id > {afterId:String}))
ORDER BY ts, id
LIMIT {limit:UInt32}`;

export interface RebuildEventsParams {
  from: number;
  to: number;
  /** ts of the last row of the previous page (from − 1 for the first page) */
  afterTs: number;
  /** id of the last row of the previous page ('' for the first page) */
  afterId: string;
  limit: number;
}

export interface StoredEventRow {
  id: string;
  type: string;
  /** epoch ms (Int64: a string in JSONEachRow) */
  t: number | string;
  site: string;
  call: string;
  agent: string;
  queue: string;
  /** the event as sent */
  payload: string;
}
