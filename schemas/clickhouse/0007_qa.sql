-- Issue 9: the QA model. Every table is append-only versions like the settings tables: the
-- current state of an id is its row with the highest version (`ORDER BY id, version DESC
-- LIMIT 1 BY id`), and every version stays (the evaluation history, retracted scores after a
-- dispute, old scorecard versions that older evaluations were scored on).

-- Scorecards: `sections` is the JSON of schemas/qa.ts `Section[]`.
CREATE TABLE IF NOT EXISTS qa_scorecards
(
    id          String,
    name        String,
    description String,
    sections    String,
    pass_mark   Float64,
    archived    UInt8,
    version     UInt64,
    updated_at  DateTime64(3, 'UTC'),
    updated_by  String
)
ENGINE = MergeTree
ORDER BY (id, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

-- Evaluations: one row per version (each save or lifecycle step). `answers` is the JSON of
-- Record<question id, Answer>; the score columns are the formula's result for those answers
-- (schemas/qa-score.ts), stored so reports need not re-score; `section_scores` is the JSON of
-- SectionScore[]. `calibration` = '' outside calibration sessions.
CREATE TABLE IF NOT EXISTS qa_evaluations
(
    id                String,
    call              String,
    agent             String,
    queue             String,
    scorecard         String,
    scorecard_version UInt64,
    evaluator         String,
    status            LowCardinality(String),
    -- the step that wrote this version: create | save | submit | acknowledge | dispute | rescore | uphold
    action            LowCardinality(String),
    action_comment    String,
    calibration       String,
    answers           String,
    comment           String,
    total             Nullable(Float64),
    raw_total         Nullable(Float64),
    auto_fail         UInt8,
    passed            Nullable(UInt8),
    section_scores    String,
    disputes          UInt32,
    call_at           DateTime64(3, 'UTC'),
    created_at        DateTime64(3, 'UTC'),
    submitted_at      Nullable(DateTime64(3, 'UTC')),
    version           UInt64,
    updated_at        DateTime64(3, 'UTC'),
    updated_by        String
)
ENGINE = MergeTree
ORDER BY (id, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

-- Time-stamped comment pins on a call's recording.
CREATE TABLE IF NOT EXISTS qa_comments
(
    id          String,
    call        String,
    evaluation  String,
    question    String,
    at_s        Float64,
    end_s       Nullable(Float64),
    text        String,
    visibility  LowCardinality(String),
    author      String,
    author_role LowCardinality(String),
    deleted     UInt8,
    created_at  DateTime64(3, 'UTC'),
    version     UInt64,
    updated_at  DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (id, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

-- Sampling rules: `evaluators` and `filter` follow schemas/qa.ts `SamplingRuleInput`.
CREATE TABLE IF NOT EXISTS qa_sampling_rules
(
    id                 String,
    name               String,
    active             UInt8,
    scorecard          String,
    evaluators         Array(String),
    per_agent_per_week UInt32,
    filter             String,
    deleted            UInt8,
    version            UInt64,
    updated_at         DateTime64(3, 'UTC'),
    updated_by         String
)
ENGINE = MergeTree
ORDER BY (id, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

-- Work-queue assignments: a call, once sampled by a rule for an agent's week, stays assigned
-- (new calls never push it out). `week` is the Monday of the ISO week in the center's zone.
CREATE TABLE IF NOT EXISTS qa_assignments
(
    rule        String,
    week        Date,
    agent       String,
    call        String,
    assigned_to String,
    assigned_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(assigned_at)
ORDER BY (rule, week, agent, call)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;

-- Calibration sessions.
CREATE TABLE IF NOT EXISTS qa_calibrations
(
    id         String,
    call       String,
    scorecard  String,
    reference  String,
    evaluators Array(String),
    note       String,
    status     LowCardinality(String),
    created_by String,
    created_at DateTime64(3, 'UTC'),
    version    UInt64,
    updated_at DateTime64(3, 'UTC'),
    updated_by String
)
ENGINE = MergeTree
ORDER BY (id, version)
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
