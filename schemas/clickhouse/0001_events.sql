-- Raw contract events, append-only. `payload` is the event exactly as sent (for audit and replay);
-- the other columns are pulled out of it for filtering and for the derived tables.
CREATE TABLE IF NOT EXISTS events
(
    id       String,
    type     LowCardinality(String),
    ts       DateTime64(3, 'UTC'),
    site     LowCardinality(String),
    call     String,
    agent    LowCardinality(String),
    queue    LowCardinality(String),
    payload  String CODEC(ZSTD(1)),
    received DateTime64(3, 'UTC'),
    source   LowCardinality(String),
    INDEX idx_call call TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_agent agent TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_id id TYPE bloom_filter(0.001) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (ts, id);
