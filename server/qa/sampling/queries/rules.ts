import type { Store } from '../../../../platform/store/store.ts';
import { TABLES } from '../../../../schemas/tables.ts';

/** A sampling rule's current version as stored (`filter` JSON; numbers may arrive as strings). */
export interface RuleRow {
  id: string;
  name: string;
  active: number | string;
  scorecard: string;
  evaluators: string[];
  per_agent_per_week: number | string;
  filter: string;
  deleted: number | string;
  version: number | string;
  updated_at: number | string;
  updated_by: string;
}

const SQL = `
SELECT id, name, active, scorecard, evaluators, per_agent_per_week, filter, deleted, version,
       toUnixTimestamp64Milli(updated_at) AS updated_at, updated_by
FROM ${TABLES.qaSamplingRules}
WHERE empty({ids:Array(String)}) OR has({ids:Array(String)}, id)
ORDER BY id, version DESC
LIMIT 1 BY id`;

/** The current version of each rule (deleted ones included: callers skip them), or of `ids` only. */
export function listRuleRows(store: Store, ids: readonly string[] = []): Promise<RuleRow[]> {
  return store.query<RuleRow>(SQL, { ids });
}
