/**
 * Live rebuild: each agent's latest `agent.state` before `before` (its state at the start of
 * the rebuilt range), looked for in [`from`, `before`). With `loginOnly` = 1, only the
 * events that list `queues` (logins): the agent's latest login, which tells its queues.
 */
import type { StoredEventRow } from './rebuild-events.ts';

export const AGENT_STATE_BEFORE_SQL = `
SELECT id, type, toUnixTimestamp64Milli(ts) AS t, site, call, agent, queue, payload
FROM events
WHERE type = 'agent.state'
  AND ts >= fromUnixTimestamp64Milli({from:Int64})
  AND ts < fromUnixTimestamp64Milli({before:Int64})
  AND ({loginOnly:UInt8} = 0 OR JSONHas(payload, 'queues'))
ORDER BY agent, ts DESC, id DESC
LIMIT 1 BY agent`;

export interface AgentStateBeforeParams {
  from: number;
  before: number;
  loginOnly: 0 | 1;
}

export type AgentStateBeforeRow = StoredEventRow;
