import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

/** A qa_evaluations row as read (UInt64 and DateTime64 arrive as strings or numbers). */
export interface EvaluationRow {
  id: string;
  call: string;
  agent: string;
  queue: string;
  scorecard: string;
  scorecard_version: number | string;
  evaluator: string;
  status: string;
  action: string;
  action_comment: string;
  calibration: string;
  /** JSON of Record<question id, Answer> */
  answers: string;
  comment: string;
  total: number | null;
  raw_total: number | null;
  auto_fail: number | string;
  passed: number | string | null;
  section_scores: string;
  disputes: number | string;
  call_at: number | string;
  created_at: number | string;
  submitted_at: number | string | null;
  version: number | string;
  updated_at: number | string;
  updated_by: string;
}

export const EVALUATION_COLUMNS = `id, call, agent, queue, scorecard, scorecard_version, evaluator, status, action, action_comment, calibration,
  answers, comment, total, raw_total, auto_fail, passed, section_scores, disputes,
  toUnixTimestamp64Milli(call_at) AS call_at, toUnixTimestamp64Milli(created_at) AS created_at,
  toUnixTimestamp64Milli(submitted_at) AS submitted_at, version, toUnixTimestamp64Milli(updated_at) AS updated_at, updated_by`;

const VERSIONS = `SELECT ${EVALUATION_COLUMNS} FROM ${TABLES.qaEvaluations} WHERE id = {id:String} ORDER BY version`;

/** Every version of one evaluation, oldest first (empty when the id is unknown). */
export function evaluationVersions(store: Store, id: string): Promise<EvaluationRow[]> {
  return store.query<EvaluationRow>(VERSIONS, { id });
}
