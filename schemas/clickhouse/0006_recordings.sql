-- Issue 9: call recordings. Append-only versions like the settings tables: the current state
-- of a call's recording is its row with the highest version (`ORDER BY call, version DESC
-- LIMIT 1 BY call`), and every upload, result and retention deletion stays in the history.
-- The audio (original, playback rendition) and the waveform peaks are files under
-- DATA_DIR/recordings/<first 2 hex of sha256>/<sha256>…; paths here are relative to DATA_DIR/recordings.
CREATE TABLE IF NOT EXISTS recordings
(
    call              String,
    sha256            String,
    -- processing | ready | failed | expired (audio deleted by RECORDINGS_TTL_DAYS)
    status            LowCardinality(String),
    error             String,
    -- which channel is whom, in channel order: ['agent','customer'], ['customer','agent'] or ['mixed']
    channels          Array(LowCardinality(String)),
    duration_s        Float64,
    sample_rate       UInt32,
    -- container and codec of the original, e.g. 'wav pcm_mulaw'
    original_format   String,
    original_bytes    UInt64,
    original_path     String,
    media_path        String,
    -- prefix of the peaks files: <peaks_path>-<pps>.json
    peaks_path        String,
    -- speech figures (null until ready; the agent/customer ones and talk-over null for a mixed mono recording)
    agent_talk_s      Nullable(Float64),
    customer_talk_s   Nullable(Float64),
    silence_ratio     Nullable(Float64),
    longest_silence_s Nullable(Float64),
    talk_over_s       Nullable(Float64),
    agent_talk_ratio  Nullable(Float64),
    uploaded_at       DateTime64(3, 'UTC'),
    -- the API key that uploaded it
    source            LowCardinality(String),
    version           UInt64,
    updated_at        DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (call, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
