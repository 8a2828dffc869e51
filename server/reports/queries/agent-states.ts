import { AGENT_STATES, type AgentStateName } from '../../../schemas/events.ts';
import { BREAK_SQL, NOT_READY_SQL, SIGN_IN_SQL, SIGN_OUT_SQL } from '../../history/queries/agent-intervals.ts';
import { INTERVAL_START_S } from './queue-intervals.ts';

/**
 * Stored state intervals (server/history/agent-state-deriver.ts) of the agents that start
 * before `until` (the period's end or now) and pass `overlap`. An agent signed out since
 * before `lookbackFrom` is left out (it would otherwise be listed in every report).
 */
const INTERVALS_WHERE = (overlap: string) => `start_at < fromUnixTimestamp64Milli({until:Int64})
  AND (${overlap})
  AND NOT (state = 'logged_out' AND start_at < fromUnixTimestamp64Milli({lookbackFrom:Int64}))
  AND (empty({agents:Array(String)}) OR has({agents:Array(String)}, agent))`;

/** The report's intervals, numbered from 1 (`starts`[1] is the period's start), for ASOF joins on instants. */
const SLOTS = `SELECT 0 AS k, idx, {starts:Array(Int64)}[idx] AS slot_start
FROM (SELECT arrayJoin(arrayEnumerate({starts:Array(Int64)})) AS idx)`;

/** The states whose time the figures count (time signed out counts in none). */
export const SIGNED_IN_STATES = AGENT_STATES.filter((s): s is Exclude<AgentStateName, 'logged_out'> => s !== 'logged_out');

/**
 * Per agent and report interval (`slot`, from 0): the time in each signed-in state, clipped
 * to the interval and to [from, until), and the changes that begin in it (sign-ins,
 * sign-outs, not-ready periods, breaks). A signed-out interval only counts where it begins. Every figure is a sum over rows weighted by their sign, so
 * replaced rows cancel without grouping rows first. An agent with an interval overlapping the
 * period has a row even when nothing in it counts.
 */
export const AGENT_STATE_SLOTS_SQL = `
WITH slots AS (${SLOTS}),
clipped AS (
  SELECT 0 AS k, agent, sign, state, reason, prev_state, s0 >= {from:Int64} AS begins_here,
         greatest(s0, {from:Int64}) AS a, greatest(a, least(e0, {until:Int64})) AS b, greatest(a, b - 1) AS last_ms
  FROM (
    SELECT agent, sign, state, reason, prev_state, toUnixTimestamp64Milli(start_at) AS s0, toUnixTimestamp64Milli(end_at) AS e0
    FROM agent_state_intervals
    WHERE ${INTERVALS_WHERE('end_at > fromUnixTimestamp64Milli({from:Int64}) OR start_at >= fromUnixTimestamp64Milli({from:Int64})')}
  )
),
spread AS (
  SELECT c.agent AS agent, c.sign AS sign, c.state AS state, c.reason AS reason, c.prev_state AS prev_state,
         c.begins_here AS begins_here, c.a AS a, c.b AS b, lo.idx AS first_idx, hi.idx AS last_idx
  FROM clipped AS c
  ASOF JOIN slots AS lo ON c.k = lo.k AND c.a >= lo.slot_start
  ASOF JOIN slots AS hi ON c.k = hi.k AND c.last_ms >= hi.slot_start
)
SELECT agent, idx - 1 AS slot,
       ${SIGNED_IN_STATES.map((st) => `sumIf(ms * sign, state = '${st}') AS ${st}_ms`).join(',\n       ')},
       sumIf(ms * sign, ${BREAK_SQL}) AS break_ms,
       sumIf(sign, first AND ${SIGN_IN_SQL}) AS sign_ins,
       sumIf(sign, first AND ${SIGN_OUT_SQL}) AS sign_outs,
       sumIf(sign, first AND ${NOT_READY_SQL}) AS not_ready_count,
       sumIf(sign, first AND ${BREAK_SQL}) AS breaks
FROM (
  SELECT agent, sign, state, reason, prev_state, idx, begins_here AND idx = first_idx AS first,
         least(b, if(idx < length({starts:Array(Int64)}), {starts:Array(Int64)}[idx + 1], {until:Int64})) - greatest(a, {starts:Array(Int64)}[idx]) AS ms
  FROM spread
  ARRAY JOIN range(first_idx, if(state = 'logged_out', first_idx, last_idx) + 1) AS idx
)
GROUP BY agent, slot
SETTINGS output_format_json_quote_64bit_integers = 0`;

export type AgentStateSlotRow = { agent: string; slot: number; break_ms: number; sign_ins: number; sign_outs: number; not_ready_count: number; breaks: number } & Record<`${(typeof SIGNED_IN_STATES)[number]}_ms`, number>;

/** Help requests per agent and report interval (`slot`, from 0) in [from, until). */
export const AGENT_HELP_SLOTS_SQL = `
WITH slots AS (${SLOTS})
SELECT h.agent AS agent, s.idx - 1 AS slot, count() AS help_requests
FROM (
  SELECT 0 AS k, agent, toUnixTimestamp64Milli(ts) AS t
  FROM events
  WHERE type = 'agent.help'
    AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts < fromUnixTimestamp64Milli({until:Int64})
    AND agent != ''
    AND (empty({agents:Array(String)}) OR has({agents:Array(String)}, agent))
) AS h
ASOF JOIN slots AS s ON h.k = s.k AND h.t >= s.slot_start
GROUP BY agent, slot
SETTINGS output_format_json_quote_64bit_integers = 0`;

/**
 * For the session and break lists: per agent, the interval in force just before `from` (it
 * may end at `from`) and those beginning in [from, until) that sign in, sign out or are a
 * break. In order of their start (then event id, shorter first, like the state log).
 */
export const AGENT_STATE_CHANGES_SQL = `
SELECT agent, state, toUnixTimestamp64Milli(start_at) AS s0, toUnixTimestamp64Milli(end_at) AS e0, s0 < {from:Int64} AS before_period,
       ${SIGN_IN_SQL} AS sign_in, ${SIGN_OUT_SQL} AS sign_out, ${BREAK_SQL} AS is_break
FROM agent_state_intervals
WHERE ${INTERVALS_WHERE('end_at >= fromUnixTimestamp64Milli({from:Int64})')}
  AND (start_at < fromUnixTimestamp64Milli({from:Int64}) OR ${SIGN_IN_SQL} OR ${SIGN_OUT_SQL} OR ${BREAK_SQL})
GROUP BY agent, site, state, reason, prev_state, event_id, start_at, end_at
HAVING sum(sign) > 0
ORDER BY agent, s0, length(event_id), event_id
SETTINGS output_format_json_quote_64bit_integers = 0`;

export interface AgentStateChangeRow {
  agent: string;
  state: string;
  s0: number;
  e0: number;
  before_period: number | boolean;
  sign_in: number | boolean;
  sign_out: number | boolean;
  is_break: number | boolean;
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
