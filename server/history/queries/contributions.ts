/** The columns of `call_contributions` besides `call`, `sign` and `derived_at`, in table order. */
export const CONTRIBUTION_VALUE_COLUMNS = [
  'offered',
  'answered',
  'abandoned',
  'short_abandoned',
  'flowed_out',
  'answered_within_sl',
  'abandoned_within_sl',
  'answer_wait_ms',
  'abandon_wait_ms',
  'max_wait_ms',
  'handled',
  'talk_ms',
  'hold_ms',
  'acw_ms',
  'ring_noanswer',
  'agent_hangups',
  'transfers',
] as const;
export type ContributionValueColumn = (typeof CONTRIBUTION_VALUE_COLUMNS)[number];

/** One stored contribution row (numbers as the JSON output gives them: UInt64 as strings). */
export type ContributionRow = { call: string; scope: string; key: string; at: number | string } & Record<ContributionValueColumn, number | string>;

/**
 * The current contribution rows of `calls`: rows whose signs add up to a non-zero count `n`
 * (normally 1; the deriver's own writes keep it so).
 */
export const CURRENT_CONTRIBUTIONS_SQL = `
SELECT call, scope, key, toUnixTimestamp64Milli(at) AS at, ${CONTRIBUTION_VALUE_COLUMNS.join(', ')}, sum(sign) AS n
FROM call_contributions
WHERE call IN {calls:Array(String)}
GROUP BY call, scope, key, at, ${CONTRIBUTION_VALUE_COLUMNS.join(', ')}
HAVING n != 0`;

/** When the newest derivation was written (0 when none). */
export const LAST_DERIVED_SQL = `SELECT toUnixTimestamp64Milli(max(derived_at)) AS t, count() AS rows FROM call_contributions`;

/** Calls with events received since `since` (start-up catch-up), with their event time range. */
export const CALLS_RECEIVED_SINCE_SQL = `
SELECT call, toUnixTimestamp64Milli(min(ts)) AS min_ts, toUnixTimestamp64Milli(max(ts)) AS max_ts,
       countIf(type IN ('call.ended', 'call.wrapup', 'call.abandoned', 'call.survey')) > 0 AS final
FROM events
WHERE received >= fromUnixTimestamp64Milli({since:Int64}) AND call != '' AND startsWith(type, 'call.')
GROUP BY call`;
