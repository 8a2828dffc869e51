/**
 * Recorded calls as the QA search lists them, in one query: the latest row of each call's
 * recording (any status, so QA sees processing and failed ones), joined with the call's
 * events folded into one row (start, site, direction, number, agents, queue, disposition,
 * survey) and a summary of its current evaluations. Every filter is a bound parameter; an
 * empty array / null / '' turns a filter off. The sampling queue reads the same rows.
 */
import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

/** Statuses of an evaluation that count (a submitted score); drafts do not. */
export const COUNTED_STATUSES = ['submitted', 'acknowledged', 'disputed', 'rescored', 'upheld'] as const;

/** A call's events may run this long after its first one; bounds the events scan around a date filter. */
const CALL_SPAN_MS = 86_400_000;

/** Keep the first 3 and the last 4 characters of a number (`138****5678`); shorter numbers keep their last 2. */
const MASKED = `multiIf(
    lengthUTF8(caller_raw) >= 8, concat(substringUTF8(caller_raw, 1, 3), repeat('*', toUInt64(lengthUTF8(caller_raw) - 7)), substringUTF8(caller_raw, toInt64(lengthUTF8(caller_raw)) - 3)),
    lengthUTF8(caller_raw) >= 3, concat(repeat('*', toUInt64(lengthUTF8(caller_raw) - 2)), substringUTF8(caller_raw, toInt64(lengthUTF8(caller_raw)) - 1)),
    repeat('*', lengthUTF8(caller_raw)))`;

const COUNTED = `status IN ('${COUNTED_STATUSES.join("', '")}') AND calibration = ''`;

