import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

export interface EvaluationStateRow {
  id: string;
  call: string;
  scorecard: string;
  evaluator: string;
  status: string;
}

const SQL = `
SELECT id, call, scorecard, evaluator, status
FROM (
  SELECT id, call, scorecard, evaluator, status, calibration
  FROM ${TABLES.qaEvaluations}
  WHERE call IN {calls:Array(String)}
  ORDER BY id, version DESC
  LIMIT 1 BY id
)
WHERE calibration = ''`;

/** The current version of every non-calibration evaluation of `calls`. */
export function evaluationStates(store: Store, calls: readonly string[]): Promise<EvaluationStateRow[]> {
  if (calls.length === 0) return Promise.resolve([]);
  return store.query<EvaluationStateRow>(SQL, { calls: [...new Set(calls)] });
}
