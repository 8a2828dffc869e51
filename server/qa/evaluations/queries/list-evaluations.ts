import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';
import { EVALUATION_COLUMNS, type EvaluationRow } from './evaluation-versions.ts';

export interface EvaluationFilter {
  /** '' = any */
  call: string;
  agent: string;
  evaluator: string;
  /** empty = any */
  statuses: string[];
  /** call_at in [from, to), epoch ms */
  from: number;
  to: number;
  /** none: calibration = '' only; any: all; one: calibration = `calibrationId` only */
  calibrationMode: 'none' | 'any' | 'one';
  calibrationId: string;
  /** own scope: only this agent's evaluations, never drafts ('' = no such limit) */
  ownAgent: string;
  /** calibration sessions where `me` is still blind: only `me`'s own evaluations of them show */
  blind: string[];
  me: string;
  limit: number;
  offset: number;
}

// call, agent, evaluator, calibration and call_at never change across versions: filtered before
// the latest version is picked; status after.
const SQL = `
SELECT ${EVALUATION_COLUMNS}
FROM (
  SELECT * FROM ${TABLES.qaEvaluations}
  WHERE ({call:String} = '' OR call = {call:String})
    AND ({agent:String} = '' OR agent = {agent:String})
    AND ({evaluator:String} = '' OR evaluator = {evaluator:String})
    AND call_at >= fromUnixTimestamp64Milli({from:Int64}) AND call_at < fromUnixTimestamp64Milli({to:Int64})
    AND multiIf({cal_mode:String} = 'any', 1, {cal_mode:String} = 'one', calibration = {cal:String}, calibration = '')
    AND ({own:String} = '' OR (agent = {own:String} AND calibration = ''))
    AND NOT (has({blind:Array(String)}, calibration) AND evaluator != {me:String})
  ORDER BY id, version DESC
  LIMIT 1 BY id
)
WHERE (empty({statuses:Array(String)}) OR has({statuses:Array(String)}, status))
  AND ({own:String} = '' OR status != 'draft')
ORDER BY created_at DESC, id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}`;

/** Current versions of the evaluations that match, newest first. */
export function listEvaluations(store: Store, f: EvaluationFilter): Promise<EvaluationRow[]> {
  return store.query<EvaluationRow>(SQL, {
    call: f.call,
    agent: f.agent,
    evaluator: f.evaluator,
    statuses: f.statuses,
    from: f.from,
    to: f.to,
    cal_mode: f.calibrationMode,
    cal: f.calibrationId,
    own: f.ownAgent,
    blind: f.blind,
    me: f.me,
    limit: f.limit,
    offset: f.offset,
  });
}
