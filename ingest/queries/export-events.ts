/** Stored events in a time range, optionally filtered, in time order, as sent (one JSON per line). */
export const EXPORT_EVENTS_SQL = `
SELECT payload
FROM events
WHERE ts >= fromUnixTimestamp64Milli({from:Int64})
  AND ts < fromUnixTimestamp64Milli({to:Int64})
  AND ({type:String} = '' OR type = {type:String})
  AND ({call:String} = '' OR call = {call:String})
  AND ({agent:String} = '' OR agent = {agent:String})
ORDER BY ts, id`;

export interface ExportFilter {
  from: number;
  to: number;
  type: string;
  call: string;
  agent: string;
}
