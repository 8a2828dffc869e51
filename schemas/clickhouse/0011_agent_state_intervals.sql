-- Issue 10: per-agent state intervals (DESIGN.md "Agent figures"), derived from the stored
-- `agent.state` events by server/history/agent-state-deriver.ts, so the agent reports read
-- stored rows instead of walking months of events. One row per state change: a repeated state
-- (same state, and for not_ready the same reason) is no change and opens no interval.
-- Signed rows, like call_contributions: when a late or repeated event changes an agent's
-- stretch, the deriver writes the stretch's previous rows again with sign -1 and the new ones
-- with +1 in one insert, so the rows whose signs add up to 1 are always the current intervals.
-- Unpartitioned: one derivation is one insert, all or nothing.
CREATE TABLE IF NOT EXISTS agent_state_intervals
(
    agent       String,
    sign        Int8,
    -- the site of the event that began the interval
    site        LowCardinality(String),
    -- schemas/events.ts AGENT_STATES
    state       LowCardinality(String),
    -- the not_ready reason (break, manual_busy, …); '' for every other state
    reason      LowCardinality(String),
    -- the state before this interval; '' when none is known (the agent's first state)
    prev_state  LowCardinality(String),
    -- the event that began the interval; orders changes within one millisecond
    event_id    String,
    start_at    DateTime64(3, 'UTC'),
    -- the next change's ts; the agent's latest state is open: 2299-12-31 00:00:00 (readers clip to now)
    end_at      DateTime64(3, 'UTC'),
    derived_at  DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (agent, start_at)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
