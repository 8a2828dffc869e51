/**
 * Queue-view and/or caller-view counters (`scopes`) per key and 15-minute bucket over [from, to):
 * - ROLLUP: from `history_15m` (fast; the deriver's thresholds T and S);
 * - WHAT_IF: from `call_contributions` with T (`slMs`) and/or S (`shortMs`) given; −1 keeps the
 *   deriver's (every visit's wait is in its row, so any T and S can be applied afterwards).
 * Keys: queue ids; empty `keys` = every key of the scope.
 */
/**
 * The start (epoch s) of the report interval holding `bucket` when the interval is a day, week
 * or month of zone `tz` (so long reports group in the store), else the 15-minute bucket itself:
 * sub-day intervals are grouped by the caller, which knows the repeated autumn hour.
 */
export const INTERVAL_START_S = `multiIf(
    {iv:String} = '1d', toUnixTimestamp(toStartOfDay(bucket, {tz:String})),
    {iv:String} = '1w', toUnixTimestamp(toDateTime(toMonday(bucket, {tz:String}), {tz:String})),
    {iv:String} = '1M', toUnixTimestamp(toDateTime(toStartOfMonth(bucket, {tz:String}), {tz:String})),
    toUnixTimestamp(bucket))`;

const SUMS = `sum(offered) AS offered, sum(answered) AS answered, sum(abandoned) AS abandoned,
       sum(short_abandoned) AS short_abandoned, sum(flowed_out) AS flowed_out,
       sum(answered_within_sl) AS answered_within_sl, sum(abandoned_within_sl) AS abandoned_within_sl,
       sum(answer_wait_ms) AS answer_wait_ms, sum(abandon_wait_ms) AS abandon_wait_ms, max(max_wait_ms) AS max_wait_ms,
       sum(handled) AS handled, sum(talk_ms) AS talk_ms, sum(hold_ms) AS hold_ms, sum(acw_ms) AS acw_ms,
       sum(transfers) AS transfers`;

export const QUEUE_ROLLUP_SQL = `
SELECT scope, key, ${INTERVAL_START_S} * 1000 AS bucket_ms, ${SUMS}
FROM history_15m
WHERE has({scopes:Array(String)}, scope)
  AND bucket >= toDateTime({fromS:Int64}, 'UTC') AND bucket < toDateTime({toS:Int64}, 'UTC')
  AND (empty({keys:Array(String)}) OR has({keys:Array(String)}, key))
GROUP BY scope, key, bucket_ms
SETTINGS output_format_json_quote_64bit_integers = 0`;

export const QUEUE_WHAT_IF_SQL = `
SELECT c.scope AS scope, c.key AS key, toUnixTimestamp(toStartOfFifteenMinutes(c.at)) * 1000 AS bucket_ms,
       sum(toInt64(c.offered) * c.sign) AS offered,
       sum(toInt64(c.answered) * c.sign) AS answered,
       sum(toInt64(c.abandoned) * c.sign) AS abandoned,
       sum(toInt64(if({shortMs:Int64} < 0, c.short_abandoned = 1, c.abandoned = 1 AND c.abandon_wait_ms < {shortMs:Int64})) * c.sign) AS short_abandoned,
       sum(toInt64(c.flowed_out) * c.sign) AS flowed_out,
       sum(toInt64(if({slMs:Int64} < 0, c.answered_within_sl = 1, c.answered = 1 AND c.answer_wait_ms <= {slMs:Int64})) * c.sign) AS answered_within_sl,
       sum(toInt64(if({slMs:Int64} < 0, c.abandoned_within_sl = 1, c.abandoned = 1 AND c.abandon_wait_ms <= {slMs:Int64})) * c.sign) AS abandoned_within_sl,
       sum(toInt64(c.answer_wait_ms) * c.sign) AS answer_wait_ms,
       sum(toInt64(c.abandon_wait_ms) * c.sign) AS abandon_wait_ms,
       maxIf(c.max_wait_ms, c.sign > 0) AS max_wait_ms,
       sum(toInt64(c.handled) * c.sign) AS handled,
       sum(toInt64(c.talk_ms) * c.sign) AS talk_ms,
       sum(toInt64(c.hold_ms) * c.sign) AS hold_ms,
       sum(toInt64(c.acw_ms) * c.sign) AS acw_ms,
       sum(toInt64(c.transfers) * c.sign) AS transfers
FROM call_contributions AS c
WHERE has({scopes:Array(String)}, c.scope)
  AND c.at >= fromUnixTimestamp64Milli({from:Int64}) AND c.at < fromUnixTimestamp64Milli({to:Int64})
  AND (empty({keys:Array(String)}) OR has({keys:Array(String)}, c.key))
GROUP BY scope, key, bucket_ms
SETTINGS output_format_json_quote_64bit_integers = 0`;

export interface QueueIntervalRow {
  scope: string;
  key: string;
  bucket_ms: number | string;
  offered: number | string;
  answered: number | string;
  abandoned: number | string;
  short_abandoned: number | string;
  flowed_out: number | string;
  answered_within_sl: number | string;
  abandoned_within_sl: number | string;
  answer_wait_ms: number | string;
  abandon_wait_ms: number | string;
  max_wait_ms: number | string;
  handled: number | string;
  talk_ms: number | string;
  hold_ms: number | string;
  acw_ms: number | string;
  transfers: number | string;
}