/** The joined rows (`call_rows`) with every filter applied (`filtered`). */
export const CALL_ROWS_CTE = `
WITH
rec AS (
  SELECT call, status, duration_s, agent_talk_s, customer_talk_s, silence_ratio, longest_silence_s, talk_over_s, agent_talk_ratio,
         toUnixTimestamp64Milli(uploaded_at) AS uploaded_ms
  FROM ${TABLES.recordings}
  -- a recording is uploaded after its call: one uploaded before the date filter's start (less a
  -- day) cannot be of a call in range
  WHERE (empty({calls:Array(String)}) OR has({calls:Array(String)}, call))
    AND uploaded_at >= fromUnixTimestamp64Milli({scan_from:Int64})
  ORDER BY call, version DESC
  LIMIT 1 BY call
),
ev AS (
  SELECT call,
         toUnixTimestamp64Milli(min(ts)) AS e_first_ms,
         argMinIf(site, ts, site != '') AS e_site,
         argMinIf(JSONExtractString(payload, 'direction'), ts, type = 'call.offered') AS e_direction,
         argMinIf(JSONExtractString(payload, 'from'), ts, type = 'call.offered') AS e_caller_raw,
         groupUniqArrayIf(agent, type = 'call.answered' AND agent != '') AS e_agents,
         argMaxIf(agent, ts, type = 'call.answered') AS e_agent,
         if(countIf(type = 'call.answered') > 0, argMaxIf(queue, ts, type = 'call.answered'), argMaxIf(queue, ts, type = 'call.queued')) AS e_queue,
         argMaxIf(JSONExtractString(payload, 'code'), ts, type = 'call.wrapup') AS e_disposition,
         if(countIf(type = 'call.survey') > 0, argMaxIf(JSONExtractInt(payload, 'score'), ts, type = 'call.survey'), NULL) AS e_survey_score
  FROM ${TABLES.events}
  WHERE call IN (SELECT call FROM rec)
    AND ts >= fromUnixTimestamp64Milli({scan_from:Int64}) AND ts < fromUnixTimestamp64Milli({scan_to:Int64})
  GROUP BY call
),
evals AS (
  SELECT call,
         countIf(${COUNTED}) AS evaluations,
         argMaxIf(total, coalesce(submitted_at, updated_at), ${COUNTED}) AS last_score,
         countIf(calibration = '') AS any_evaluations
  FROM (
    SELECT call, status, calibration, total, submitted_at, updated_at
    FROM ${TABLES.qaEvaluations}
    WHERE call IN (SELECT call FROM rec)
    ORDER BY id, version DESC
    LIMIT 1 BY id
  )
  GROUP BY call
),
call_rows AS (
  SELECT rec.call AS call,
         if(ev.e_first_ms > 0, ev.e_first_ms, rec.uploaded_ms) AS started_at,
         ev.e_site AS site,
         ev.e_direction AS direction,
         ev.e_agent AS agent,
         ev.e_agents AS agents,
         ev.e_queue AS queue,
         ev.e_caller_raw AS caller_raw,
         if({mask:UInt8} = 1, ${MASKED}, caller_raw) AS caller,
         if(rec.status IN ('ready', 'expired'), rec.duration_s, NULL) AS duration_s,
         ev.e_disposition AS disposition,
         ev.e_survey_score AS survey_score,
         rec.status AS recording_status,
         rec.agent_talk_s AS agent_talk_s,
         rec.customer_talk_s AS customer_talk_s,
         rec.silence_ratio AS silence_ratio,
         rec.longest_silence_s AS longest_silence_s,
         rec.talk_over_s AS talk_over_s,
         rec.agent_talk_ratio AS agent_talk_ratio,
         evals.evaluations AS evaluations,
         evals.last_score AS last_score,
         evals.any_evaluations AS any_evaluations
  FROM rec
  LEFT JOIN ev ON ev.call = rec.call
  LEFT JOIN evals ON evals.call = rec.call
),
filtered AS (
  SELECT * FROM call_rows
  WHERE ({from:Nullable(Int64)} IS NULL OR started_at >= {from:Nullable(Int64)})
    AND ({to:Nullable(Int64)} IS NULL OR started_at < {to:Nullable(Int64)})
    AND ({own:String} = '' OR has(agents, {own:String}))
    AND (empty({agents:Array(String)}) OR has({agents:Array(String)}, agent))
    AND ({team_on:UInt8} = 0 OR has({team_agents:Array(String)}, agent))
    AND (empty({queues:Array(String)}) OR has({queues:Array(String)}, queue))
    AND ({direction:String} = '' OR direction = {direction:String})
    AND ({min_duration_s:Nullable(Float64)} IS NULL OR duration_s >= {min_duration_s:Nullable(Float64)})
    AND ({max_duration_s:Nullable(Float64)} IS NULL OR duration_s <= {max_duration_s:Nullable(Float64)})
    AND ({caller:String} = '' OR positionCaseInsensitiveUTF8(caller, {caller:String}) > 0)
    AND (empty({dispositions:Array(String)}) OR has({dispositions:Array(String)}, disposition))
    AND ({survey_min:Nullable(Float64)} IS NULL OR survey_score >= {survey_min:Nullable(Float64)})
    AND ({survey_max:Nullable(Float64)} IS NULL OR survey_score <= {survey_max:Nullable(Float64)})
    AND ({min_silence_ratio:Nullable(Float64)} IS NULL OR silence_ratio >= {min_silence_ratio:Nullable(Float64)})
    AND ({min_talk_over_s:Nullable(Float64)} IS NULL OR talk_over_s >= {min_talk_over_s:Nullable(Float64)})
    AND ({evaluated:Int8} = -1 OR (evaluations > 0) = {evaluated:Int8})
    AND ({unevaluated_only:UInt8} = 0 OR any_evaluations = 0)
    AND ({score_min:Nullable(Float64)} IS NULL OR last_score >= {score_min:Nullable(Float64)})
    AND ({score_max:Nullable(Float64)} IS NULL OR last_score <= {score_max:Nullable(Float64)})
    AND (empty({statuses:Array(String)}) OR has({statuses:Array(String)}, recording_status))
    AND (empty({exclude_calls:Array(String)}) OR NOT has({exclude_calls:Array(String)}, call))
)`;

/** The row columns every reader selects. */
export const CALL_ROW_COLUMNS = `call, started_at, site, direction, agent, queue, caller, duration_s, disposition, survey_score, recording_status,
       agent_talk_s, customer_talk_s, silence_ratio, longest_silence_s, talk_over_s, agent_talk_ratio, evaluations, last_score`;

/** Filters of the call rows; absent = off. */
export interface CallFilter {
  /** only these calls */
  calls?: readonly string[];
  from?: number | null;
  to?: number | null;
  /** calls this agent answered a leg of (own scope) */
  own?: string;
  /** the call's agent (the last answered leg) is one of these */
  agents?: readonly string[];
  /** the call's agent is in this list (a team's members); null = off */
  teamAgents?: readonly string[] | null;
  queues?: readonly string[];
  direction?: string;
  min_duration_s?: number | null;
  max_duration_s?: number | null;
  /** substring of the number as the caller sees it (masked when `mask`) */
  caller?: string;
  dispositions?: readonly string[];
  survey_min?: number | null;
  survey_max?: number | null;
  min_silence_ratio?: number | null;
  min_talk_over_s?: number | null;
  /** submitted evaluations: true = at least one, false = none */
  evaluated?: boolean | null;
  /** no evaluation of any status (drafts too) outside calibration */
  unevaluated_only?: boolean;
  score_min?: number | null;
  score_max?: number | null;
  statuses?: readonly string[];
  exclude_calls?: readonly string[];
  /** mask the caller's number */
  mask?: boolean;
}

