/** The call-detail list: the newest version of each call started in [from, to), filtered, newest first, one page. */
export const CALL_LIST_SQL = `
SELECT *, count() OVER () AS total
FROM (
  SELECT call, site, toUnixTimestamp64Milli(started_at) AS started_ms, direction, caller, service_number, queues, first_queue,
         agents, agent, outcome, abandon_stage, wait_ms, talk_ms, hold_ms, acw_ms, duration_ms, transfers, disposition,
         survey_score, survey_resolved, ivr_path
  FROM call_facts
  WHERE started_at >= fromUnixTimestamp64Milli({from:Int64}) AND started_at < fromUnixTimestamp64Milli({to:Int64})
  ORDER BY call, derived_at DESC
  LIMIT 1 BY call
)
WHERE (empty({sites:Array(String)}) OR has({sites:Array(String)}, site))
  AND (empty({queues:Array(String)}) OR hasAny(queues, {queues:Array(String)}))
  AND (empty({agents:Array(String)}) OR hasAny(agents, {agents:Array(String)}))
  AND (empty({outcomes:Array(String)}) OR has({outcomes:Array(String)}, outcome))
  AND ({caller:String} = '' OR positionCaseInsensitive(caller, {caller:String}) > 0)
  AND ({disposition:String} = '' OR disposition = {disposition:String})
ORDER BY started_ms DESC, call
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
SETTINGS output_format_json_quote_64bit_integers = 0`;

export interface CallListRow {
  call: string;
  site: string;
  started_ms: number;
  direction: string;
  caller: string;
  service_number: string;
  queues: string[];
  first_queue: string;
  agents: string[];
  agent: string;
  outcome: string;
  abandon_stage: string;
  wait_ms: number | null;
  talk_ms: number;
  hold_ms: number;
  acw_ms: number;
  duration_ms: number | null;
  transfers: number;
  disposition: string;
  survey_score: number | null;
  survey_resolved: number | null;
  ivr_path: string[];
  total: number;
}
