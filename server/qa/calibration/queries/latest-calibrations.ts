import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

/** A qa_calibrations row as read. */
export interface CalibrationRow {
  id: string;
  call: string;
  scorecard: string;
  reference: string;
  evaluators: string[];
  note: string;
  status: string;
  created_by: string;
  created_at: number | string;
  version: number | string;
  updated_at: number | string;
  updated_by: string;
}

const SQL = `
SELECT id, call, scorecard, reference, evaluators, note, status, created_by, toUnixTimestamp64Milli(created_at) AS created_at,
       version, toUnixTimestamp64Milli(updated_at) AS updated_at, updated_by
FROM ${TABLES.qaCalibrations}
WHERE (empty({ids:Array(String)}) OR has({ids:Array(String)}, id))
ORDER BY id, version DESC
LIMIT 1 BY id`;

/** The current version of the sessions `ids` (all sessions when empty). */
export function latestCalibrations(store: Store, ids: readonly string[] = []): Promise<CalibrationRow[]> {
  return store.query<CalibrationRow>(SQL, { ids: [...ids] });
}
