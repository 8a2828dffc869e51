import { INTERVAL_START_S } from './queue-intervals.ts';

/**
 * Agent state changes for the agent reports: every `agent.state` (and `agent.help`) of the
 * agents in [from, to), and each agent's last state before `from` (looked for back to
 * `lookbackFrom`), so a state that began before the period is clipped to it.
 */
export const AGENT_EVENTS_SQL = `
SELECT agent, type, toUnixTimestamp64Milli(ts) AS t, id,
       JSONExtractString(payload, 'state') AS state, JSONExtractString(payload, 'reason') AS reason
FROM events
WHERE type IN ('agent.state', 'agent.help')
  AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({to:Int64})
  AND agent != ''
  AND (empty({agents:Array(String)}) OR has({agents:Array(String)}, agent))
ORDER BY agent, ts, id`;

export const AGENT_STATE_AT_SQL = `
SELECT agent, toUnixTimestamp64Milli(ts) AS t, JSONExtractString(payload, 'state') AS state, JSONExtractString(payload, 'reason') AS reason
FROM events
WHERE type = 'agent.state'
  AND ts >= fromUnixTimestamp64Milli({lookbackFrom:Int64}) AND ts < fromUnixTimestamp64Milli({from:Int64})
  AND agent != ''
  AND (empty({agents:Array(String)}) OR has({agents:Array(String)}, agent))
ORDER BY agent, ts DESC, id DESC
LIMIT 1 BY agent`;

export interface AgentEventRow {
  agent: string;
  type: string;
  t: number | string;
  id: string;
  state: string;
  reason: string;
}

/** Agent call counters (scope `agent` of the rollup) per agent and 15-minute bucket (or day, week, month). */
export const AGENT_ROLLUP_SQL = `
SELECT key, ${INTERVAL_START_S} * 1000 AS bucket_ms,
       sum(answered) AS answered, sum(handled) AS handled, sum(talk_ms) AS talk_ms, sum(hold_ms) AS hold_ms,
       sum(acw_ms) AS acw_ms, sum(ring_noanswer) AS ring_noanswer, sum(agent_hangups) AS agent_hangups,
       sum(transfers) AS transfers
FROM history_15m
WHERE scope = 'agent'
  AND bucket >= toDateTime({fromS:Int64}, 'UTC') AND bucket < toDateTime({toS:Int64}, 'UTC')
  AND (empty({agents:Array(String)}) OR has({agents:Array(String)}, key))
GROUP BY key, bucket_ms
SETTINGS output_format_json_quote_64bit_integers = 0`;

/** The same from the per-call rows (a period not on 15-minute edges). */
export const AGENT_CALLS_SQL = `
SELECT c.key AS key, toUnixTimestamp(toStartOfFifteenMinutes(c.at)) * 1000 AS bucket_ms,
       sum(toInt64(c.answered) * c.sign) AS answered, sum(toInt64(c.handled) * c.sign) AS handled,
       sum(toInt64(c.talk_ms) * c.sign) AS talk_ms, sum(toInt64(c.hold_ms) * c.sign) AS hold_ms,
       sum(toInt64(c.acw_ms) * c.sign) AS acw_ms, sum(toInt64(c.ring_noanswer) * c.sign) AS ring_noanswer,
       sum(toInt64(c.agent_hangups) * c.sign) AS agent_hangups, sum(toInt64(c.transfers) * c.sign) AS transfers
FROM call_contributions AS c
WHERE c.scope = 'agent'
  AND c.at >= fromUnixTimestamp64Milli({from:Int64}) AND c.at < fromUnixTimestamp64Milli({to:Int64})
  AND (empty({agents:Array(String)}) OR has({agents:Array(String)}, c.key))
GROUP BY key, bucket_ms
SETTINGS output_format_json_quote_64bit_integers = 0`;

export interface AgentRollupRow {
  key: string;
  bucket_ms: number | string;
  answered: number | string;
  handled: number | string;
  talk_ms: number | string;
  hold_ms: number | string;
  acw_ms: number | string;
  ring_noanswer: number | string;
  agent_hangups: number | string;
  transfers: number | string;
}
