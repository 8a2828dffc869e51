-- Issue 10: transfers in the history (DESIGN.md "Transfers"): agent legs that ended in a
-- `call.transferred`, counted with the handle of the visit the leg belongs to (queue, caller
-- view) and for the agent who transferred. Rows derived before this migration count 0
-- transfers until their call is derived again.
-- The rollup's column comes first, then the source's, then the view's query: every insert in
-- between still lands (the view keeps writing the columns it knows).
ALTER TABLE history_15m ADD COLUMN IF NOT EXISTS transfers SimpleAggregateFunction(sum, Int64) DEFAULT 0;

ALTER TABLE call_contributions ADD COLUMN IF NOT EXISTS transfers UInt8 DEFAULT 0 AFTER agent_hangups;

ALTER TABLE history_15m_mv MODIFY QUERY
SELECT scope,
       key,
       toStartOfFifteenMinutes(at) AS bucket,
       sum(toInt64(offered) * sign) AS offered,
       sum(toInt64(answered) * sign) AS answered,
       sum(toInt64(abandoned) * sign) AS abandoned,
       sum(toInt64(short_abandoned) * sign) AS short_abandoned,
       sum(toInt64(flowed_out) * sign) AS flowed_out,
       sum(toInt64(answered_within_sl) * sign) AS answered_within_sl,
       sum(toInt64(abandoned_within_sl) * sign) AS abandoned_within_sl,
       sum(toInt64(answer_wait_ms) * sign) AS answer_wait_ms,
       sum(toInt64(abandon_wait_ms) * sign) AS abandon_wait_ms,
       maxIf(max_wait_ms, sign > 0) AS max_wait_ms,
       sum(toInt64(handled) * sign) AS handled,
       sum(toInt64(talk_ms) * sign) AS talk_ms,
       sum(toInt64(hold_ms) * sign) AS hold_ms,
       sum(toInt64(acw_ms) * sign) AS acw_ms,
       sum(toInt64(ring_noanswer) * sign) AS ring_noanswer,
       sum(toInt64(agent_hangups) * sign) AS agent_hangups,
       sum(toInt64(transfers) * sign) AS transfers
FROM call_contributions
GROUP BY scope, key, bucket;
