/**
 * `agent_state_intervals`: what the agent-state deriver reads and writes, and the rules that
 * turn a stored interval into the agent figures (DESIGN.md "Agent figures"). The rules are
 * SQL over one row, so the reports count them where the rows are; each is spelt here only.
 */

/** `end_at` of an agent's latest (still open) interval: readers clip it to now. */
export const OPEN_END_MS = Date.UTC(2299, 11, 31);

/** The interval begins a session: from signed out (or no state known) to any other state. */
export const SIGN_IN_SQL = `(state != 'logged_out' AND prev_state IN ('', 'logged_out'))`;
/** The interval ends a session: a change to logged_out from a signed-in state. */
export const SIGN_OUT_SQL = `(state = 'logged_out' AND prev_state NOT IN ('', 'logged_out'))`;
/** A not-ready period (manual busy, breaks and every other reason). */
export const NOT_READY_SQL = `(state = 'not_ready')`;
/** A break: a not-ready period whose reason is `break`. */
export const BREAK_SQL = `(state = 'not_ready' AND reason = 'break')`;

/** The identity of a row (every column but sign and derived_at), in table order. */
const IDENTITY = 'agent, site, state, reason, prev_state, event_id, start_at, end_at';

/** One interval as the deriver writes it (times as epoch ms). */
export interface IntervalRow {
  agent: string;
  site: string;
  state: string;
  reason: string;
  prev_state: string;
  event_id: string;
  start_at: number;
  end_at: number;
}

/**
 * The current intervals of `agents` that end at or after each agent's `froms` instant (the
 * interval in force then and every later one); times as `start_ms`, `end_ms`; `n` = the sum
 * of the row's signs (normally 1).
 */
export const CURRENT_INTERVALS_SQL = `
SELECT ${IDENTITY}, toUnixTimestamp64Milli(start_at) AS start_ms, toUnixTimestamp64Milli(end_at) AS end_ms, sum(sign) AS n
FROM agent_state_intervals
WHERE agent IN {agents:Array(String)}
  AND end_at >= fromUnixTimestamp64Milli({froms:Array(Int64)}[indexOf({agents:Array(String)}, agent)])
GROUP BY ${IDENTITY}
HAVING n != 0
SETTINGS output_format_json_quote_64bit_integers = 0`;

/** The `agent.state` events of `agents`, each agent between its `froms` and `tos` instants (inclusive). */
export const AGENT_STATE_EVENTS_SQL = `
SELECT agent, site, id, toUnixTimestamp64Milli(ts) AS t,
       JSONExtractString(payload, 'state') AS state, JSONExtractString(payload, 'reason') AS reason
FROM events
WHERE type = 'agent.state'
  AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64})
  AND agent IN {agents:Array(String)}
  AND ts >= fromUnixTimestamp64Milli({froms:Array(Int64)}[indexOf({agents:Array(String)}, agent)])
  AND ts <= fromUnixTimestamp64Milli({tos:Array(Int64)}[indexOf({agents:Array(String)}, agent)])
SETTINGS output_format_json_quote_64bit_integers = 0`;

export interface AgentStateEventRow {
  agent: string;
  site: string;
  id: string;
  /** epoch ms (not named ts: an alias would shadow the column in WHERE) */
  t: number;
  state: string;
  reason: string;
}

/** When the newest intervals were written (0 when none). */
export const LAST_INTERVALS_DERIVED_SQL = `SELECT toUnixTimestamp64Milli(max(derived_at)) AS t, count() AS rows FROM agent_state_intervals`;

/** Agents with `agent.state` events received since `since` (start-up catch-up), with their event time range. */
export const AGENTS_RECEIVED_SINCE_SQL = `
SELECT agent, toUnixTimestamp64Milli(min(ts)) AS min_ts, toUnixTimestamp64Milli(max(ts)) AS max_ts
FROM events
WHERE received >= fromUnixTimestamp64Milli({since:Int64}) AND type = 'agent.state' AND agent != ''
GROUP BY agent`;
