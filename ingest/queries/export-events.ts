/**
 * Stored events in a time range, optionally filtered, one JSON per line, as sent. The order is
 * total and stable: `ts`, then the source (the ingest key's name), then the event `id`, so events
 * with equal timestamps come out the same way on every export. With `with_source` = 1 each
 * event gets a first member `"source"` (the key's name), unless it carries a `source` of its own.
 */
export const EXPORT_EVENTS_SQL = `
SELECT if({with_source:UInt8} = 1 AND NOT JSONHas(payload, 'source'),
          concat('{"source":', toJSONString(toString(source)), if(payload = '{}', '}', concat(',', substring(payload, 2)))),
          payload)
FROM events
WHERE ts >= fromUnixTimestamp64Milli({from:Int64})
  AND ts < fromUnixTimestamp64Milli({to:Int64})
  AND ({type:String} = '' OR type = {type:String})
  AND ({call:String} = '' OR call = {call:String})
  AND ({agent:String} = '' OR agent = {agent:String})
  AND ({source:String} = '' OR source = {source:String})
ORDER BY ts, source, id`;

/** The query parameters GET /v1/events understands (`token`: a display token, read by authorize); any other is refused. */
export const EXPORT_QUERY_PARAMETERS = ['from', 'to', 'type', 'call', 'agent', 'source', 'with_source', 'token'] as const;

export interface ExportFilter {
  from: number;
  to: number;
  type: string;
  call: string;
  agent: string;
  source: string;
  /** 1: add the `"source"` member to each event */
  with_source: 0 | 1;
}
