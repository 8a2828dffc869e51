-- Issue 10: one row per call (the history deriver writes a new version whenever the call
-- changes): what the call-detail list ("access detail") and the per-call reports read.
-- Current version = the highest derived_at per call (`ORDER BY derived_at DESC LIMIT 1 BY call`);
-- merges fold older versions away. A late event that moves a call's first event to another
-- month leaves its old version in the old partition: readers dedupe per call within what they read.
CREATE TABLE IF NOT EXISTS call_facts
(
    call            String,
    site            LowCardinality(String),
    started_at      DateTime64(3, 'UTC'),
    ended_at        Nullable(DateTime64(3, 'UTC')),
    direction       LowCardinality(String),
    -- the caller's number (`from` of call.offered) and the number dialled (`to`)
    caller          String,
    service_number  String,
    -- every queue the call entered, in order; the caller view's first queue
    queues          Array(String),
    first_queue     String,
    -- every agent who answered, in order; the last of them
    agents          Array(String),
    agent           String,
    -- answered | abandoned | flowed_out | waiting (caller view), ivr_abandoned, self_service
    -- (ended in the IVR), outbound, in_progress
    outcome         LowCardinality(String),
    abandon_stage   LowCardinality(String),
    -- the caller's wait (first queue → first answer or abandon), ms
    wait_ms         Nullable(UInt64),
    talk_ms         UInt64,
    hold_ms         UInt64,
    acw_ms          UInt64,
    -- first event → call.ended
    duration_ms     Nullable(UInt64),
    transfers       UInt16,
    overflows       UInt16,
    -- the last wrap-up code
    disposition     String,
    survey_score    Nullable(UInt8),
    survey_resolved Nullable(UInt8),
    ivr_path        Array(String),
    ended_by        LowCardinality(String),
    complete        UInt8,
    derived_at      DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(derived_at)
PARTITION BY toYYYYMM(started_at)
ORDER BY (started_at, call)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
