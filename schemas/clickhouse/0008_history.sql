-- Issue 10: history. Every call's part of the queue view, the caller view and the agents
-- (server/contact-metrics callContributions: the live engine's own definitions) is stored as
-- signed rows: when a later event changes a call, the deriver writes its previous rows again
-- with sign -1 and the new ones with sign +1, so sum(x * sign) is always the call's current
-- contribution, whatever order events arrived in, without reading back old versions.
-- One INSERT per derivation, into an unpartitioned table: a derivation is all or nothing.
CREATE TABLE IF NOT EXISTS call_contributions
(
    call                String,
    sign                Int8,
    -- queue | caller | agent
    scope               LowCardinality(String),
    -- queue id (queue, caller: the call's first queue) or agent id
    key                 String,
    -- the instant that decides the interval (DESIGN.md attribution)
    at                  DateTime64(3, 'UTC'),
    offered             UInt8,
    answered            UInt8,
    abandoned           UInt8,
    short_abandoned     UInt8,
    flowed_out          UInt8,
    answered_within_sl  UInt8,
    abandoned_within_sl UInt8,
    answer_wait_ms      UInt64,
    abandon_wait_ms     UInt64,
    -- the longest wait of the row (one visit or call: its wait), 0 if none
    max_wait_ms         UInt64,
    handled             UInt8,
    talk_ms             UInt64,
    hold_ms             UInt64,
    acw_ms              UInt64,
    ring_noanswer       UInt8,
    agent_hangups       UInt8,
    derived_at          DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (call, scope, key, at)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

-- 15-minute rollup of call_contributions per scope and key, kept by the materialized view.
-- Read with sum() / max() grouped by key and bucket: parts are merged lazily. max_wait_ms
-- takes only added rows (a maximum cannot be subtracted): it stays exact unless a late event
-- shortened a call's longest wait.
CREATE TABLE IF NOT EXISTS history_15m
(
    scope               LowCardinality(String),
    key                 String,
    bucket              DateTime('UTC'),
    offered             SimpleAggregateFunction(sum, Int64),
    answered            SimpleAggregateFunction(sum, Int64),
    abandoned           SimpleAggregateFunction(sum, Int64),
    short_abandoned     SimpleAggregateFunction(sum, Int64),
    flowed_out          SimpleAggregateFunction(sum, Int64),
    answered_within_sl  SimpleAggregateFunction(sum, Int64),
    abandoned_within_sl SimpleAggregateFunction(sum, Int64),
    answer_wait_ms      SimpleAggregateFunction(sum, Int64),
    abandon_wait_ms     SimpleAggregateFunction(sum, Int64),
    max_wait_ms         SimpleAggregateFunction(max, UInt64),
    handled             SimpleAggregateFunction(sum, Int64),
    talk_ms             SimpleAggregateFunction(sum, Int64),
    hold_ms             SimpleAggregateFunction(sum, Int64),
    acw_ms              SimpleAggregateFunction(sum, Int64),
    ring_noanswer       SimpleAggregateFunction(sum, Int64),
    agent_hangups       SimpleAggregateFunction(sum, Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (scope, key, bucket)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS history_15m_mv TO history_15m AS
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
       sum(toInt64(agent_hangups) * sign) AS agent_hangups
FROM call_contributions
GROUP BY scope, key, bucket;
