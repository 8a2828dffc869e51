import type { Store } from '../../../../platform/store/store.ts';
import { CALL_ROWS_CTE, callFilterParams, type CallFilter } from '../../calls/queries/call-rows.ts';

const SQL = `${CALL_ROWS_CTE}
SELECT agent, call
FROM filtered
WHERE agent != ''
ORDER BY agent, cityHash64(call, {rule:String}), call
LIMIT {per_agent:UInt32} BY agent`;

/**
 * Up to `perAgent` calls per agent (the call's agent: the last answered leg) matching a rule's
 * filter, in the rule's deterministic order (a hash of call and rule), so the same calls are
 * picked whenever the queue is computed and different rules pick different calls.
 */
export function sampleCandidates(store: Store, rule: string, filter: CallFilter, perAgent: number): Promise<{ agent: string; call: string }[]> {
  return store.query<{ agent: string; call: string }>(SQL, { ...callFilterParams(filter), rule, per_agent: perAgent });
}
