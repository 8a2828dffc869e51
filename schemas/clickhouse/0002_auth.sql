-- Users, API keys and sessions are append-only versions: the current state is the row
-- with the highest version (read with FINAL), so every change stays in the history.
CREATE TABLE IF NOT EXISTS users
(
    username      String,
    role          LowCardinality(String),
    password_hash String,
    disabled      UInt8,
    version       UInt64,
    updated_at    DateTime64(3, 'UTC'),
    updated_by    String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY username;

CREATE TABLE IF NOT EXISTS api_keys
(
    key_hash   String,
    key_prefix String,
    name       String,
    scopes     Array(LowCardinality(String)),
    revoked    UInt8,
    version    UInt64,
    created_at DateTime64(3, 'UTC'),
    created_by String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY key_hash;

CREATE TABLE IF NOT EXISTS sessions
(
    token_hash String,
    username   String,
    expires_at DateTime64(3, 'UTC'),
    revoked    UInt8,
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY token_hash;

CREATE TABLE IF NOT EXISTS audit_log
(
    ts     DateTime64(3, 'UTC'),
    actor  String,
    action LowCardinality(String),
    target String,
    detail String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY ts;