/** A row as read (numbers may arrive as strings). */
export interface RawCallRow {
  call: string;
  started_at: number | string;
  site: string;
  direction: string;
  agent: string;
  queue: string;
  caller: string;
  duration_s: number | null;
  disposition: string;
  survey_score: number | string | null;
  recording_status: string;
  agent_talk_s: number | null;
  customer_talk_s: number | null;
  silence_ratio: number | null;
  longest_silence_s: number | null;
  talk_over_s: number | null;
  agent_talk_ratio: number | null;
  evaluations: number | string;
  last_score: number | null;
}

/** The bound parameters of CALL_ROWS_CTE for a filter. */
export function callFilterParams(f: CallFilter): Record<string, unknown> {
  const from = f.from ?? null;
  const to = f.to ?? null;
  return {
    calls: f.calls ?? [],
    scan_from: from === null ? 0 : Math.max(0, from - CALL_SPAN_MS),
    scan_to: to === null ? 4_102_444_800_000 : to + CALL_SPAN_MS,
    from,
    to,
    own: f.own ?? '',
    agents: f.agents ?? [],
    team_on: f.teamAgents ? 1 : 0,
    team_agents: f.teamAgents ?? [],
    queues: f.queues ?? [],
    direction: f.direction ?? '',
    min_duration_s: f.min_duration_s ?? null,
    max_duration_s: f.max_duration_s ?? null,
    caller: f.caller ?? '',
    dispositions: f.dispositions ?? [],
    survey_min: f.survey_min ?? null,
    survey_max: f.survey_max ?? null,
    min_silence_ratio: f.min_silence_ratio ?? null,
    min_talk_over_s: f.min_talk_over_s ?? null,
    evaluated: f.evaluated === true ? 1 : f.evaluated === false ? 0 : -1,
    unevaluated_only: f.unevaluated_only ? 1 : 0,
    score_min: f.score_min ?? null,
    score_max: f.score_max ?? null,
    statuses: f.statuses ?? [],
    exclude_calls: f.exclude_calls ?? [],
    mask: f.mask ? 1 : 0,
  };
}

export type CallSort = 'started_at' | 'duration' | 'score';
export const CALL_SORTS: readonly CallSort[] = ['started_at', 'duration', 'score'];

/** ORDER BY clauses by (sort, direction): chosen from this fixed table, never built from input. */
const ORDER: Record<CallSort, Record<'asc' | 'desc', string>> = {
  started_at: { desc: 'started_at DESC, call', asc: 'started_at ASC, call' },
  duration: { desc: 'duration_s DESC NULLS LAST, started_at DESC, call', asc: 'duration_s ASC NULLS LAST, started_at DESC, call' },
  score: { desc: 'last_score DESC NULLS LAST, started_at DESC, call', asc: 'last_score ASC NULLS LAST, started_at DESC, call' },
};

const SEARCH_SQL = (order: string) => `${CALL_ROWS_CTE}
SELECT ${CALL_ROW_COLUMNS}, count() OVER () AS total
FROM filtered
ORDER BY ${order}
LIMIT {limit:UInt32} OFFSET {offset:UInt32}`;

const COUNT_SQL = `${CALL_ROWS_CTE}
SELECT count() AS total FROM filtered`;

/** One page of matching rows and how many match in all. */
export async function searchCallRows(
  store: Store,
  filter: CallFilter,
  page: { sort: CallSort; order: 'asc' | 'desc'; limit: number; offset: number },
): Promise<{ rows: RawCallRow[]; total: number }> {
  const params = { ...callFilterParams(filter), limit: page.limit, offset: page.offset };
  const rows = await store.query<RawCallRow & { total: number | string }>(SEARCH_SQL(ORDER[page.sort][page.order]), params);
  if (rows.length > 0) return { rows, total: Number(rows[0]!.total) };
  if (page.offset === 0) return { rows: [], total: 0 };
  // past the end: the count still tells the client how many there are
  const [c] = await store.query<{ total: number | string }>(COUNT_SQL, params);
  return { rows: [], total: Number(c?.total ?? 0) };
}
