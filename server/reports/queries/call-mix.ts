/**
 * Aggregates over the calls started in [from, to) (newest version of each, filtered by site
 * and queue): what callers wanted and how the calls went. Each groups per 15-minute bucket
 * (the caller maps buckets to report intervals) unless said otherwise.
 */
const CALLS = `(
  SELECT call, site, started_at, queues, outcome, abandon_stage, wait_ms, disposition, survey_score, survey_resolved, ivr_path
  FROM call_facts
  WHERE started_at >= fromUnixTimestamp64Milli({from:Int64}) AND started_at < fromUnixTimestamp64Milli({to:Int64})
  ORDER BY call, derived_at DESC
  LIMIT 1 BY call
)`;
const FILTER = `(empty({sites:Array(String)}) OR has({sites:Array(String)}, site))
  AND (empty({queues:Array(String)}) OR hasAny(queues, {queues:Array(String)}))`;
const BUCKET = 'toUnixTimestamp(toStartOfFifteenMinutes(started_at)) * 1000';

/** Calls, outcomes and surveys per bucket. */
export const VOLUME_SQL = `
SELECT ${BUCKET} AS bucket_ms, count() AS calls,
       countIf(outcome = 'answered') AS answered, countIf(outcome IN ('abandoned', 'ivr_abandoned')) AS abandoned,
       countIf(outcome = 'self_service') AS self_service, countIf(length(ivr_path) > 0) AS ivr_calls,
       countIf(survey_score IS NOT NULL) AS surveys, sumIf(survey_score, survey_score IS NOT NULL) AS survey_score_sum,
       countIf(survey_resolved = 1) AS resolved, countIf(survey_resolved IS NOT NULL) AS resolved_asked
FROM ${CALLS}
WHERE ${FILTER}
GROUP BY bucket_ms
SETTINGS output_format_json_quote_64bit_integers = 0`;

/** Calls per wrap-up code (call reasons) per bucket. */
export const REASONS_SQL = `
SELECT ${BUCKET} AS bucket_ms, disposition AS code, count() AS calls
FROM ${CALLS}
WHERE ${FILTER} AND disposition != ''
GROUP BY bucket_ms, code
SETTINGS output_format_json_quote_64bit_integers = 0`;

/** Calls that visited each IVR node (self-service look-ups) per bucket. */
export const IVR_NODES_SQL = `
SELECT ${BUCKET} AS bucket_ms, node, count() AS calls, countIf(outcome = 'self_service') AS contained
FROM ${CALLS}
ARRAY JOIN arrayDistinct(ivr_path) AS node
WHERE ${FILTER}
GROUP BY bucket_ms, node
SETTINGS output_format_json_quote_64bit_integers = 0`;

/** Abandoned calls by stage and wait bucket (seconds: 0–10, 10–20, 20–30, 30–60, 60–120, 120–300, 300+). */
export const ABANDONS_SQL = `
SELECT abandon_stage AS stage,
       multiIf(wait_ms IS NULL, '', wait_ms < 10000, '0-10', wait_ms < 20000, '10-20', wait_ms < 30000, '20-30',
               wait_ms < 60000, '30-60', wait_ms < 120000, '60-120', wait_ms < 300000, '120-300', '300+') AS wait_bucket,
       count() AS calls
FROM ${CALLS}
WHERE ${FILTER} AND outcome IN ('abandoned', 'ivr_abandoned')
GROUP BY stage, wait_bucket
SETTINGS output_format_json_quote_64bit_integers = 0`;

/** Calls per weekday (1 = Monday) and hour of day in {tz}. */
export const HEATMAP_SQL = `
SELECT toDayOfWeek(started_at, 0, {tz:String}) AS weekday, toHour(started_at, {tz:String}) AS hour, count() AS calls,
       countIf(outcome = 'answered') AS answered
FROM ${CALLS}
WHERE ${FILTER}
GROUP BY weekday, hour
SETTINGS output_format_json_quote_64bit_integers = 0`;
