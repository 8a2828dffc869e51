import { STORED_CALL_EVENT_COLUMNS } from '../../contact-metrics/stored-call-event.ts';

/** Every call event of `calls` stored between `from` and `to` (a window around their new events). */
export const CALL_EVENTS_OF_CALLS_SQL = `
SELECT ${STORED_CALL_EVENT_COLUMNS}
FROM events
WHERE ts >= fromUnixTimestamp64Milli({from:Int64})
  AND ts < fromUnixTimestamp64Milli({to:Int64})
  AND startsWith(type, 'call.')
  AND call IN {calls:Array(String)}`;
