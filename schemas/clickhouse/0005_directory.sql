-- Issue 8: users may hold several roles; settings and directory (sites, queues, teams, agents),
-- boards, display tokens and help acknowledgements.
--
-- A user's `roles`; rows written before this migration read it as [role] (the column default
-- is computed for old parts). `role` stays, written as the first role, for older readers.
ALTER TABLE users ADD COLUMN IF NOT EXISTS roles Array(LowCardinality(String)) DEFAULT [role] AFTER role;

-- Settings rows are append-only versions: the current state of an id is its row with the
-- highest version. The version is part of the sorting key, so merges never fold old versions
-- away (a ReplacingMergeTree on `id` alone would): every change stays in the history.
-- Readers take the latest version per id (`ORDER BY id, version DESC LIMIT 1 BY id`).
CREATE TABLE IF NOT EXISTS directory_sites
(
    id         String,
    name       String,
    time_zone  String,
    deleted    UInt8,
    version    UInt64,
    updated_at DateTime64(3, 'UTC'),
    updated_by String
)
ENGINE = MergeTree
ORDER BY (id, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS directory_queues
(
    id              String,
    name            String,
    site            String,
    sl_threshold_s  Float64,
    short_abandon_s Float64,
    sl_formula      LowCardinality(String),
    sl_flowouts     LowCardinality(String),
    -- JSON: {"service_level","asa_s","abandon_rate","longest_wait_s"}, each a number or null
    targets         String,
    deleted         UInt8,
    version         UInt64,
    updated_at      DateTime64(3, 'UTC'),
    updated_by      String
)
ENGINE = MergeTree
ORDER BY (id, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS directory_teams
(
    id         String,
    name       String,
    site       String,
    deleted    UInt8,
    version    UInt64,
    updated_at DateTime64(3, 'UTC'),
    updated_by String
)
ENGINE = MergeTree
ORDER BY (id, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS directory_agents
(
    id         String,
    name       String,
    -- '' = no team
    team       String,
    site       String,
    deleted    UInt8,
    version    UInt64,
    updated_at DateTime64(3, 'UTC'),
    updated_by String
)
ENGINE = MergeTree
ORDER BY (id, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS boards
(
    id         String,
    name       String,
    -- JSON: {"filter","rotate_s","pages","ticker"} (the Board shape without id and metadata)
    layout     String,
    deleted    UInt8,
    version    UInt64,
    updated_at DateTime64(3, 'UTC'),
    updated_by String
)
ENGINE = MergeTree
ORDER BY (id, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

-- Display tokens (TV mode): random, shown once, stored as SHA-256 like API keys.
CREATE TABLE IF NOT EXISTS display_tokens
(
    token_hash String,
    id         String,
    name       String,
    boards     Array(String),
    revoked    UInt8,
    version    UInt64,
    created_at DateTime64(3, 'UTC'),
    created_by String
)
ENGINE = MergeTree
ORDER BY (token_hash, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

-- Help requests (`agent.help` events) acknowledged by a supervisor.
CREATE TABLE IF NOT EXISTS help_acks
(
    help_id  String,
    acked_by String,
    at       DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (help_id, at)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
